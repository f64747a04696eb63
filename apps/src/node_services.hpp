#pragma once

#include <functional>
#include <memory>
#include <string>

#include <caf/error.hpp>

#include "troupe/actors/node.hpp"

namespace spdlog {
class logger;
} // namespace spdlog

namespace troupe::app {

/// Starts the transaction services of a started node `name` in `rt`:
///
/// - a storage shard actor (participants::spawn_shard over `rt.store()`)
///   for every shard the placement puts on this node, registered with the
///   node actor as ("shard", "<n>");
/// - the timestamp oracle, on the owner of ("tso", "0") only, registered as
///   ("tso", "0");
/// - a transaction service registered as ("txn_service", name), whose
///   coordinators resolve shards through the node actor and reach the
///   oracle through a local proxy that resolves ("tso", "0") the same way.
///
/// Shards, oracle and service run under one one-for-one supervisor; a
/// restarted child registers again. Everything stops before the store
/// closes (node_runtime::stop_on_shutdown). A crash loop escalates: when
/// the supervisor gives up (more restarts than it allows in its window), it
/// logs why and calls `on_give_up` (from a CAF thread), and the node must
/// stop rather than run without its shards. Errors: the supervisor's
/// (invalid specs) or those of the oracle's first start.
[[nodiscard]] caf::error start_node_services(
  actors::node_runtime& rt, const config::cluster_config& cluster,
  const std::string& name, std::shared_ptr<spdlog::logger> log,
  std::function<void(const caf::error&)> on_give_up = {});

} // namespace troupe::app
