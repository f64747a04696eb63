#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "troupe/actors/in_doubt.hpp"

#include <caf/error.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/sec.hpp>

namespace troupe::actors {

/// Liveness probe between nodes; a node answers a heartbeat with its own.
struct heartbeat {
  std::string cluster;
  std::string node;
  std::uint64_t incarnation = 0;
  std::uint64_t uptime_ms = 0;
};

/// One node as seen by the node that answers a status request.
struct node_status {
  std::string name;
  std::string state; ///< "up" or "down"
  std::string address;
  std::vector<std::uint32_t> shards;
  double uptime_s = 0;
  std::uint64_t incarnation = 0;
  /// Prepared transactions the node's shards wait on (known only for the
  /// node that answered, or when `fetch_status` asked each node).
  std::vector<in_doubt_txn> in_doubt;
  bool in_doubt_known = false;
  /// How many nodes this node itself sees up; -1: not asked. Filled by
  /// `fetch_status`, not sent on the wire.
  std::int32_t sees_up = -1;
};

/// The cluster as seen by `observer`.
struct cluster_status {
  std::string cluster;
  std::string observer;
  std::vector<node_status> nodes;
  std::uint64_t dropped_messages = 0;
};

// Wire encoding: compact protobuf bytes (schema in actors/proto/wire.proto).
// `decode` returns false on malformed input and leaves `out` unspecified.
[[nodiscard]] std::string encode(const heartbeat& x);
[[nodiscard]] bool decode(const std::string& bytes, heartbeat& out);
[[nodiscard]] std::string encode(const cluster_status& x);
[[nodiscard]] bool decode(const std::string& bytes, cluster_status& out);

/// Counts messages from the network that failed to decode (all wire types).
void count_dropped_message() noexcept;
[[nodiscard]] std::uint64_t dropped_messages() noexcept;

namespace detail {

/// CAF inspection for wire types: local sends never serialize; across nodes
/// the value travels as protobuf bytes. A value that fails to decode makes
/// CAF drop the message; it is counted.
template <class Inspector, class T>
typename Inspector::result_type inspect_wire(Inspector& f, T& x,
                                             const char* name) {
  std::string bytes;
  if constexpr (Inspector::reads_state) {
    bytes = encode(x);
    return f(caf::meta::type_name(name), bytes);
  } else {
    auto load = [&]() -> caf::error {
      if (!decode(bytes, x)) {
        count_dropped_message();
        return caf::make_error(caf::sec::invalid_argument, name);
      }
      return caf::none;
    };
    return f(caf::meta::type_name(name), bytes, caf::meta::load_callback(load));
  }
}

} // namespace detail

/// Declares `encode`/`decode` of a wire type (defined in a .cpp next to
/// the protobuf schema) and its CAF `inspect` through `inspect_wire`.
/// `decode` returns false on malformed input (including out-of-range
/// enums) and leaves `out` unspecified.
#define TROUPE_WIRE_CODEC(type)                                                \
  [[nodiscard]] std::string encode(const type& x);                             \
  [[nodiscard]] bool decode(const std::string& bytes, type& out);              \
  template <class Inspector>                                                   \
  typename Inspector::result_type inspect(Inspector& f, type& x) {             \
    return detail::inspect_wire(f, x, "troupe." #type);                        \
  }

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, heartbeat& x) {
  return detail::inspect_wire(f, x, "troupe.heartbeat");
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cluster_status& x) {
  return detail::inspect_wire(f, x, "troupe.cluster_status");
}

} // namespace troupe::actors
