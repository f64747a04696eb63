#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/expected.hpp>

namespace spdlog {
class logger;
} // namespace spdlog

namespace troupe::actors {

/// Guards a node's public port. CAF 0.17's remoting (BASP) trusts the
/// payload length in each frame header: one 32-byte header announcing a 4 GB
/// payload makes it allocate gigabytes and stall (measured: 1.9 GB RSS and
/// a node that stopped answering). The guard opens the public port inside
/// CAF's own event loop and checks every inbound byte as CAF reads it,
/// before BASP sees it: a known operation, a client handshake first, and a
/// payload no larger than the configured maximum. A bad frame, or a
/// connection that ends inside a frame, is logged with the peer and the
/// reason, counted, and the connection is closed; the node keeps serving
/// everyone else. Outbound bytes pass unchanged.
///
/// (An earlier guard relayed each connection through a thread to CAF on a
/// loopback port: one more thread wake-up, recv and send per message.)
class frame_guard {
 public:
  struct options {
    std::string node;              ///< for log lines
    std::string listen_host;       ///< public address
    std::uint16_t listen_port = 0; ///< public port (0: any, see port())
    std::uint32_t max_message_bytes = 4u << 20;
    std::shared_ptr<spdlog::logger> log;
  };

  /// Binds the public address and publishes `whom` there (as
  /// `middleman().publish` would), with every connection guarded. Fails
  /// with sec::cannot_open_port (and the OS reason) when the address cannot
  /// be bound.
  [[nodiscard]] static caf::expected<std::unique_ptr<frame_guard>>
  start(caf::actor_system& sys, const caf::actor& whom, options opts);

  /// Closes the public port (connections already open end with the actor
  /// system).
  ~frame_guard();

  frame_guard(const frame_guard&) = delete;
  frame_guard& operator=(const frame_guard&) = delete;

  /// Returns the bound public port.
  [[nodiscard]] std::uint16_t port() const { return port_; }

  /// Returns how many connections were closed for bad input.
  [[nodiscard]] std::uint64_t rejected() const;

  /// What the guarded connections share (defined in frame_guard.cpp).
  struct shared;

 private:
  frame_guard() = default;

  caf::actor_system* sys_ = nullptr;
  std::uint16_t port_ = 0;
  std::shared_ptr<shared> shared_;
};

} // namespace troupe::actors
