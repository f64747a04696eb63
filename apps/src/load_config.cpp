#include "load_config.hpp"

#include <csignal>
#include <iostream>

#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "troupe/actors/directory.hpp"
#include "troupe/config/config_error.hpp"
#include "troupe/config/load.hpp"

namespace troupe::app {

sigset_t block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

int wait_for_stop_signal(const sigset_t& set) {
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

std::optional<config::cluster_config>
load_config_or_report(const std::string& path) {
  try {
    return config::load_file(path);
  } catch (const config::config_error& e) {
    std::cerr << e.what() << '\n';
    return std::nullopt;
  }
}

std::string node_names(const config::cluster_config& cfg) {
  std::string out;
  for (const auto& n : cfg.nodes)
    out += (out.empty() ? "" : ", ") + n.name;
  return out;
}

std::shared_ptr<spdlog::logger> make_logger(const config::cluster_config& cfg,
                                            const std::string& name) {
  auto log = spdlog::stderr_color_mt("troupe." + name);
  log->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  log->set_level(spdlog::level::from_str(cfg.log.level));
  log->flush_on(spdlog::level::info);
  return log;
}

std::map<std::string, std::vector<std::uint32_t>>
shard_placement(const config::cluster_config& cfg) {
  std::map<std::string, std::vector<std::uint32_t>> out;
  auto placement = actors::placement_of(cfg);
  if (!placement) return out;
  for (const auto& n : cfg.nodes)
    out[n.name] = placement->shards_of(n.name);
  return out;
}

actors::cluster_status unreachable_status(const config::cluster_config& cfg) {
  actors::cluster_status st;
  st.cluster = cfg.name;
  auto shards = shard_placement(cfg);
  for (const auto& n : cfg.nodes) {
    actors::node_status down;
    down.name = n.name;
    down.state = "down";
    down.address = n.address();
    down.shards = shards[n.name];
    st.nodes.push_back(std::move(down));
  }
  return st;
}

nlohmann::ordered_json status_json(const actors::cluster_status& st,
                                   const std::string& error) {
  using json = nlohmann::ordered_json;
  json nodes = json::array();
  for (const auto& n : st.nodes) {
    json node{{"name", n.name},         {"state", n.state},
              {"address", n.address},   {"shards", n.shards},
              {"uptime_s", n.uptime_s}, {"incarnation", n.incarnation}};
    // null: the node could not be asked (down or unreachable).
    json in_doubt = n.in_doubt_known ? json::array() : json(nullptr);
    for (const auto& d : n.in_doubt)
      in_doubt.push_back({{"txn", d.txn},
                          {"age_s", d.age_s},
                          {"shard", d.shard},
                          {"coordinator", d.coordinator}});
    node["in_doubt"] = in_doubt;
    // How many nodes this node itself sees up (views differ while
    // membership converges); null: not asked.
    node["sees_up"] = n.sees_up < 0 ? json(nullptr) : json(n.sees_up);
    nodes.push_back(std::move(node));
  }
  json out{
    {"cluster", st.cluster},
    {"observer", st.observer.empty() ? json(nullptr) : json(st.observer)},
    {"nodes", nodes},
    {"dropped_messages", st.dropped_messages}};
  if (!error.empty()) out["error"] = error;
  return out;
}

void print_status(const actors::cluster_status& st) {
  fmt::print("cluster {} as seen from {}\n", st.cluster, st.observer);
  fmt::print("{:<12} {:<6} {:<21} {:>10} {:>7} {:>9}\n", "NODE", "STATE",
             "ADDRESS", "UPTIME_S", "SHARDS", "IN_DOUBT");
  for (const auto& n : st.nodes)
    fmt::print("{:<12} {:<6} {:<21} {:>10.1f} {:>7} {:>9}\n", n.name, n.state,
               n.address, n.uptime_s, n.shards.size(),
               n.in_doubt_known ? std::to_string(n.in_doubt.size()) : "-");
  for (const auto& n : st.nodes)
    for (const auto& d : n.in_doubt)
      fmt::print("in doubt on {}: txn {} (shard {}, coordinator {}) for "
                 "{:.1f} s\n",
                 n.name, d.txn, d.shard, d.coordinator, d.age_s);
}

} // namespace troupe::app
