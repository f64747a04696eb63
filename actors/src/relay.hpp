#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace spdlog {
class logger;
} // namespace spdlog

namespace troupe::actors::detail {

/// Checks inbound BASP frames (CAF 0.17 layout: 32-byte header, operation in
/// byte 0, big-endian payload length in bytes 4..7) without buffering
/// payloads. Feed it bytes; it says how many may pass or why to reject.
class frame_checker {
 public:
  static constexpr std::size_t header_size = 32;
  static constexpr std::uint8_t max_operation = 0x06; // heartbeat
  static constexpr std::uint8_t client_handshake = 0x01;

  explicit frame_checker(std::uint32_t max_payload)
    : max_payload_(max_payload) {}

  /// Consumes `n` bytes at `data`. Returns an empty string when all of them
  /// may be forwarded, else the reason to reject the connection.
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

/// The relay loop behind frame_guard: accepts on the public socket, pairs
/// each client with a connection to 127.0.0.1:backend_port, and shuttles
/// bytes with backpressure, checking the client's side with frame_checker.
class relay {
 public:
  relay(std::string node, std::uint16_t backend_port, std::uint32_t max_payload,
        std::shared_ptr<spdlog::logger> log);
  ~relay();

  /// Runs until `wake_fd` becomes readable.
  void run(int listen_fd, int wake_fd);

  std::function<void()> on_reject;

 private:
  struct pair;
  void accept_one(int listen_fd);
  void close_pair(int client_fd);
  bool pump(pair& p, bool from_client);
  bool flush(pair& p, bool to_backend);

  std::string node_;
  std::uint16_t backend_port_;
  std::uint32_t max_payload_;
  std::shared_ptr<spdlog::logger> log_;
  std::map<int, std::unique_ptr<pair>> pairs_; // by client fd
};

} // namespace troupe::actors::detail
