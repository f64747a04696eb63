#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/expected.hpp>
#include <caf/scoped_actor.hpp>

#include "troupe/actors/frame_guard.hpp"
#include "troupe/actors/type_ids.hpp"
#include "troupe/actors/wire.hpp"
#include "troupe/config/cluster_config.hpp"
#include "troupe/mvcc/options.hpp"
#include "troupe/mvcc/store.hpp"

namespace spdlog {
class logger;
} // namespace spdlog

namespace troupe::actors {

/// The node actor, one per node, published on the node's port. It connects
/// to every peer with bounded backoff, exchanges heartbeats, tracks
/// membership and logs one line per change. It is also the node's directory
/// and router (see directory.hpp for who owns what). Its messages:
///
///   heartbeat   -> heartbeat       a peer's probe, answered with ours; a
///                                  heartbeat of another cluster or an
///                                  unknown node fails with
///                                  sec::invalid_argument and is counted
///   status_atom -> cluster_status  every node of the config: up/down,
///                                  address, shards, uptime
///   (register_atom, kind, id, actor) -> void
///                                  registers a local actor; removed again
///                                  when it goes down
///   (resolve_atom, kind, id) -> actor
///                                  the actor registered as (kind, id) on its
///                                  owning node: a local handle, or a remote
///                                  one through the owner's node actor (the
///                                  request is forwarded there). Fails with
///                                  errc::unavailable (retry_call) at once
///                                  when the owner is down, errc::not_found
///                                  when the owner has no such actor
///   (resolve_local_atom, kind, id) -> actor
///                                  like resolve, on this node only
using node_handle = caf::actor;

/// What a node needs to start.
struct node_setup {
  config::cluster_config cluster;
  std::string name;                    ///< must be a node of `cluster`
  std::uint64_t incarnation = 0;       ///< 0: pick a random one
  std::shared_ptr<spdlog::logger> log; ///< nullptr: the default logger
  /// This node's in-doubt transactions, reported in its status (null:
  /// none reported).
  std::shared_ptr<in_doubt_table> in_doubt;
};

/// Fills a CAF config for a troupe process: io middleman, `threads` worker
/// threads, and every troupe message type registered (required on every
/// node, or remote sends fail).
void configure(caf::actor_system_config& cfg, std::uint32_t threads);

/// Spawns the node actor in `sys` (does not publish it).
[[nodiscard]] node_handle spawn_node(caf::actor_system& sys, node_setup setup);

/// Returns the store options of `node`: `<data_dir>/store`, the cluster's
/// durability settings and key/value limits.
[[nodiscard]] mvcc::options store_options(const config::cluster_config& cfg,
                                          const config::node_config& node);

/// A running node: its MVCC store, actor system and published node actor.
/// Destroying it closes its port, stops the actors handed to
/// `stop_on_shutdown` and the node actor (exit_reason::user_shutdown), waits
/// for every actor of the system to finish (the actor system's destructor),
/// then closes the store. So actors that use the store (shards, the
/// timestamp oracle, coordinators) are gone before it closes, and the store
/// outlives the actor system.
class node_runtime {
 public:
  /// Starts node `setup.name`: opens its store (`store_options`), then the
  /// actor system and the node actor behind the frame guard on the node's
  /// host and port. Fails with sec::invalid_argument when the name is not in
  /// the config; errc::unavailable when the store cannot be opened (e.g. the
  /// same node already runs: RocksDB's lock names the directory); or the
  /// middleman's or guard's error when a port cannot be bound.
  [[nodiscard]] static caf::expected<std::unique_ptr<node_runtime>>
  start(node_setup setup);

  ~node_runtime();
  node_runtime(const node_runtime&) = delete;
  node_runtime& operator=(const node_runtime&) = delete;

  [[nodiscard]] node_handle node() const { return node_; }
  [[nodiscard]] caf::actor_system& system() { return *system_; }
  /// The node's store, shared by every shard on the node; outlives the
  /// actor system.
  [[nodiscard]] mvcc::store& store() { return *store_; }
  /// Where this node's shards report in-doubt transactions (its status
  /// lists them).
  [[nodiscard]] std::shared_ptr<in_doubt_table> in_doubt() const {
    return in_doubt_;
  }

  /// Makes destruction stop `service` (exit_reason::user_shutdown) before
  /// the node actor; for the node's long-lived services, e.g. the
  /// supervisor of its shards. Not thread-safe: call from the owning thread.
  void stop_on_shutdown(caf::actor service);

 private:
  node_runtime() = default;

  std::unique_ptr<mvcc::store> store_; // destroyed last
  std::unique_ptr<frame_guard> guard_;
  caf::actor_system_config cfg_;
  std::unique_ptr<caf::actor_system> system_;
  node_handle node_;
  std::shared_ptr<in_doubt_table> in_doubt_;
  std::vector<caf::actor> services_;
};

/// Connects `self`'s actor system to `node` (its public port) and returns
/// the node actor it publishes, within `timeout`. Errors: CAF's connection
/// errors (retry_call); unavailable when the port publishes no actor.
[[nodiscard]] caf::expected<caf::actor>
connect_node(caf::scoped_actor& self, const config::node_config& node,
             std::chrono::milliseconds timeout);

/// Asks the nodes of `cluster`, in config order, for their view of the
/// cluster and returns the first answer. Fails with errc::unavailable
/// (retry_call), naming every node tried and why, when no node answers
/// within `timeout` each.
[[nodiscard]] caf::expected<cluster_status>
fetch_status(const config::cluster_config& cluster,
             std::chrono::milliseconds timeout);

} // namespace troupe::actors
