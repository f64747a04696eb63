// troupe ring owner --config FILE [--keys-from FILE|-] [--json] [KEY...]
// troupe ring simulate --nodes N --vnodes V --keys K [--shards S] [--add A]
//                      [--remove R] [--json]
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "config_json.hpp"
#include "load_config.hpp"
#include "ring_report.hpp"
#include "troupe/actors/directory.hpp"
#include "troupe/config/load.hpp"
#include "troupe/ring/placement.hpp"

namespace troupe::app {

namespace {

struct owner_options {
  std::string config;
  std::string keys_from; ///< a file, "-" for stdin, or empty
  bool json = false;
  std::vector<std::string> keys;
};

int bad_input(const std::string& message) {
  std::cerr << message << '\n';
  return exit_bad_input;
}

/// Appends one key per line of `in`; skips empty lines and a trailing '\r'.
void read_keys(std::istream& in, std::vector<std::string>& keys) {
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) keys.push_back(std::move(line));
  }
}

/// Returns an error message, or nullopt when the keys were read.
std::optional<std::string> load_keys(const std::string& source,
                                     std::vector<std::string>& keys) {
  if (source == "-") {
    read_keys(std::cin, keys);
    if (std::cin.bad()) return "troupe ring owner: cannot read keys from stdin";
    return std::nullopt;
  }
  std::ifstream in{source};
  if (!in) return source + ": cannot read keys: " + std::strerror(errno);
  read_keys(in, keys);
  if (in.bad()) return source + ": cannot read keys: " + std::strerror(errno);
  return std::nullopt;
}

int run_owner(owner_options& opts) {
  config::cluster_config cfg;
  try {
    cfg = config::load_file(opts.config);
  } catch (const config::config_error& e) {
    return report_config_error(e, opts.json);
  }
  auto placement = actors::placement_of(cfg);
  if (!placement)
    return bad_input(opts.config + ": " + placement.error().message);
  if (!opts.keys_from.empty())
    if (auto err = load_keys(opts.keys_from, opts.keys)) return bad_input(*err);
  if (opts.keys.empty())
    return bad_input("troupe ring owner: no keys: give KEY arguments or "
                     "--keys-from FILE (- for stdin)");
  for (const auto& key : opts.keys)
    if (key.size() > cfg.limits.max_key_bytes)
      return bad_input(
        fmt::format("troupe ring owner: a key of {} bytes is longer than "
                    "limits.max_key_bytes ({})",
                    key.size(), cfg.limits.max_key_bytes));
  auto rows = nlohmann::ordered_json::array();
  for (const auto& key : opts.keys) {
    auto shard = placement->shard_of(key);
    const auto& node = placement->node_of_shard(shard).name;
    if (opts.json)
      rows.push_back({{"key", key}, {"shard", shard}, {"node", node}});
    else
      fmt::print("{}\t{}\t{}\n", key, shard, node);
  }
  if (opts.json) std::cout << rows.dump(2) << '\n';
  return exit_ok;
}

struct simulate_cli {
  ring::simulate_options options;
  bool json = false;
};

int run_simulate(const simulate_cli& cli) {
  auto report = ring::simulate(cli.options);
  if (!report)
    return bad_input("troupe ring simulate: --" + report.error().message);
  if (cli.json)
    std::cout << to_json(*report).dump(2) << '\n';
  else
    print_text(*report);
  return exit_ok;
}

void add_owner(CLI::App& ring_cmd) {
  auto opts = std::make_shared<owner_options>();
  auto* owner = ring_cmd.add_subcommand(
    "owner", "Print the shard and node of each key for a cluster config: one "
             "'KEY<TAB>SHARD<TAB>NODE' line per key");
  owner->add_option("--config", opts->config, "TOML cluster config")
    ->required();
  owner->add_option("--keys-from", opts->keys_from,
                    "Read keys from FILE, one per line ('-' for stdin)");
  owner->add_flag("--json", opts->json,
                  "Print a JSON list of {\"key\", \"shard\", \"node\"}");
  owner->add_option("KEY", opts->keys, "Keys to place");
  owner->callback([opts] { finish(run_owner(*opts)); });
}

void add_simulate(CLI::App& ring_cmd) {
  auto cli = std::make_shared<simulate_cli>();
  auto& o = cli->options;
  auto* sim = ring_cmd.add_subcommand(
    "simulate", "Measure load and movement of a membership change on the ring "
                "and with modulo placement, h(x) = (x mod m) + 1");
  sim->add_option("--nodes", o.nodes, "Nodes before the change (n1..nN)")
    ->required();
  sim->add_option("--vnodes", o.vnodes, "Virtual nodes per node")->required();
  sim->add_option("--keys", o.keys, "Keys to place (key-0, key-1, ...)")
    ->required();
  sim->add_option("--shards", o.shards, "Shard count")->capture_default_str();
  sim->add_option("--add", o.add, "Nodes that join")->capture_default_str();
  sim->add_option("--remove", o.remove, "Nodes that leave (the last ones)")
    ->capture_default_str();
  sim->add_flag("--json", cli->json, "Print JSON instead of a table");
  sim->callback([cli] { finish(run_simulate(*cli)); });
}

} // namespace

void add_ring_command(CLI::App& app) {
  auto* ring_cmd =
    app.add_subcommand("ring", "Consistent-hash placement of keys and shards");
  ring_cmd->require_subcommand(1);
  add_owner(*ring_cmd);
  add_simulate(*ring_cmd);
}

} // namespace troupe::app
