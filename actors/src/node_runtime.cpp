#include "troupe/actors/node.hpp"

#include "troupe/actors/blocking_call.hpp"
#include "troupe/actors/errc.hpp"

#include <filesystem>
#include <optional>

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <spdlog/spdlog.h>

namespace troupe::actors {

mvcc::options store_options(const config::cluster_config& cfg,
                            const config::node_config& node) {
  mvcc::options o;
  o.path = node.data_dir + "/store";
  o.sync = cfg.durability.sync;
  o.group_commit_max_batch = cfg.durability.group_commit_max_batch;
  o.group_commit_max_bytes = cfg.durability.group_commit_max_bytes;
  o.max_key_bytes = cfg.limits.max_key_bytes;
  o.max_value_bytes = cfg.limits.max_value_bytes;
  return o;
}

void configure(caf::actor_system_config& cfg, std::uint32_t threads) {
  cfg.load<caf::io::middleman>();
  cfg.set("scheduler.max-threads", static_cast<std::size_t>(threads));
  // CAF's idle workers spin, then poll every 50 us for 500 rounds before
  // waiting on a condition variable. With several processes per core that
  // polling is most of the CPU; idle workers here wait at once after a
  // short spin. Even two 50 us sleeps per idle spell cost: 2.4 sleeps per
  // bank transfer, and 6 of 8 interleaved 20 s runs at 64 clients were
  // faster without them (bench/README.md, 2026-12-02).
  cfg.set("work-stealing.aggressive-poll-attempts", std::size_t{20});
  cfg.set("work-stealing.moderate-poll-attempts", std::size_t{0});
  add_message_types(cfg);
}

caf::expected<std::unique_ptr<node_runtime>>
node_runtime::start(node_setup setup) {
  const auto* self_cfg = setup.cluster.find_node(setup.name);
  if (self_cfg == nullptr)
    return caf::make_error(caf::sec::invalid_argument, "no node named '" +
                                                         setup.name + "' in " +
                                                         setup.cluster.source);
  auto host = self_cfg->host;
  auto port = self_cfg->port;
  auto name = setup.name;
  auto max_message = setup.cluster.limits.max_message_bytes;
  auto log = setup.log ? setup.log : spdlog::default_logger();
  std::unique_ptr<node_runtime> rt{new node_runtime};
  auto sopts = store_options(setup.cluster, *self_cfg);
  std::error_code ec;
  std::filesystem::create_directories(sopts.path, ec);
  if (ec)
    return make_error(errc::unavailable, "cannot create " + sopts.path +
                                           " for node " + name + ": " +
                                           ec.message());
  auto opened = mvcc::store::open(sopts);
  if (!opened)
    return make_error(errc::unavailable, "cannot open the store of node " +
                                           name + " at " + sopts.path + ": " +
                                           opened.error().message);
  rt->store_ = std::move(*opened);
  log->info("[{}] store at {} (sync {})", name, sopts.path,
            sopts.sync ? "on" : "off");
  configure(rt->cfg_, setup.cluster.effective_scheduler_threads(*self_cfg));
  rt->system_ = std::make_unique<caf::actor_system>(rt->cfg_);
  if (!setup.in_doubt) setup.in_doubt = std::make_shared<in_doubt_table>();
  rt->in_doubt_ = setup.in_doubt;
  rt->node_ = spawn_node(*rt->system_, std::move(setup));
  // The public port is CAF's, with a guard on every inbound byte
  // (frame_guard.hpp).
  frame_guard::options gopts;
  gopts.node = name;
  gopts.listen_host = host;
  gopts.listen_port = port;
  gopts.max_message_bytes = max_message;
  gopts.log = log;
  auto guard = frame_guard::start(*rt->system_, rt->node_, std::move(gopts));
  if (!guard) return guard.error();
  rt->guard_ = std::move(*guard);
  return rt;
}

void node_runtime::stop_on_shutdown(caf::actor service) {
  services_.push_back(std::move(service));
}

node_runtime::~node_runtime() {
  guard_.reset();
  for (auto& s : services_)
    caf::anon_send_exit(s, caf::exit_reason::user_shutdown);
  services_.clear();
  if (node_) caf::anon_send_exit(node_, caf::exit_reason::user_shutdown);
  node_ = nullptr;
  system_.reset();
  store_.reset();
}

caf::expected<caf::actor> connect_node(caf::scoped_actor& self,
                                       const config::node_config& node,
                                       std::chrono::milliseconds timeout) {
  auto mm = self->system().middleman().actor_handle();
  caf::strong_actor_ptr ptr;
  if (auto failed = call(
        self, mm, timeout,
        [&](const caf::node_id&, caf::strong_actor_ptr& p,
            const std::set<std::string>&) { ptr = std::move(p); },
        caf::connect_atom::value, node.host, node.port))
    return failed;
  if (!ptr) return make_error(errc::unavailable, "no actor published");
  return caf::actor_cast<caf::actor>(ptr);
}

namespace {

std::int32_t count_up(const cluster_status& st) {
  std::int32_t up = 0;
  for (const auto& m : st.nodes)
    up += m.state == "up" ? 1 : 0;
  return up;
}

/// Connects to `node` and asks its node actor for its status.
caf::expected<cluster_status> ask_status(caf::scoped_actor& self,
                                         const config::node_config& node,
                                         std::chrono::milliseconds timeout) {
  auto node_actor = connect_node(self, node, timeout);
  if (!node_actor) return std::move(node_actor.error());
  cluster_status result;
  if (auto err = call(
        self, *node_actor, timeout,
        [&](cluster_status& st) { result = std::move(st); },
        status_atom::value))
    return err;
  return result;
}

/// Asks every other up node for its status and copies its own entry's
/// in-doubt list and view into `st` (a node reports only its own).
void fill_in_doubt(caf::scoped_actor& self, cluster_status& st,
                   const config::cluster_config& cluster,
                   std::chrono::milliseconds timeout) {
  for (auto& n : st.nodes) {
    if (n.in_doubt_known || n.state != "up") continue;
    const auto* node = cluster.find_node(n.name);
    if (node == nullptr) continue;
    auto own = ask_status(self, *node, timeout);
    if (!own) continue; // unreachable or no answer: stays unknown
    n.sees_up = count_up(*own);
    for (auto& m : own->nodes)
      if (m.name == n.name && m.in_doubt_known) {
        n.in_doubt = std::move(m.in_doubt);
        n.in_doubt_known = true;
      }
  }
}

} // namespace

caf::expected<cluster_status>
fetch_status(const config::cluster_config& cluster,
             std::chrono::milliseconds timeout) {
  caf::actor_system_config cfg;
  configure(cfg, 1);
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  std::string tried;
  for (const auto& n : cluster.nodes) {
    auto result = ask_status(self, n, timeout);
    if (result) {
      for (auto& m : result->nodes)
        if (m.name == result->observer) m.sees_up = count_up(*result);
      fill_in_doubt(self, *result, cluster, timeout);
      return std::move(*result);
    }
    auto why = describe(result.error(), false);
    tried +=
      (tried.empty() ? "" : "; ") + n.name + " (" + n.address() + "): " + why;
  }
  return make_error(errc::unavailable, "no node of cluster '" + cluster.name +
                                         "' answered: " + tried);
}

} // namespace troupe::actors
