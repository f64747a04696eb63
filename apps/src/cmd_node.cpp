// troupe node --config FILE --name NODE
// troupe status --config FILE [--json]
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <future>
#include <iostream>
#include <memory>
#include <thread>
#include <unistd.h>

#include <caf/actor_system.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "load_config.hpp"
#include "node_services.hpp"
#include "troupe/actors/errc.hpp"
#include "troupe/actors/node.hpp"
#include "troupe/failpoints/failpoints.hpp"

namespace troupe::app {

namespace {

/// How long a stopping node may take before it exits without a clean
/// shutdown.
constexpr std::chrono::seconds shutdown_deadline{10};

struct node_options {
  std::string config;
  std::string name;
};

struct status_options {
  std::string config;
  bool json = false;
  int timeout_ms = 0;
};

int run_node(const node_options& opts) {
  auto cfg = load_config_or_report(opts.config);
  if (!cfg) return exit_bad_input;
  if (cfg->find_node(opts.name) == nullptr) {
    std::cerr << cfg->source << ": no node named '" << opts.name
              << "'; nodes: " << node_names(*cfg) << '\n';
    return exit_bad_input;
  }
  auto log = make_logger(*cfg, opts.name);
  log->info("[{}] starting (pid {})", opts.name, getpid());
  auto signals = block_stop_signals();
  actors::node_setup setup;
  setup.cluster = *cfg;
  setup.name = opts.name;
  setup.log = log;
  auto rt = actors::node_runtime::start(std::move(setup));
  if (!rt) {
    log->error("[{}] cannot start: {}", opts.name,
               actors::describe(rt.error()));
    return exit_failure;
  }
  std::atomic<bool> gave_up{false};
  auto stop_self = [&gave_up](const caf::error&) {
    gave_up = true;
    kill(getpid(), SIGTERM); // wakes wait_for_stop_signal below
  };
  if (auto err = start_node_services(**rt, *cfg, opts.name, log, stop_self)) {
    log->error("[{}] cannot start its services: {}", opts.name,
               actors::describe(err));
    return exit_failure;
  }
  log->info("[{}] listening on {} (cluster {}, {} nodes)", opts.name,
            cfg->find_node(opts.name)->address(), cfg->name, cfg->nodes.size());
  int sig = wait_for_stop_signal(signals);
  if (gave_up)
    log->error("[{}] stopping: a crash loop of its services escalated",
               opts.name);
  else
    log->info("[{}] stopping on signal {}", opts.name, sig);
  int code = gave_up ? exit_failure : exit_ok;
  // Bounded: a shutdown stuck in CAF must not keep a stopped node's process
  // alive (seen once: CAF's middleman thread did not end when the node
  // stopped while still connecting to its peers). Ending the process there
  // is as safe as a crash, which the store and the protocol are built for.
  std::promise<void> stopped;
  std::thread watchdog{
    [done = stopped.get_future(), log, name = opts.name, code]() {
      if (done.wait_for(shutdown_deadline) == std::future_status::ready) return;
      log->error("[{}] did not stop within {} s; exiting without a clean "
                 "shutdown",
                 name, shutdown_deadline.count());
      log->flush();
      std::_Exit(code);
    }};
  // error: the shutdown hangs (the watchdog above ends the process).
  if (TROUPE_FAILPOINT("node.stop")) std::promise<void>{}.get_future().wait();
  rt.value().reset();
  stopped.set_value();
  watchdog.join();
  log->info("[{}] stopped", opts.name);
  return code;
}

int run_status(const status_options& opts) {
  auto cfg = load_config_or_report(opts.config);
  if (!cfg) return exit_bad_input;
  auto timeout = opts.timeout_ms > 0
                   ? std::chrono::milliseconds{opts.timeout_ms}
                   : cfg->timeouts.request;
  auto st = actors::fetch_status(*cfg, timeout);
  if (!st) {
    auto why = actors::describe(st.error());
    std::cerr << "troupe status: " << why << '\n';
    if (opts.json)
      std::cout << status_json(unreachable_status(*cfg), why).dump(2) << '\n';
    return exit_failure;
  }
  if (opts.json)
    std::cout << status_json(*st, {}).dump(2) << '\n';
  else
    print_status(*st);
  return exit_ok;
}

} // namespace

void add_node_command(CLI::App& app) {
  auto opts = std::make_shared<node_options>();
  auto* node = app.add_subcommand(
    "node", "Run one node of a cluster until SIGINT or SIGTERM");
  node->add_option("--config", opts->config, "TOML cluster config")->required();
  node->add_option("--name", opts->name, "This node's name in the config")
    ->required();
  node->callback([opts] { finish(run_node(*opts)); });
}

void add_status_command(CLI::App& app) {
  auto opts = std::make_shared<status_options>();
  auto* status = app.add_subcommand(
    "status", "Show every node's state, address, shards and uptime as seen "
              "from the first reachable node (exit 1 when none answers)");
  status->add_option("--config", opts->config, "TOML cluster config")
    ->required();
  status->add_flag("--json", opts->json, "Print JSON");
  status->add_option("--timeout-ms", opts->timeout_ms,
                     "Per-node timeout (default: timeouts.request_ms)");
  status->callback([opts] { finish(run_status(*opts)); });
}

} // namespace troupe::app
