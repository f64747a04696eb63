#pragma once

#include <cstdint>
#include <string>

namespace troupe::actors::detail {

/// Checks inbound BASP frames (CAF 0.17 layout: 32-byte header, operation in
/// byte 0, big-endian payload length in bytes 4..7) without buffering
/// payloads. Feed it bytes as they arrive, in any chunks; it says whether
/// they may pass or why to reject the connection.
class frame_checker {
 public:
  static constexpr std::size_t header_size = 32;
  static constexpr std::uint8_t max_operation = 0x06; // heartbeat
  static constexpr std::uint8_t client_handshake = 0x01;

  explicit frame_checker(std::uint32_t max_payload)
    : max_payload_(max_payload) {}

  /// Consumes `n` bytes at `data`. Returns an empty string when all of them
  /// may pass, else the reason to reject the connection.
  std::string feed(const char* data, std::size_t n);

  /// Returns true when the stream stopped in the middle of a frame.
  [[nodiscard]] bool inside_frame() const {
    return header_fill_ > 0 || payload_left_ > 0;
  }

  /// Describes the unfinished frame (for the truncation message).
  [[nodiscard]] std::string describe_unfinished() const;

 private:
  std::uint32_t max_payload_;
  bool first_ = true;
  char header_[header_size];
  std::size_t header_fill_ = 0;
  std::uint64_t payload_left_ = 0;
};

} // namespace troupe::actors::detail
