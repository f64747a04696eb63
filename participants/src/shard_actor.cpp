// The storage shard actor: unpacks messages and calls shard_state.
#include "troupe/participants/shard.hpp"

#include <caf/actor_cast.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "shard_state.hpp"

namespace troupe::participants {

namespace {

using namespace troupe::actors;

struct shard_actor_state {
  std::unique_ptr<shard_state> core;
  static inline const char* name = "troupe.shard";
};

using self_ptr = shard_actor::stateful_pointer<shard_actor_state>;

/// Hands a finished write back to the actor: a weak handle, so pending
/// writes do not keep a stopped actor alive; a write that finishes after
/// the actor is gone is dropped (its requester sees the actor down).
shard_state::post_fn make_post(self_ptr self, handoff to_actor) {
  auto weak = caf::actor_cast<caf::weak_actor_ptr>(self);
  return [weak, to_actor = std::move(to_actor)](std::uint64_t token, vote v) {
    to_actor(weak, caf::make_message(durable_atom::value, token, std::move(v)));
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

shard_state::reply_fn vote_reply(caf::typed_response_promise<vote> rp) {
  return [rp](const vote& v) mutable { rp.deliver(v); };
}

shard_actor::behavior_type shard_behavior(self_ptr self, mvcc::store* db,
                                          shard_id shard, shard_options opts) {
  self->state.core = std::make_unique<shard_state>(
    *db, shard, make_post(self, std::move(opts.handoff)));
  auto& core = *self->state.core;
  return {
    [&core](const read_request& req) -> caf::result<read_reply> {
      auto r = core.read(req);
      if (!r) return std::move(r.error());
      return std::move(*r);
    },
    [&core](const scan_request& req) -> caf::result<scan_reply> {
      auto r = core.scan(req);
      if (!r) return std::move(r.error());
      return std::move(*r);
    },
    [self, &core](const prepare_request& req) -> caf::result<vote> {
      auto rp = self->make_response_promise<vote>();
      core.prepare(req, vote_reply(rp));
      return rp;
    },
    [self, &core](const commit_request& req) -> caf::result<ack> {
      auto rp = self->make_response_promise<ack>();
      core.commit(req, ack_reply(rp));
      return rp;
    },
    [self, &core](const abort_request& req) -> caf::result<ack> {
      auto rp = self->make_response_promise<ack>();
      core.abort(req, ack_reply(rp));
      return rp;
    },
    [self, &core](const one_phase_request& req) -> caf::result<vote> {
      auto rp = self->make_response_promise<vote>();
      core.one_phase(req, vote_reply(rp));
      return rp;
    },
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
  };
}

} // namespace

shard_actor spawn_shard(caf::actor_system& sys, mvcc::store& db, shard_id shard,
                        shard_options opts) {
  return sys.spawn(shard_behavior, &db, shard, std::move(opts));
}

} // namespace troupe::participants
