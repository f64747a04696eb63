#include "config_json.hpp"

#include <iostream>

#include "commands.hpp"

namespace troupe::app {

nlohmann::ordered_json to_json(const config::cluster_config& cfg) {
  using json = nlohmann::ordered_json;
  json nodes = json::array();
  for (const auto& n : cfg.nodes)
    nodes.push_back(
      {{"name", n.name},
       {"host", n.host},
       {"port", n.port},
       {"address", n.address()},
       {"data_dir", n.data_dir},
       {"weight", n.weight},
       {"scheduler_threads", cfg.effective_scheduler_threads(n)}});
  const auto& d = cfg.durability;
  const auto& t = cfg.timeouts;
  const auto& r = cfg.retry;
  const auto& l = cfg.limits;
  return json{
    {"source", cfg.source},
    {"cluster",
     {{"name", cfg.name},
      {"shards", cfg.shards},
      {"virtual_nodes", cfg.virtual_nodes},
      {"scheduler_threads", cfg.scheduler_threads},
      {"effective_scheduler_threads", cfg.effective_scheduler_threads()}}},
    {"nodes", nodes},
    {"durability",
     {{"sync", d.sync},
      {"group_commit_max_batch", d.group_commit_max_batch},
      {"group_commit_max_bytes", d.group_commit_max_bytes},
      {"timestamp_batch", d.timestamp_batch}}},
    {"gc",
     {{"interval_ms", cfg.gc.interval.count()},
      {"lifetime_ms", cfg.gc.lifetime.count()}}},
    {"timeouts",
     {{"request_ms", t.request.count()},
      {"prepare_ms", t.prepare.count()},
      {"connect_ms", t.connect.count()},
      {"heartbeat_interval_ms", t.heartbeat_interval.count()},
      {"heartbeat_timeout_ms", t.heartbeat_timeout.count()},
      {"three_phase_ms", t.three_phase.count()},
      {"lock_wait_ms", t.lock_wait.count()}}},
    {"retry",
     {{"max_attempts", r.max_attempts},
      {"initial_interval_ms", r.initial_interval.count()},
      {"multiplier", r.multiplier},
      {"max_interval_ms", r.max_interval.count()}}},
    {"limits",
     {{"max_key_bytes", l.max_key_bytes},
      {"max_value_bytes", l.max_value_bytes},
      {"max_message_bytes", l.max_message_bytes}}},
    {"log", {{"level", cfg.log.level}}},
  };
}

int report_config_error(const config::config_error& e, bool json) {
  std::cerr << e.what() << '\n';
  if (json) {
    nlohmann::ordered_json err{{"file", e.file()},
                               {"line", e.line()},
                               {"column", e.column()},
                               {"reason", e.reason()}};
    std::cout << nlohmann::ordered_json{{"error", err}}.dump(2) << '\n';
  }
  return exit_bad_input;
}

} // namespace troupe::app
