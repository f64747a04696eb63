// troupe dev [--nodes N] [--data DIR] [--once] [--json]
#include <arpa/inet.h>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <netinet/in.h>
#include <sstream>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "load_config.hpp"
#include "node_services.hpp"
#include "troupe/actors/errc.hpp"
#include "troupe/actors/node.hpp"
#include "troupe/config/config_error.hpp"
#include "troupe/config/load.hpp"

namespace troupe::app {

namespace {

struct dev_options {
  int nodes = 3;
  std::string data = "data/dev";
  bool once = false;
  bool json = false;
};

/// Returns a loopback port that was free a moment ago. The node then binds
/// it; if another process takes it in between, start fails with a clear
/// error and the user runs dev again.
std::uint16_t probe_free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

std::string dev_config_text(const dev_options& opts) {
  std::ostringstream toml;
  toml << "# Written by `troupe dev`; valid while it runs.\n"
       << "[cluster]\nname = \"dev\"\n\n"
       << "[timeouts]\nheartbeat_interval_ms = 200\n"
       << "heartbeat_timeout_ms = 1000\n\n";
  for (int i = 1; i <= opts.nodes; ++i)
    toml << "[[nodes]]\nname = \"dev" << i << "\"\nport = " << probe_free_port()
         << "\ndata_dir = \"" << opts.data << "/dev" << i << "\"\n\n";
  return toml.str();
}

bool all_up(const actors::cluster_status& st) {
  for (const auto& n : st.nodes)
    if (n.state != "up") return false;
  return true;
}

/// Waits (with a deadline) until a node reports every node up.
std::optional<actors::cluster_status>
wait_all_up(const config::cluster_config& cfg) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{15};
  while (std::chrono::steady_clock::now() < deadline) {
    auto st = actors::fetch_status(cfg, std::chrono::milliseconds{1000});
    if (st && all_up(*st)) return std::move(*st);
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  }
  return std::nullopt;
}

int run_dev(const dev_options& opts) {
  if (opts.nodes < 1 || opts.nodes > 64) {
    std::cerr << "troupe dev: --nodes must be between 1 and 64, got "
              << opts.nodes << '\n';
    return exit_bad_input;
  }
  std::error_code ec;
  std::filesystem::create_directories(opts.data, ec);
  if (ec) {
    std::cerr << "troupe dev: cannot create " << opts.data << ": "
              << ec.message() << '\n';
    return exit_bad_input;
  }
  auto path = opts.data + "/cluster.toml";
  std::ofstream{path} << dev_config_text(opts);
  auto cfg = load_config_or_report(path);
  if (!cfg)
    return exit_failure; // our own config: a bug, reported with its position
  auto signals = block_stop_signals();
  auto log = make_logger(*cfg, "dev");
  std::vector<std::unique_ptr<actors::node_runtime>> nodes;
  for (const auto& n : cfg->nodes) {
    actors::node_setup setup;
    setup.cluster = *cfg;
    setup.name = n.name;
    setup.log = log;
    auto rt = actors::node_runtime::start(std::move(setup));
    if (!rt) {
      log->error("[{}] cannot start: {}", n.name, actors::describe(rt.error()));
      return exit_failure;
    }
    if (auto err = start_node_services(**rt, *cfg, n.name, log)) {
      log->error("[{}] cannot start its services: {}", n.name,
                 actors::describe(err));
      return exit_failure;
    }
    nodes.push_back(std::move(*rt));
  }
  auto st = wait_all_up(*cfg);
  if (!st) {
    log->error("dev cluster did not come up within 15 s");
    return exit_failure;
  }
  if (opts.json)
    std::cout << status_json(*st, {}).dump(2) << '\n';
  else
    print_status(*st);
  std::cout << std::flush;
  if (opts.once) {
    // Peers seeing each other leave is expected now, not news.
    log->set_level(spdlog::level::warn);
    return exit_ok;
  }
  log->info("dev cluster of {} node(s) is up; config in {} (try: troupe "
            "status --config {}); Ctrl-C stops it",
            nodes.size(), path, path);
  wait_for_stop_signal(signals);
  log->info("stopping the dev cluster");
  log->set_level(spdlog::level::warn);
  return exit_ok;
}

} // namespace

void add_dev_command(CLI::App& app) {
  auto opts = std::make_shared<dev_options>();
  auto* dev = app.add_subcommand(
    "dev", "Run a whole local cluster in this process (one actor system per "
           "node, real remoting on loopback) until Ctrl-C");
  dev->add_option("--nodes", opts->nodes, "Number of nodes (1..64)")
    ->capture_default_str();
  dev
    ->add_option("--data", opts->data,
                 "Directory for node data and the generated cluster.toml")
    ->capture_default_str();
  dev->add_flag("--once", opts->once,
                "Stop as soon as every node is up and the status is printed");
  dev->add_flag("--json", opts->json, "Print the status as JSON");
  dev->callback([opts] { finish(run_dev(*opts)); });
}

} // namespace troupe::app
