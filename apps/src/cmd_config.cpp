// troupe config check FILE [--json]
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "commands.hpp"
#include "config_json.hpp"
#include "troupe/config/config_error.hpp"
#include "troupe/config/load.hpp"

namespace troupe::app {

namespace {

struct check_options {
  std::string file;
  bool json = false;
};

void print_text(const config::cluster_config& cfg) {
  fmt::print("{}: ok\n", cfg.source);
  fmt::print("cluster {}: {} node(s), {} shards, {} virtual nodes per weight "
             "unit\n",
             cfg.name, cfg.nodes.size(), cfg.shards, cfg.virtual_nodes);
  for (const auto& n : cfg.nodes)
    fmt::print("  node {:<12} {:<21} weight {:<3} threads {:<3} data {}\n",
               n.name, n.address(), n.weight,
               cfg.effective_scheduler_threads(n), n.data_dir);
  const auto& d = cfg.durability;
  fmt::print("durability: sync {}, group commit up to {} writes / {} bytes\n",
             d.sync ? "on" : "off", d.group_commit_max_batch,
             d.group_commit_max_bytes);
  const auto& t = cfg.timeouts;
  fmt::print("timeouts: request {} ms, prepare {} ms, connect {} ms, "
             "heartbeat every {} ms, peer down after {} ms\n",
             t.request.count(), t.prepare.count(), t.connect.count(),
             t.heartbeat_interval.count(), t.heartbeat_timeout.count());
  const auto& r = cfg.retry;
  fmt::print("retry: {} attempts, {} ms initial, x{}, {} ms max\n",
             r.max_attempts, r.initial_interval.count(), r.multiplier,
             r.max_interval.count());
  const auto& l = cfg.limits;
  fmt::print("limits: key {} B, value {} B, message {} B\n", l.max_key_bytes,
             l.max_value_bytes, l.max_message_bytes);
  fmt::print("log: {}\n", cfg.log.level);
}

int run_check(const check_options& opts) {
  try {
    auto cfg = config::load_file(opts.file);
    if (opts.json)
      std::cout << to_json(cfg).dump(2) << '\n';
    else
      print_text(cfg);
    return exit_ok;
  } catch (const config::config_error& e) {
    return report_config_error(e, opts.json);
  }
}

} // namespace

void add_config_command(CLI::App& app) {
  auto* config = app.add_subcommand("config", "Work with cluster config files");
  config->require_subcommand(1);
  auto opts = std::make_shared<check_options>();
  auto* check = config->add_subcommand(
    "check", "Validate a cluster config and print it with defaults filled in "
             "(exit 0), or print FILE:LINE:COL: reason (exit 2)");
  check->add_option("FILE", opts->file, "TOML cluster config")->required();
  check->add_flag("--json", opts->json, "Print JSON instead of text");
  check->callback([opts] { finish(run_check(*opts)); });
}

} // namespace troupe::app
