// Commit of one transaction: read-only, 1PC, 2PC with presumed abort
// (docs: design.md "Data flow of a transaction"), or 3PC (docs/recovery.md,
// "Three-phase commit").
#include <caf/actor_cast.hpp>

#include "transaction_actor.hpp"
#include "troupe/actors/errc.hpp"
#include "troupe/failpoints/failpoints.hpp"

namespace troupe::coordinator {

using namespace troupe::actors;

namespace {

/// Returns a store completion that hands the result back to the actor as
/// `(durable_atom, token, error)`; `f` then runs on the actor's thread.
/// The completion itself (writer thread) touches no actor state.
mvcc::completion on_durable(txn_self self,
                            std::function<void(const caf::error&)> f) {
  auto token = self->state.next_token++;
  self->state.durables.emplace(token, std::move(f));
  auto weak = caf::actor_cast<caf::weak_actor_ptr>(self);
  return [weak, to_actor = self->state.cfg->handoff, token](mvcc::status st) {
    caf::error err;
    if (!st)
      err =
        make_error(errc::unavailable, "decision log: " + st.error().message);
    to_actor(weak,
             caf::make_message(durable_atom::value, token, std::move(err)));
  };
}

void finish_commit(txn_self self, bool one_phase) {
  auto& st = self->state;
  st.txn->phase = txn_phase::committed;
  if (st.commit_pending) {
    st.commit_pending = false;
    st.commit_rp.deliver(
      txn_committed{st.txn->id().txn, st.commit_ts, one_phase});
  }
}

void fail_commit(txn_self self, txn_phase phase, caf::error why) {
  auto& st = self->state;
  st.txn->phase = phase;
  if (st.commit_pending) {
    st.commit_pending = false;
    st.commit_rp.deliver(std::move(why));
  }
}

caf::error as_abort(const std::string& what, const caf::error& err) {
  // The inner retry class is not the caller's: this error is aborted.
  return make_error(errc::aborted, what + ": " + describe(err, false));
}

using lim = config::limits_config;

/// The size of a participant request with `part`'s writes, and with its
/// serializable reads when `with_reads` (counted as the client counts a
/// commit's writes).
std::uint64_t request_bytes(const participant_plan& part, bool with_reads) {
  std::uint64_t bytes = lim::message_overhead_bytes;
  for (const auto& w : part.writes)
    bytes += lim::row_bytes(w.key.size(), w.value ? w.value->size() : 0);
  if (with_reads)
    for (const auto& r : part.reads)
      bytes += lim::row_bytes(r.size());
  return bytes;
}

/// Whether `part`'s writes and reads fit one request. When they do not,
/// the reads go in validate requests of their own (validate_then_decide):
/// the check in the prepare is only an early one.
bool reads_fit(txn_self self, const participant_plan& part) {
  return request_bytes(part, true) <= self->state.cfg->max_message_bytes;
}

/// `keys` in pieces that each fit one message of `max_bytes`.
std::vector<std::vector<std::string>>
in_messages(const std::vector<std::string>& keys, std::uint64_t max_bytes) {
  std::vector<std::vector<std::string>> out;
  for (std::size_t from = 0; from < keys.size();) {
    auto to = lim::keys_that_fit(keys, from, max_bytes);
    out.emplace_back(keys.begin() + static_cast<std::ptrdiff_t>(from),
                     keys.begin() + static_cast<std::ptrdiff_t>(to));
    from = to;
  }
  return out;
}

/// The shards that prepared writes.
std::vector<shard_id> writers(txn_self self) {
  std::vector<shard_id> out;
  for (const auto& [shard, part] : self->state.plan)
    if (!part.writes.empty()) out.push_back(shard);
  return out;
}

/// Sends a commit or abort to `shard` until it acks, at most
/// `retry.max_attempts` times with backoff; `done(acked)` runs once.
template <class Request>
void deliver(txn_self self, shard_id shard, Request req, std::uint32_t attempt,
             std::function<void(bool)> done) {
  auto retry = [=](const caf::error&) {
    // The shard may have restarted elsewhere in its node: resolve anew
    // (a request to the old incarnation only times out).
    forget_shard(self, shard);
    if (attempt >= self->state.cfg->retry.max_attempts) return done(false);
    after(self, self->state.delays->delay(attempt),
          [=] { deliver(self, shard, req, attempt + 1, done); });
  };
  with_shard(self, shard, [=](caf::expected<participant_actor> p) {
    if (!p) return retry(p.error());
    // A COMMIT or ABORT is one small durable write: the prepare timeout
    // bounds it, so a participant that died costs seconds, not the
    // request timeout, per attempt.
    self->request(*p, self->state.cfg->prepare_timeout, req)
      .then([=](ack&) { done(true); },
            [=](caf::error& err) {
              // invalid_argument / not_found / aborted cannot change by
              // retrying; everything else may be transient.
              if (retry_class_of(err) == retry_class::do_not_retry ||
                  is(err, errc::aborted))
                return done(false);
              retry(err);
            });
  });
}

/// Phase two after a durable COMMIT decision; erases the decision once
/// every participant acked (a participant that never acks leaves it for
/// recovery). Three-phase: DoCommit, with no decision to erase (a
/// participant that never acks commits by termination).
void send_commits(txn_self self) {
  auto& st = self->state;
  auto all_acked = std::make_shared<bool>(true);
  for (auto shard : writers(self)) {
    ++st.unacked;
    commit_request req{st.txn->id().txn, shard, st.commit_ts};
    deliver(self, shard, req, 1, [=](bool acked) {
      *all_acked = *all_acked && acked;
      if (--self->state.unacked > 0) {
        // One participant committed, others have not acked: error leaves
        // the decision for the recovery sweep, as a crash here would.
        if (acked && TROUPE_FAILPOINT("coordinator.after_some_commits_sent"))
          *all_acked = false;
        return;
      }
      if (!*all_acked || self->state.three_phase) return maybe_quit(self);
      ++self->state.unacked; // the erase is the last write we wait for
      self->state.log->erase_async(self->state.txn->id().txn,
                                   on_durable(self, [=](const caf::error&) {
                                     // A failed erase leaves a decision whose
                                     // participants all committed: recovery
                                     // re-sends COMMIT, which is harmless.
                                     --self->state.unacked;
                                     maybe_quit(self);
                                   }));
    });
  }
  maybe_quit(self);
}

/// Enters the committing phase and asks the oracle for a commit ts.
template <class OnTs, class OnError>
void take_commit_ts(txn_self self, OnTs on_ts, OnError on_error) {
  auto& st = self->state;
  st.txn->phase = txn_phase::committing;
  self
    ->request(st.cfg->tso, st.cfg->request_timeout, timestamp_atom::value,
              std::uint32_t{1})
    .then(std::move(on_ts), std::move(on_error));
}

/// Three-phase: a PreCommit failed, so abort everywhere. Participants may
/// terminate on their own once precommitted, so the client hears aborted
/// only when every participant acked the abort, else outcome_unknown.
void abort_after_precommit(txn_self self, caf::error why) {
  auto& st = self->state;
  if (st.txn->phase != txn_phase::committing) return;
  st.txn->phase = txn_phase::aborted;
  auto all_acked = std::make_shared<bool>(true);
  for (auto shard : writers(self)) {
    ++st.unacked;
    abort_request req{st.txn->id().txn, shard, st.txn->id().start_ts};
    deliver(self, shard, req, 1, [=](bool acked) {
      *all_acked = *all_acked && acked;
      if (--self->state.unacked > 0) return;
      if (*all_acked)
        fail_commit(self, txn_phase::aborted, why);
      else
        fail_commit(self, txn_phase::in_doubt,
                    make_error(errc::outcome_unknown,
                               "three-phase commit: " + describe(why, false) +
                                 "; not every participant acked the abort"));
      maybe_quit(self);
    });
  }
}

/// The coordinator stops here as if its node died (a fail point): the
/// participants terminate the transaction without it.
void go_silent(txn_self self, const char* point) {
  fail_commit(
    self, txn_phase::in_doubt,
    make_error(errc::outcome_unknown, std::string{"fail point "} + point));
  quit_now(self);
}

/// Three-phase commit after every YES (CanCommit): PreCommit at a fresh
/// commit ts on every participant; once all acked, every participant
/// would commit even without us, so the client hears committed and the
/// participants get DoCommit.
void precommit_all(txn_self self, timestamp ts) {
  auto& st = self->state;
  st.commit_ts = ts;
  // error: silent before any PreCommit (participants abort by termination).
  if (TROUPE_FAILPOINT("coordinator.before_precommit"))
    return go_silent(self, "coordinator.before_precommit");
  auto shards = writers(self);
  auto left = std::make_shared<std::size_t>(shards.size());
  bool first = true;
  for (auto shard : shards) {
    // error: silent after the first PreCommit (participants commit by
    // termination: one of them is precommitted).
    if (!first && TROUPE_FAILPOINT("coordinator.after_some_precommits_sent"))
      return go_silent(self, "coordinator.after_some_precommits_sent");
    first = false;
    precommit_request req{st.txn->id().txn, shard, ts};
    with_shard(self, shard, [=](caf::expected<participant_actor> p) {
      if (!p)
        return abort_after_precommit(self, as_abort("precommit", p.error()));
      self->request(*p, self->state.cfg->prepare_timeout, req)
        .then(
          [=](ack&) {
            if (self->state.txn->phase != txn_phase::committing) return;
            if (--*left > 0) return;
            finish_commit(self, false);
            send_commits(self);
          },
          [=](caf::error& err) {
            abort_after_precommit(
              self,
              as_abort("no precommit ack from shard " + std::to_string(shard),
                       err));
          });
    });
  }
}

/// All votes YES (and reads validated): take the commit ts, make the
/// decision durable (three-phase: precommit everywhere), then tell the
/// client and the participants.
void decide(txn_self self) {
  take_commit_ts(
    self,
    [=](std::uint64_t ts) {
      auto& st = self->state;
      if (st.three_phase) return precommit_all(self, ts);
      st.commit_ts = ts;
      decision d{st.txn->id().txn, st.txn->id().start_ts, ts, writers(self)};
      st.log->record_async(
        d, on_durable(self, [=](const caf::error& err) {
          if (err) {
            // The write failed, but may still surface after
            // a restart: neither commit nor abort is safe;
            // recovery decides.
            fail_commit(
              self, txn_phase::in_doubt,
              make_error(errc::outcome_unknown, describe(err, false)));
            return maybe_quit(self);
          }
          // error: stop here, as if the node died; the
          // service's recovery sweep sends the COMMITs.
          if (TROUPE_FAILPOINT("coordinator.after_commit_durable")) {
            fail_commit(self, txn_phase::in_doubt,
                        make_error(errc::outcome_unknown, "fail point"));
            return maybe_quit(self);
          }
          finish_commit(self, false);
          send_commits(self);
        }));
    },
    [=](caf::error& err) {
      self->state.txn->phase = txn_phase::preparing; // so abort_all runs
      abort_all(self, as_abort("no commit timestamp", err));
    });
}

/// Serializable: validates the reads of every shard after all prepares
/// succeeded, so that two transactions reading each other's writes cannot
/// both pass (the second meets the first one's intent). A shard's reads
/// that do not fit one message go in several requests.
void validate_then_decide(txn_self self) {
  auto& st = self->state;
  std::vector<std::pair<shard_id, std::vector<std::string>>> todo;
  for (const auto& [shard, part] : st.plan)
    for (auto& keys : in_messages(part.reads, st.cfg->max_message_bytes))
      todo.emplace_back(shard, std::move(keys));
  if (todo.empty()) return decide(self);
  auto left = std::make_shared<std::size_t>(todo.size());
  for (auto& [shard, keys] : todo) {
    validate_request req{st.txn->id().txn, shard, st.txn->id().start_ts,
                         std::move(keys)};
    with_shard(self, shard, [=](caf::expected<participant_actor> p) {
      if (!p) return abort_all(self, as_abort("validation", p.error()));
      self->request(*p, self->state.cfg->request_timeout, req)
        .then(
          [=](vote& v) {
            if (self->state.txn->phase != txn_phase::preparing) return;
            if (!v.yes) return abort_all(self, v.to_error());
            if (--*left == 0) decide(self);
          },
          [=](caf::error& err) {
            abort_all(self, as_abort("validation", err));
          });
    });
  }
}

void prepare_all(txn_self self) {
  auto& st = self->state;
  st.txn->phase = txn_phase::preparing;
  auto shards = writers(self);
  std::set<shard_id> voters(shards.begin(), shards.end());
  st.txn->expect_votes(voters);
  after(self, st.cfg->prepare_timeout, [=] {
    if (self->state.txn->phase == txn_phase::preparing)
      abort_all(self, make_error(errc::aborted, "prepare timeout"));
  });
  for (auto shard : voters) {
    prepare_request req;
    req.txn = st.txn->id().txn;
    req.shard = shard;
    req.start_ts = st.txn->id().start_ts;
    req.writes = st.plan[shard].writes;
    if (reads_fit(self, st.plan[shard])) req.reads = st.plan[shard].reads;
    req.isolation = st.txn->level();
    req.primary_key = st.txn->primary_key();
    req.coordinator = st.cfg->node;
    req.three_phase = st.three_phase;
    if (st.three_phase)
      for (auto peer : voters)
        if (peer != shard) req.peers.push_back(peer);
    with_shard(self, shard, [=](caf::expected<participant_actor> p) {
      auto& st = self->state;
      if (st.txn->phase != txn_phase::preparing) return;
      if (!p) return abort_all(self, as_abort("participant", p.error()));
      auto addr = caf::actor_cast<caf::actor_addr>(*p);
      st.shard_of_addr[addr] = shard;
      self->monitor(*p);
      st.prepared_to.insert(shard);
      // No timeout of its own: the phase's timer above bounds every vote
      // (one clock event per transaction instead of one per participant).
      self->request(*p, caf::infinite, req)
        .then(
          [=](vote& v) {
            if (self->state.txn->phase != txn_phase::preparing) return;
            if (!v.yes) return abort_all(self, v.to_error());
            if (self->state.txn->yes_from(shard)) validate_then_decide(self);
          },
          [=](caf::error& err) {
            abort_all(
              self,
              as_abort("no vote from shard " + std::to_string(shard), err));
          });
    });
  }
}

void one_phase(txn_self self, shard_id shard, std::uint32_t attempt) {
  take_commit_ts(
    self,
    [=](std::uint64_t ts) {
      with_shard(self, shard, [=](caf::expected<participant_actor> p) {
        if (!p) {
          fail_commit(self, txn_phase::aborted,
                      as_abort("participant", p.error()));
          return maybe_quit(self);
        }
        auto& st = self->state;
        st.commit_ts = ts;
        const auto& part = st.plan[shard];
        one_phase_request req{
          st.txn->id().txn, shard,      st.txn->id().start_ts, ts,
          part.writes,      part.reads, st.txn->level()};
        self->request(*p, st.cfg->request_timeout, req)
          .then(
            [=](vote& v) {
              if (v.yes) {
                finish_commit(self, true);
                return maybe_quit(self);
              }
              if (v.min_commit_ts != 0 &&
                  attempt < self->state.cfg->retry.max_attempts)
                return one_phase(self, shard, attempt + 1);
              fail_commit(self, txn_phase::aborted, v.to_error());
              maybe_quit(self);
            },
            [=](caf::error& err) {
              // The write may have happened: the client must read first.
              fail_commit(
                self, txn_phase::in_doubt,
                make_error(errc::outcome_unknown,
                           "one-phase commit: " + describe(err, false)));
              maybe_quit(self);
            });
      });
    },
    [=](caf::error& err) {
      fail_commit(self, txn_phase::aborted,
                  as_abort("no commit timestamp", err));
      maybe_quit(self);
    });
}

/// The error for a participant's writes larger than a node accepts in one
/// message (counted like the client counts a commit's writes), if any.
/// Serializable reads never make a commit too large: they go in as many
/// validate requests as they need.
caf::error too_large_for_a_message(txn_self self) {
  const auto& st = self->state;
  for (const auto& [shard, part] : st.plan) {
    auto bytes = request_bytes(part, false);
    if (bytes > st.cfg->max_message_bytes)
      return make_error(
        errc::too_large,
        "transaction " + std::to_string(st.txn->id().txn) + " needs about " +
          std::to_string(bytes) + " bytes for its " +
          std::to_string(part.writes.size()) + " writes on shard " +
          std::to_string(shard) + ", more than limits.max_message_bytes (" +
          std::to_string(st.cfg->max_message_bytes) +
          "): split them over several transactions");
  }
  return {};
}

} // namespace

void start_commit(txn_self self) {
  auto& st = self->state;
  if (st.txn->read_only()) {
    // Snapshot reads are consistent at start ts; nothing to write.
    st.commit_ts = st.txn->id().start_ts;
    finish_commit(self, false);
    return maybe_quit(self);
  }
  st.plan = st.txn->plan();
  // A node would drop the connection of such a request: fail before
  // anything is sent (nothing to undo).
  if (auto err = too_large_for_a_message(self)) {
    fail_commit(self, txn_phase::aborted, std::move(err));
    return maybe_quit(self);
  }
  // One shard commits in one phase when its writes and reads fit one
  // request; else its reads are validated in parts, after a prepare.
  if (st.plan.size() == 1 && reads_fit(self, st.plan.begin()->second))
    return one_phase(self, st.plan.begin()->first, 1);
  prepare_all(self);
}

void abort_all(txn_self self, caf::error why) {
  auto& st = self->state;
  auto phase = st.txn->phase;
  if (phase != txn_phase::active && phase != txn_phase::preparing) return;
  fail_commit(self, txn_phase::aborted, std::move(why));
  // Presumed abort: no log record. Tell whoever may hold intents.
  for (auto shard : st.prepared_to) {
    ++st.unacked;
    abort_request req{st.txn->id().txn, shard, st.txn->id().start_ts};
    deliver(self, shard, req, 1, [=](bool) {
      --self->state.unacked;
      maybe_quit(self);
    });
  }
  maybe_quit(self);
}

void maybe_quit(txn_self self) {
  if (self->state.unacked != 0) return;
  // Through the mailbox, so that the reply of the current request (e.g. an
  // abort) leaves before the actor ends.
  auto token = self->state.next_token++;
  self->state.timers.emplace(token, [self] { quit_now(self); });
  self->send(self, txn_timer_atom::value, token);
}

void quit_now(txn_self self) {
  for (const auto& [addr, shard] : self->state.shard_of_addr)
    self->demonitor(addr);
  self->quit();
}

} // namespace troupe::coordinator
