// The transaction service: starts transactions, answers in-doubt
// participants, and re-drives logged COMMIT decisions whose coordinator is
// gone (recovery after a restart).
#include <algorithm>
#include <set>
#include <unordered_map>

#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "troupe/actors/errc.hpp"
#include "troupe/actors/pass_on.hpp"
#include "troupe/coordinator/coordinator.hpp"
#include "troupe/coordinator/decision_log.hpp"

namespace troupe::coordinator {

using namespace troupe::actors;

namespace {

using service_impl = txn_service_actor::extend<caf::reacts_to<recover_atom>>;

/// A coordinator of this service, for requests addressed by id.
struct running_txn {
  transaction_actor actor;
  /// Requests passed on to it and not answered yet.
  std::shared_ptr<open_calls> calls = std::make_shared<open_calls>();
};

struct service_state {
  std::shared_ptr<const coordinator_config> cfg;
  std::unique_ptr<decision_log> log;
  /// Running coordinators by actor (their exit names the actor).
  std::map<caf::actor_addr, txn_id> live;
  /// The same coordinators by transaction id.
  std::unordered_map<txn_id, running_txn> by_id;
  std::set<txn_id> redriving; ///< COMMITs being re-sent
  static inline const char* name = "troupe.txn_service";
};

using service_self = service_impl::stateful_pointer<service_state>;

/// Whether the coordinator of `txn` runs here.
bool running(const service_state& st, txn_id txn) {
  return st.by_id.count(txn) > 0;
}

/// Passes `req`, addressed to transaction `ref` by id, to its coordinator
/// and the answer back (transaction.hpp: why clients address by id).
template <class Reply, class Request>
caf::result<Reply> pass_to_txn(service_self self, const txn_ref& ref,
                               Request req) {
  auto& st = self->state;
  auto i = st.by_id.find(ref.txn);
  if (i == st.by_id.end())
    return make_error(errc::aborted,
                      "transaction " + std::to_string(ref.txn) +
                        " is not running on this node (it committed, "
                        "aborted, timed out idle, or the node restarted)");
  return pass_on<Reply>(self, i->second.calls, i->second.actor, std::move(req));
}

/// Sends COMMIT of `d` to every participant once; erases the decision when
/// all acked. Anything else leaves it for the next sweep (bounded: one
/// attempt per participant per sweep).
void redrive(service_self self, decision d) {
  auto& st = self->state;
  st.redriving.insert(d.txn);
  struct tally {
    std::size_t left;
    bool all_acked = true;
  };
  auto t = std::make_shared<tally>(tally{d.shards.size()});
  auto finish = [=](bool acked) {
    t->all_acked = t->all_acked && acked;
    if (--t->left > 0) return;
    if (t->all_acked)
      // Not awaited: until the erase is durable a sweep may re-send the
      // COMMIT, which participants ack again (commit is idempotent).
      self->state.log->erase_async(d.txn, [](mvcc::status) {});
    self->state.redriving.erase(d.txn);
  };
  if (d.shards.empty()) return finish(true);
  // A COMMIT is one small durable write: the prepare timeout bounds it, as
  // in the coordinator's own delivery, so a participant that is down costs
  // the sweep seconds, not the request timeout.
  for (auto shard : d.shards)
    resolve_participant(self, st.cfg->resolver, st.cfg->request_timeout, shard,
                        [=](caf::expected<participant_actor> p) {
                          if (!p) return finish(false);
                          self
                            ->request(*p, self->state.cfg->prepare_timeout,
                                      commit_request{d.txn, shard, d.commit_ts})
                            .then([=](ack&) { finish(true); },
                                  [=](caf::error&) { finish(false); });
                        });
}

/// Re-drives every logged decision whose coordinator is not running here.
void sweep(service_self self) {
  auto& st = self->state;
  auto all = st.log->list();
  if (all)
    for (auto& d : *all)
      if (!running(st, d.txn) && !st.redriving.count(d.txn))
        redrive(self, std::move(d));
  self->delayed_send(self, st.cfg->recovery_interval, recover_atom::value);
}

caf::result<txn_resolution> resolve(service_self self, txn_id txn) {
  auto& st = self->state;
  auto logged = st.log->find(txn);
  if (!logged) return std::move(logged.error());
  if (*logged)
    return txn_resolution{txn, resolution::committed, (*logged)->commit_ts};
  if (running(st, txn)) return txn_resolution{txn, resolution::pending, 0};
  return txn_resolution{txn, resolution::aborted, 0};
}

service_impl::behavior_type
service_behavior(service_self self,
                 std::shared_ptr<const coordinator_config> cfg) {
  self->state.cfg = cfg;
  self->state.log = std::make_unique<decision_log>(*cfg->db);
  // The coordinators of a service before this one ended with it.
  if (cfg->running) cfg->running->clear();
  // Coordinators are linked to the service: a restarted service must not
  // answer `aborted` for a transaction an earlier incarnation still runs,
  // so they end with it. A coordinator's end (normal or not) only removes
  // it; any other exit (the supervisor's shutdown) ends the service.
  self->set_exit_handler([=](caf::exit_msg& msg) {
    auto& st = self->state;
    auto i = st.live.find(msg.source);
    if (i == st.live.end()) {
      self->quit(std::move(msg.reason));
      return;
    }
    if (st.cfg->running) st.cfg->running->remove(i->second);
    if (auto j = st.by_id.find(i->second); j != st.by_id.end()) {
      auto calls = std::move(j->second.calls);
      st.by_id.erase(j);
      calls->fail_all(make_error(caf::sec::request_receiver_down));
    }
    st.live.erase(i);
  });
  // The first sweep runs at once: what a restart left in the log.
  self->send(self, recover_atom::value);
  return {
    [=](const txn_begin& req) -> caf::result<txn_started, transaction_actor> {
      auto rp = self->make_response_promise<txn_started, transaction_actor>();
      self
        ->request(cfg->tso, cfg->request_timeout, timestamp_atom::value,
                  std::uint32_t{1})
        .then(
          [=](std::uint64_t ts) mutable {
            // The start ts is unique (never reissued), so it doubles as
            // the transaction id.
            txn_started started{ts, ts, {}};
            auto txn = spawn_transaction(self->system(), cfg, started, req);
            self->link_to(txn);
            self->state.live.emplace(txn.address(), ts);
            self->state.by_id.emplace(ts, running_txn{txn});
            if (cfg->running) cfg->running->add(ts);
            // Addressed by id, the client never sees the actor.
            auto handle = req.by_id ? transaction_actor{} : txn;
            if (req.prefetch.empty()) {
              rp.deliver(started, std::move(handle));
              return;
            }
            // The transaction's own reads (local, and every read has its
            // own timeout inside): no timer here.
            self->request(txn, caf::infinite, txn_get_many{req.prefetch})
              .then(
                [=](txn_values& v) mutable {
                  started.values = std::move(v.values);
                  rp.deliver(started, handle);
                },
                [=](caf::error& err) mutable {
                  // The client never hears of this transaction: end it.
                  caf::anon_send(txn, txn_abort{});
                  rp.deliver(std::move(err));
                });
          },
          [=](caf::error& err) mutable { rp.deliver(std::move(err)); });
      return rp;
    },
    [=](const txn_resolve& req) -> caf::result<txn_resolution> {
      return resolve(self, req.txn);
    },
    [=](recover_atom) { sweep(self); },
    [=](const txn_ref& ref, txn_get& req) {
      return pass_to_txn<read_reply>(self, ref, std::move(req));
    },
    [=](const txn_ref& ref, txn_get_many& req) {
      return pass_to_txn<txn_values>(self, ref, std::move(req));
    },
    [=](const txn_ref& ref, txn_scan& req) {
      return pass_to_txn<scan_reply>(self, ref, std::move(req));
    },
    [=](const txn_ref& ref, txn_put& req) {
      return pass_to_txn<void>(self, ref, std::move(req));
    },
    [=](const txn_ref& ref, txn_erase& req) {
      return pass_to_txn<void>(self, ref, std::move(req));
    },
    [=](const txn_ref& ref, txn_commit& req) {
      return pass_to_txn<txn_committed>(self, ref, std::move(req));
    },
    [=](const txn_ref& ref, txn_abort& req) {
      return pass_to_txn<void>(self, ref, std::move(req));
    },
  };
}

} // namespace

txn_service_actor spawn_txn_service(caf::actor_system& sys,
                                    coordinator_config cfg) {
  if (!cfg.participants)
    cfg.participants = std::make_shared<participant_cache>();
  auto shared = std::make_shared<const coordinator_config>(std::move(cfg));
  return caf::actor_cast<txn_service_actor>(
    sys.spawn(service_behavior, std::move(shared)));
}

} // namespace troupe::coordinator
