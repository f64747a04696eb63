#include "node_services.hpp"

#include "node_gc.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "troupe/actors/directory.hpp"
#include "troupe/actors/errc.hpp"
#include "troupe/actors/supervisor.hpp"
#include "troupe/actors/transaction.hpp"
#include "troupe/coordinator/coordinator.hpp"
#include "troupe/coordinator/tso.hpp"
#include "troupe/failpoints/failpoints.hpp"
#include "troupe/mvcc/types.hpp"
#include "troupe/participants/shard.hpp"

namespace troupe::app {

namespace {

using coordinator::tso_actor;

using tso_batch = std::vector<
  std::pair<caf::typed_response_promise<std::uint64_t>, std::uint32_t>>;

struct tso_proxy_state {
  tso_actor cached; ///< the oracle last resolved; reset after an error
  /// Requests that arrived while a batch was out: the next batch.
  tso_batch pending;
  /// The batch out (the oracle being resolved, or the request at it);
  /// answered once: by the reply, an error, or the oracle going down,
  /// whichever comes first. Null: none out.
  std::shared_ptr<tso_batch> out;
  static inline const char* name = "troupe.tso_proxy";
};

using tso_proxy_actor = tso_actor::stateful_pointer<tso_proxy_state>;

void flush(tso_proxy_actor self, caf::actor node,
           std::chrono::milliseconds timeout);

/// Ends `batch` (the one out): `first` hands each request its slice,
/// in order; an error fails them all. Later answers for it are ignored.
void end_batch(tso_proxy_actor self, caf::actor node,
               std::chrono::milliseconds timeout,
               std::shared_ptr<tso_batch> batch, // by value: st.out resets
               caf::expected<std::uint64_t> first) {
  auto& st = self->state;
  if (st.out != batch) return;
  st.out = nullptr;
  if (first) {
    auto ts = *first;
    for (auto& [rp, n] : *batch) {
      rp.deliver(ts);
      ts += n;
    }
  } else {
    st.cached = nullptr;
    for (auto& [rp, n] : *batch)
      rp.deliver(first.error());
  }
  flush(self, node, timeout);
}

/// Asks the oracle for one range covering every request of batch `out`.
void ask_oracle(tso_proxy_actor self, caf::actor node,
                std::chrono::milliseconds timeout, tso_actor tso,
                std::shared_ptr<tso_batch> out) {
  std::uint32_t total = 0;
  for (const auto& [rp, n] : *out)
    total += n;
  self->request(tso, timeout, actors::timestamp_atom::value, total)
    .then(
      [=](std::uint64_t first) { end_batch(self, node, timeout, out, first); },
      [=](caf::error& err) {
        end_batch(self, node, timeout, out, std::move(err));
      });
}

/// Sends the pending requests as one batch unless one is out already.
/// Every request waits for a batch sent after it arrived, so no timestamp
/// is older than its request (the oracle's order is real-time order).
void flush(tso_proxy_actor self, caf::actor node,
           std::chrono::milliseconds timeout) {
  auto& st = self->state;
  if (st.out || st.pending.empty()) return;
  auto out = std::make_shared<tso_batch>(std::move(st.pending));
  st.pending.clear();
  st.out = out;
  if (st.cached) return ask_oracle(self, node, timeout, st.cached, out);
  self
    ->request(node, timeout, actors::resolve_atom::value, std::string{"tso"},
              std::string{"0"})
    .then(
      [=](caf::actor& found) {
        self->state.cached = caf::actor_cast<tso_actor>(found);
        // Its node dying ends the batch out at once (down handler).
        self->monitor(self->state.cached);
        ask_oracle(self, node, timeout, self->state.cached, out);
      },
      [=](caf::error& err) {
        end_batch(self, node, timeout, out, std::move(err));
      });
}

/// Forwards timestamp requests to the oracle wherever it runs: resolves
/// ("tso", "0") through the node actor, caches the handle and forgets it
/// when a request through it fails (the oracle restarted or its node is
/// down), so the next request resolves again. Concurrent requests share
/// one round trip to the oracle.
tso_actor::behavior_type tso_proxy(tso_proxy_actor self, caf::actor node,
                                   std::chrono::milliseconds timeout) {
  self->set_down_handler([=](caf::down_msg& msg) {
    auto& st = self->state;
    if (!st.cached || msg.source != st.cached.address()) return;
    if (st.out)
      end_batch(self, node, timeout, st.out,
                actors::make_error(actors::errc::unavailable,
                                   "the timestamp oracle went down"));
    st.cached = nullptr;
  });
  return {
    [=](actors::timestamp_atom, std::uint32_t n) -> caf::result<std::uint64_t> {
      auto rp = self->make_response_promise<std::uint64_t>();
      self->state.pending.emplace_back(rp, n);
      flush(self, node, timeout);
      return rp;
    },
    [](actors::durable_atom, std::uint64_t, const caf::error&) {},
  };
}

/// A child that spawns with `spawn` and registers the result as (kind, id).
actors::child_spec registered_child(
  caf::actor node, std::string kind, std::string id,
  std::function<caf::expected<caf::actor>(caf::actor_system&)> spawn) {
  actors::child_spec spec;
  spec.name = kind + "/" + id;
  spec.start = [=](caf::actor_system& sys) -> caf::expected<caf::actor> {
    auto handle = spawn(sys);
    if (handle)
      caf::anon_send(node, actors::register_atom::value, kind, id, *handle);
    return handle;
  };
  return spec;
}

coordinator::coordinator_config
txn_config(actors::node_runtime& rt, const config::cluster_config& cluster,
           const std::string& name, const ring::placement& placement,
           tso_actor tso) {
  coordinator::coordinator_config cc;
  cc.node = name;
  cc.db = &rt.store();
  cc.tso = std::move(tso);
  cc.resolver = rt.node();
  auto shared = std::make_shared<const ring::placement>(placement);
  cc.shards.count = shared->shard_count();
  cc.shards.of = [shared](const std::string& key) {
    return shared->shard_of(key);
  };
  cc.prepare_timeout = cluster.timeouts.prepare;
  cc.request_timeout = cluster.timeouts.request;
  cc.retry = cluster.retry;
  cc.max_key_bytes = cluster.limits.max_key_bytes;
  cc.max_value_bytes = cluster.limits.max_value_bytes;
  cc.max_message_bytes = cluster.limits.max_message_bytes;
  // The page size counts rows as the shards and the coordinator do.
  static_assert(config::limits_config::row_overhead_bytes ==
                mvcc::scan_row_overhead);
  cc.scan_page_bytes = cluster.limits.scan_page_bytes();
  return cc;
}

} // namespace

/// Returns an actor that watches the services' supervisor: when it ends
/// with an error (it gave up), logs it and calls `on_give_up`. Keep the
/// handle.
caf::actor watch_supervisor(caf::actor_system& sys, caf::actor sup,
                            std::shared_ptr<spdlog::logger> log,
                            std::string name,
                            std::function<void(const caf::error&)> on_give_up) {
  return sys.spawn([=](caf::event_based_actor* self) -> caf::behavior {
    self->monitor(sup);
    self->set_down_handler([=](caf::down_msg& msg) {
      if (msg.reason &&
          msg.reason != caf::make_error(caf::exit_reason::user_shutdown)) {
        log->error("[{}] its services gave up restarting ({}); stopping the "
                   "node",
                   name, actors::describe(msg.reason));
        if (on_give_up) on_give_up(msg.reason);
      }
      self->quit();
    });
    return {[](actors::recover_atom) {}}; // waits for the down message only
  });
}

caf::error start_node_services(
  actors::node_runtime& rt, const config::cluster_config& cluster,
  const std::string& name, std::shared_ptr<spdlog::logger> log,
  std::function<void(const caf::error&)> on_give_up) {
  auto placement = actors::placement_of(cluster);
  if (!placement)
    return actors::make_error(actors::errc::invalid_argument,
                              placement.error().message);
  auto& sys = rt.system();
  auto node = rt.node();
  auto* db = &rt.store();
  std::vector<actors::child_spec> children;
  auto shards = placement->shards_of(name);
  participants::shard_options sopts;
  sopts.resolver = caf::actor_cast<caf::actor>(node);
  // Recovery questions are small: the prepare timeout bounds them, so a
  // coordinator node that died costs one short wait per sweep.
  sopts.request_timeout = cluster.timeouts.prepare;
  sopts.three_phase_timeout = cluster.timeouts.three_phase;
  sopts.lock_wait = cluster.timeouts.lock_wait;
  sopts.in_doubt = rt.in_doubt();
  for (auto s : shards)
    children.push_back(registered_child(
      node, "shard", std::to_string(s),
      [db, s, sopts](caf::actor_system& sys) -> caf::expected<caf::actor> {
        // error: the shard fails to start (its supervisor retries, then
        // gives up and the node stops).
        if (TROUPE_FAILPOINT("shard.start"))
          return actors::make_error(actors::errc::internal,
                                    "fail point shard.start");
        return caf::actor_cast<caf::actor>(
          participants::spawn_shard(sys, *db, s, sopts));
      }));
  actors::directory dir{*placement, name};
  bool has_tso = dir.owns("tso", "0");
  auto batch = cluster.durability.timestamp_batch;
  if (has_tso)
    children.push_back(registered_child(
      node, "tso", "0",
      [db, batch](caf::actor_system& sys) -> caf::expected<caf::actor> {
        coordinator::tso_options topts;
        topts.batch = batch;
        auto tso = coordinator::spawn_tso(sys, *db, topts);
        if (!tso) return std::move(tso.error());
        return caf::actor_cast<caf::actor>(*tso);
      }));
  auto proxy = sys.spawn(tso_proxy, node, cluster.timeouts.request);
  rt.stop_on_shutdown(caf::actor_cast<caf::actor>(proxy));
  auto cc = txn_config(rt, cluster, name, *placement, proxy);
  auto running = std::make_shared<coordinator::running_txns>();
  cc.running = running;
  children.push_back(
    registered_child(node, "txn_service", name,
                     [cc](caf::actor_system& sys) -> caf::expected<caf::actor> {
                       return caf::actor_cast<caf::actor>(
                         coordinator::spawn_txn_service(sys, cc));
                     }));
  if (cluster.gc.interval.count() > 0) {
    gc_setup gs;
    gs.node = name;
    for (const auto& n : cluster.nodes)
      if (n.name != name) gs.peers.push_back(n.name);
    gs.db = db;
    gs.tso = proxy;
    gs.router = caf::actor_cast<caf::actor>(node);
    gs.running = running;
    gs.gc = cluster.gc;
    gs.request_timeout = cluster.timeouts.request;
    gs.log = log;
    children.push_back(registered_child(
      node, "gc", name,
      [gs](caf::actor_system& sys) -> caf::expected<caf::actor> {
        return spawn_node_gc(sys, gs);
      }));
  }
  actors::supervisor_options so;
  so.name = "services@" + name;
  auto sup = actors::spawn_supervisor(sys, so, std::move(children));
  if (!sup) return std::move(sup.error());
  rt.stop_on_shutdown(caf::actor_cast<caf::actor>(*sup));
  // Held by the runtime: an actor nobody references is collected, and
  // with it the watch.
  rt.stop_on_shutdown(watch_supervisor(sys, caf::actor_cast<caf::actor>(*sup),
                                       log, name, std::move(on_give_up)));
  log->info("[{}] serving {} shard(s){}, transaction service up", name,
            shards.size(), has_tso ? ", timestamp oracle" : "");
  return {};
}

} // namespace troupe::app
