// The storage shard actor: unpacks messages and calls shard_state.
#include "troupe/participants/shard.hpp"

#include <caf/actor_cast.hpp>

#include "shard_actor.hpp"
#include "troupe/actors/transaction.hpp"

namespace troupe::participants {

namespace {

using namespace troupe::actors;
using self_ptr = shard_self;

/// Hands a finished write back to the actor: a weak handle, so pending
/// writes do not keep a stopped actor alive; a write that finishes after
/// the actor is gone is dropped (its requester sees the actor down).
shard_state::post_fn make_post(self_ptr self, handoff to_actor) {
  auto weak = caf::actor_cast<caf::weak_actor_ptr>(self);
  return [weak, to_actor = std::move(to_actor)](std::uint64_t token, vote v) {
    to_actor(weak, caf::make_message(durable_atom::value, token, std::move(v)));
  };
}

/// Hands a finished scan's token back to the actor (weakly, like make_post).
shard_state::scanned_fn make_scanned(self_ptr self, handoff to_actor) {
  auto weak = caf::actor_cast<caf::weak_actor_ptr>(self);
  return [weak, to_actor = std::move(to_actor)](std::uint64_t token) {
    to_actor(weak, caf::make_message(scanned_atom::value, token));
  };
}

/// Delivers a vote as the ack of a commit or abort, or as its error.
shard_state::reply_fn ack_reply(caf::typed_response_promise<ack> rp) {
  return [rp](const vote& v) mutable {
    if (v.yes)
      rp.deliver(ack{v.txn, v.shard});
    else
      rp.deliver(v.to_error());
  };
}

/// Delivers a read's or scan's answer (run at once or after a lock wait).
template <class T>
std::function<void(caf::expected<T>)>
deliver_to(caf::typed_response_promise<T> rp) {
  return [rp](caf::expected<T> r) mutable {
    if (r)
      rp.deliver(std::move(*r));
    else
      rp.deliver(std::move(r.error()));
  };
}

shard_state::reply_fn vote_reply(caf::typed_response_promise<vote> rp) {
  return [rp](const vote& v) mutable { rp.deliver(v); };
}

/// The handler of a `Request` that `op` of the shard's core answers, at
/// once or once a write is durable or a lock wait ends, through
/// `adapt(promise)`.
template <class Reply, class Request, class Op, class Adapt>
auto answer_later(self_ptr self, shard_state& core, Op op, Adapt adapt) {
  return [self, &core, op, adapt](const Request& req) -> caf::result<Reply> {
    auto rp = self->make_response_promise<Reply>();
    (core.*op)(req, adapt(rp));
    return rp;
  };
}

/// Applies a coordinator's answer about `txn` (replies are not awaited:
/// the next sweep sees whether it took).
void apply(self_ptr self, txn_id txn, const txn_resolution& r) {
  auto& st = self->state;
  auto i = st.prepared.find(txn);
  if (i == st.prepared.end()) return;
  i->second.asking = false;
  auto shard = st.core->shard();
  auto ignore = [](const vote&) {};
  if (r.state == resolution::committed)
    st.core->commit(commit_request{txn, shard, r.commit_ts}, ignore);
  else if (r.state == resolution::aborted)
    st.core->abort(abort_request{txn, shard, i->second.start_ts}, ignore);
}

/// Asks the coordinator's node what became of `txn`.
void ask(self_ptr self, txn_id txn) {
  auto& st = self->state;
  auto& s = st.prepared[txn];
  s.asking = true;
  auto timeout = st.opts.request_timeout;
  auto give_up = [=](caf::error&) {
    // Unreachable or unknown: still in doubt; the next sweep asks again.
    auto i = self->state.prepared.find(txn);
    if (i != self->state.prepared.end()) i->second.asking = false;
  };
  self
    ->request(st.opts.resolver, timeout, resolve_atom::value,
              std::string{"txn_service"}, s.coordinator)
    .then(
      [=](caf::actor& found) {
        auto svc = caf::actor_cast<txn_service_actor>(found);
        self->request(svc, timeout, txn_resolve{txn})
          .then([=](txn_resolution& r) { apply(self, txn, r); }, give_up);
      },
      give_up);
}

/// One recovery sweep: lists prepared transactions, reports them, and asks
/// about those seen in the previous sweep too.
void sweep(self_ptr self) {
  auto& st = self->state;
  // The actor clock: the real steady clock, or the test clock.
  auto now = self->clock().now();
  auto listed = st.core->prepared();
  if (listed) {
    std::map<txn_id, shard_actor_state::seen> next;
    for (auto& p : *listed) {
      auto old = st.prepared.find(p.txn);
      if (old != st.prepared.end()) {
        auto& s = next.emplace(p.txn, std::move(old->second)).first->second;
        // Precommitted since: the wait for DoCommit starts now.
        if (s.precommit_ts != p.precommit_ts) {
          s.precommit_ts = p.precommit_ts;
          s.since = now;
        }
        continue;
      }
      shard_actor_state::seen s;
      s.coordinator = p.coordinator;
      s.start_ts = p.start_ts;
      s.since = now;
      s.three_phase = p.three_phase;
      s.peers = p.peers;
      s.precommit_ts = p.precommit_ts;
      s.recovered = !st.swept;
      next.emplace(p.txn, std::move(s));
    }
    st.prepared = std::move(next);
    st.swept = true;
    if (st.opts.in_doubt) {
      std::vector<in_doubt_table::entry> entries;
      for (const auto& [txn, s] : st.prepared)
        entries.push_back({txn, s.coordinator, s.since});
      st.opts.in_doubt->set(st.core->shard(), std::move(entries));
    }
    // Two-phase: ask the coordinator's node once a transaction was in
    // doubt for a sweep. Three-phase: terminate with the peers once the
    // coordinator was silent for the three-phase timeout.
    std::vector<std::pair<txn_id, bool>> due; // txn, three-phase
    for (const auto& [txn, s] : st.prepared) {
      auto wait =
        s.three_phase ? st.opts.three_phase_timeout : st.opts.recovery_interval;
      if (!s.asking && now - s.since >= wait)
        due.emplace_back(txn, s.three_phase);
    }
    for (auto [txn, three_phase] : due)
      if (three_phase)
        terminate(self, txn);
      else
        ask(self, txn);
  }
  self->delayed_send(self, st.opts.recovery_interval, recover_atom::value);
}

shard_actor::behavior_type shard_behavior(self_ptr self, mvcc::store* db,
                                          shard_id shard, shard_options opts) {
  shard_state::wait_fn wait;
  if (opts.lock_wait.count() > 0)
    wait = [self, after = opts.lock_wait](std::uint64_t token) {
      self->delayed_send(self, after, lock_wait_atom::value, token);
    };
  self->state.core = std::make_unique<shard_state>(
    *db, shard, make_post(self, opts.handoff), make_scanned(self, opts.handoff),
    std::move(wait));
  self->state.opts = std::move(opts);
  auto& core = *self->state.core;
  if (self->state.opts.resolver)
    self->send(self, recover_atom::value); // first sweep: what a restart left
  return {
    answer_later<read_reply, read_request>(self, core, &shard_state::read,
                                           deliver_to<read_reply>),
    answer_later<scan_reply, scan_request>(self, core, &shard_state::scan,
                                           deliver_to<scan_reply>),
    answer_later<vote, prepare_request>(self, core, &shard_state::prepare,
                                        vote_reply),
    answer_later<ack, commit_request>(self, core, &shard_state::commit,
                                      ack_reply),
    answer_later<ack, precommit_request>(self, core, &shard_state::precommit,
                                         ack_reply),
    answer_later<ack, abort_request>(self, core, &shard_state::abort,
                                     ack_reply),
    answer_later<vote, one_phase_request>(self, core, &shard_state::one_phase,
                                          vote_reply),
    [&core](const validate_request& req) -> caf::result<vote> {
      return core.validate(req);
    },
    [&core](const outcome_request& req) -> caf::result<txn_outcome> {
      auto r = core.outcome(req);
      if (!r) return std::move(r.error());
      return std::move(*r);
    },
    [&core](durable_atom, std::uint64_t token, const vote& v) {
      core.finish(token, v);
    },
    [self](recover_atom) { sweep(self); },
    [&core](lock_wait_atom, std::uint64_t token) { core.expire(token); },
    [&core](scanned_atom, std::uint64_t token) { core.scanned(token); },
  };
}

} // namespace

shard_actor spawn_shard(caf::actor_system& sys, mvcc::store& db, shard_id shard,
                        shard_options opts) {
  return sys.spawn(shard_behavior, &db, shard, std::move(opts));
}

} // namespace troupe::participants
