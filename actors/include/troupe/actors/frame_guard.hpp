#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include <caf/expected.hpp>

namespace spdlog {
class logger;
} // namespace spdlog

namespace troupe::actors {

/// Guards a node's public port. CAF 0.17's remoting (BASP) trusts the
/// payload length in each frame header: one 32-byte header announcing a 4 GB
/// payload makes it allocate gigabytes and stall (measured: 1.9 GB RSS and
/// a node that stopped answering). The guard listens on the public address,
/// relays each connection to CAF's endpoint on a loopback port, and checks
/// every inbound frame header before passing it on: a known operation, a
/// client handshake first, and a payload no larger than the configured
/// maximum. A bad frame, or a connection that ends inside a frame, is logged
/// with the peer and the reason, counted, and the connection is closed; the
/// node keeps serving everyone else. Outbound bytes pass through unchanged.
class frame_guard {
 public:
  struct options {
    std::string node;               ///< for log lines
    std::string listen_host;        ///< public address
    std::uint16_t listen_port = 0;  ///< public port (0: any, see port())
    std::uint16_t backend_port = 0; ///< CAF's port on 127.0.0.1
    std::uint32_t max_message_bytes = 4u << 20;
    std::shared_ptr<spdlog::logger> log;
  };

  /// Binds the public address and starts the relay thread. Fails with
  /// sec::cannot_open_port (and the OS reason) when the address cannot be
  /// bound.
  [[nodiscard]] static caf::expected<std::unique_ptr<frame_guard>>
  start(options opts);

  /// Stops the relay thread and closes every connection.
  ~frame_guard();

  frame_guard(const frame_guard&) = delete;
  frame_guard& operator=(const frame_guard&) = delete;

  /// Returns the bound public port.
  [[nodiscard]] std::uint16_t port() const { return port_; }

  /// Returns how many connections were closed for bad input.
  [[nodiscard]] std::uint64_t rejected() const { return rejected_.load(); }

 private:
  frame_guard() = default;
  void run();

  options opts_;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};
  std::uint16_t port_ = 0;
  std::atomic<std::uint64_t> rejected_{0};
  std::thread thread_;
};

} // namespace troupe::actors
