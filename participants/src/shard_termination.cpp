// Three-phase termination: a participant whose coordinator went silent
// gathers its peers' outcomes and carries out `plan_termination`
// (termination.hpp). Every peer call is bounded by the request timeout; a
// peer that does not answer counts as crashed.
#include <caf/actor_cast.hpp>

#include "shard_actor.hpp"
#include "termination.hpp"

namespace troupe::participants {

namespace {

using namespace troupe::actors;

/// One termination run of one transaction.
struct round {
  txn_id txn = 0;
  timestamp start_ts = 0;
  std::vector<peer_answer> answers;
  std::map<shard_id, participant_actor> handles; ///< peers that answered
  std::size_t left = 0;
};

using round_ptr = std::shared_ptr<round>;

/// Ends the run: the next sweep looks at the transaction again if it is
/// still prepared.
void done(shard_self self, txn_id txn) {
  auto i = self->state.prepared.find(txn);
  if (i != self->state.prepared.end()) i->second.asking = false;
}

/// Tells every peer that answered the outcome (not awaited: each peer
/// also terminates on its own).
template <class Request>
void tell_peers(shard_self self, const round_ptr& r, Request req) {
  for (const auto& [shard, handle] : r->handles) {
    req.shard = shard;
    self->request(handle, self->state.opts.request_timeout, req)
      .then([](ack&) {}, [](caf::error&) {});
  }
}

void commit_everywhere(shard_self self, round_ptr r, timestamp commit_ts) {
  auto& core = *self->state.core;
  core.commit(commit_request{r->txn, core.shard(), commit_ts},
              [=](const vote& v) {
                if (v.yes)
                  tell_peers(self, r, commit_request{r->txn, 0, commit_ts});
                done(self, r->txn);
              });
}

void abort_everywhere(shard_self self, round_ptr r) {
  auto& core = *self->state.core;
  core.abort(abort_request{r->txn, core.shard(), r->start_ts},
             [=](const vote& v) {
               if (v.yes)
                 tell_peers(self, r, abort_request{r->txn, 0, r->start_ts});
               done(self, r->txn);
             });
}

/// Precommits every peer of `shards`, then commits; an aborted peer
/// aborts; a busy or failing one leaves the decision to the next sweep.
void precommit_peers(shard_self self, round_ptr r, timestamp commit_ts,
                     std::vector<shard_id> shards) {
  if (shards.empty()) return commit_everywhere(self, r, commit_ts);
  struct tally {
    std::size_t left;
    bool aborted = false;
    bool retry = false;
  };
  auto t = std::make_shared<tally>(tally{shards.size()});
  auto one_done = [=] {
    if (--t->left > 0) return;
    if (t->aborted) return abort_everywhere(self, r);
    if (t->retry) return done(self, r->txn);
    commit_everywhere(self, r, commit_ts);
  };
  for (auto shard : shards) {
    self
      ->request(r->handles[shard], self->state.opts.request_timeout,
                precommit_request{r->txn, shard, commit_ts})
      .then([=](ack&) { one_done(); },
            [=](caf::error& err) {
              if (is(err, errc::aborted))
                t->aborted = true;
              else if (is(err, errc::overloaded) ||
                       is(err, errc::unavailable) ||
                       is(err, errc::invalid_argument))
                t->retry = true;
              // Anything else (timeout, gone): taken as crashed.
              one_done();
            });
  }
}

/// Every peer answered (or did not): decide from a fresh read of the own
/// state, so that a precommit that arrived meanwhile counts.
void carry_out(shard_self self, round_ptr r) {
  auto& st = self->state;
  auto i = st.prepared.find(r->txn);
  if (i == st.prepared.end()) return;
  auto own = st.core->outcome(outcome_request{r->txn, st.core->shard()});
  if (!own) return done(self, r->txn);
  auto plan = plan_termination(*own, i->second.recovered, r->answers);
  switch (plan.step) {
  case termination_step::nothing:
  case termination_step::wait:
    return done(self, r->txn);
  case termination_step::abort:
    return abort_everywhere(self, r);
  case termination_step::commit:
    return commit_everywhere(self, r, plan.commit_ts);
  case termination_step::precommit:
    break;
  }
  if (own->state == outcome_state::precommitted)
    return precommit_peers(self, r, plan.commit_ts, plan.to_precommit);
  auto& core = *st.core;
  core.precommit(precommit_request{r->txn, core.shard(), plan.commit_ts},
                 [=](const vote& v) {
                   if (!v.yes) return done(self, r->txn);
                   precommit_peers(self, r, plan.commit_ts, plan.to_precommit);
                 });
}

} // namespace

void terminate(shard_self self, txn_id txn) {
  auto& st = self->state;
  auto& s = st.prepared[txn];
  s.asking = true;
  auto r = std::make_shared<round>();
  r->txn = txn;
  r->start_ts = s.start_ts;
  r->left = s.peers.size();
  if (r->left == 0) return carry_out(self, r);
  for (auto peer : s.peers) {
    auto answered = [=](std::optional<txn_outcome> o) {
      r->answers.push_back({peer, std::move(o)});
      if (--r->left == 0) carry_out(self, r);
    };
    resolve_participant(self, st.opts.resolver, st.opts.request_timeout, peer,
                        [=](caf::expected<participant_actor> p) {
                          if (!p) return answered(std::nullopt);
                          self
                            ->request(*p, self->state.opts.request_timeout,
                                      outcome_request{txn, peer})
                            .then(
                              [=](txn_outcome& o) {
                                r->handles[peer] = *p;
                                answered(o);
                              },
                              [=](caf::error&) { answered(std::nullopt); });
                        });
  }
}

} // namespace troupe::participants
