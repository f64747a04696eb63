#pragma once

#include <csignal>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "troupe/actors/wire.hpp"
#include "troupe/config/cluster_config.hpp"

namespace spdlog {
class logger;
} // namespace spdlog

namespace troupe::app {

/// Loads `path`; on error prints FILE:LINE:COL: reason to stderr and returns
/// nothing (callers exit 2).
std::optional<config::cluster_config>
load_config_or_report(const std::string& path);

/// Blocks SIGINT and SIGTERM in this thread and every thread started after
/// it, so that only `wait_for_stop_signal` receives them. Call before
/// starting an actor system.
sigset_t block_stop_signals();

/// Waits for SIGINT or SIGTERM; returns the signal.
int wait_for_stop_signal(const sigset_t& set);

/// Returns "a, b, c".
std::string node_names(const config::cluster_config& cfg);

/// Returns a stderr logger at the config's level, named after the node.
std::shared_ptr<spdlog::logger> make_logger(const config::cluster_config& cfg,
                                            const std::string& name);

/// Returns the shards each node owns (by `actors::placement_of`).
std::map<std::string, std::vector<std::uint32_t>>
shard_placement(const config::cluster_config& cfg);

/// Returns every node of `cfg` as down (nobody answered).
actors::cluster_status unreachable_status(const config::cluster_config& cfg);

/// Returns the `troupe status --json` document; `error` is added when set.
nlohmann::ordered_json status_json(const actors::cluster_status& st,
                                   const std::string& error);

/// Prints the status as a table.
void print_status(const actors::cluster_status& st);

} // namespace troupe::app
