#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "troupe/config/cluster_config.hpp"
#include "troupe/coordinator/running_txns.hpp"
#include "troupe/coordinator/tso.hpp"
#include "troupe/mvcc/store.hpp"

namespace spdlog {
class logger;
} // namespace spdlog

namespace troupe::app {

/// What a node's GC needs.
struct gc_setup {
  std::string node;               ///< this node's name
  std::vector<std::string> peers; ///< the other nodes of the config
  mvcc::store* db = nullptr;      ///< outlives the actor system
  coordinator::tso_actor tso;     ///< the node's oracle proxy
  caf::actor router;              ///< the node actor: resolves peers' GCs
  std::shared_ptr<const coordinator::running_txns> running;
  config::gc_config gc;
  std::chrono::milliseconds request_timeout{5000};
  std::shared_ptr<spdlog::logger> log;
};

/// Spawns the node's GC (register it as ("gc", node)). Every `gc.interval`
/// it takes a timestamp from the oracle and keeps it with the time; the
/// safe point is the newest such timestamp taken at least `gc.lifetime`
/// ago, lowered to the oldest start of a transaction running (or prepared,
/// in doubt) on this node and on every peer whose GC answers within
/// `request_timeout` (a peer
/// that does not answer is down or cut off; a transaction of it that
/// outlives the lifetime gets timestamp_too_old, retry_transaction). When
/// that is above the store's safe point, `store::gc` runs on a thread of
/// its own (never a scheduler thread), one collection at a time, and the
/// node logs what it removed. Answers `oldest_atom` for its peers.
[[nodiscard]] caf::actor spawn_node_gc(caf::actor_system& sys, gc_setup s);

} // namespace troupe::app
