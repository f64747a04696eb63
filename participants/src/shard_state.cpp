#include "shard_state.hpp"

#include <algorithm>

#include "troupe/failpoints/failpoints.hpp"

namespace troupe::participants {

namespace {

std::vector<mvcc::mutation> to_mutations(std::vector<actors::write_op> ops) {
  std::vector<mvcc::mutation> out;
  out.reserve(ops.size());
  for (auto& op : ops)
    out.push_back({std::move(op.key), std::move(op.value)});
  return out;
}

mvcc::isolation to_isolation(actors::isolation_level level) {
  return level == actors::isolation_level::serializable
           ? mvcc::isolation::serializable
           : mvcc::isolation::snapshot;
}

caf::error wrong_shard(actors::shard_id asked, actors::shard_id mine) {
  return actors::make_error(actors::errc::invalid_argument,
                            "request for shard " + std::to_string(asked) +
                              " sent to shard " + std::to_string(mine));
}

} // namespace

shard_state::shard_state(mvcc::store& db, actors::shard_id shard, post_fn post,
                         scanned_fn scanned, wait_fn wait)
  : db_(&db), shard_(shard), post_(std::move(post)),
    scanned_(std::move(scanned)), wait_(std::move(wait)) {}

namespace {

/// A failed read attempt: the transaction it is blocked by, when `err`
/// says it is and the read may wait for it; else answers `err`.
template <class Reply>
std::optional<actors::txn_id> wait_or_fail(const mvcc::error& err,
                                           bool may_wait, const Reply& reply) {
  if (may_wait && err.code == mvcc::errc::locked && err.txn != 0)
    return err.txn;
  reply(to_error(err));
  return std::nullopt;
}

/// A scan's page from the store's rows: `truncated` (with where to resume)
/// when the limit or the byte budget ended it.
actors::scan_reply to_page(const actors::scan_request& req,
                           std::vector<mvcc::key_value> rows) {
  actors::scan_reply out;
  out.rows.reserve(rows.size());
  std::size_t bytes = 0;
  for (auto& kv : rows) {
    bytes += mvcc::scan_row_bytes(kv.key, kv.value);
    out.rows.push_back({std::move(kv.key), std::move(kv.value)});
  }
  if (req.limit != 0 && out.rows.size() > req.limit) {
    out.rows.resize(req.limit);
    out.truncated = true;
  }
  // A page that reached its budget may or may not be the last: the next
  // one tells (at worst it is empty).
  if (req.max_bytes != 0 && bytes >= req.max_bytes) out.truncated = true;
  if (out.truncated) out.resume = out.rows.back().key;
  return out;
}

} // namespace

void shard_state::read(const actors::read_request& req, read_fn reply) {
  if (req.shard != shard_) return reply(wrong_shard(req.shard, shard_));
  ++counters_.reads;
  start_read(
    [this, req, reply = std::move(reply)](std::uint64_t token, bool may_wait) {
      auto r = db_->get(shard_, req.key, req.ts);
      if (!r) return settle(token, wait_or_fail(r.error(), may_wait, reply));
      reply(actors::read_reply{std::move(*r)});
      settle(token, std::nullopt);
    });
}

void shard_state::scan(const actors::scan_request& req, scan_fn reply) {
  if (req.shard != shard_) return reply(wrong_shard(req.shard, shard_));
  ++counters_.scans;
  start_read(
    [this, req, reply = std::move(reply)](std::uint64_t token, bool may_wait) {
      using rows = mvcc::result<std::vector<mvcc::key_value>>;
      auto found = std::make_shared<std::optional<rows>>();
      reads_.at(token).on_scanned = [this, req, reply, token, may_wait, found] {
        auto& r = **found;
        if (!r) return settle(token, wait_or_fail(r.error(), may_wait, reply));
        reply(to_page(req, std::move(*r)));
        settle(token, std::nullopt);
      };
      // One row more than asked tells whether the limit cut the result.
      std::size_t limit = req.limit == 0 ? 0 : std::size_t{req.limit} + 1;
      auto range = mvcc::key_range::prefix(req.prefix);
      // The page after `after`: from its successor (the key and a zero byte).
      if (!req.after.empty() && req.after >= range.begin)
        range.begin = req.after + '\0';
      db_->scan_async(shard_, std::move(range), req.ts, limit, req.max_bytes,
                      [found, token, to_owner = scanned_](rows r) {
                        *found = std::move(r);
                        to_owner(token);
                      });
    });
}

void shard_state::scanned(std::uint64_t token) {
  auto i = reads_.find(token);
  if (i == reads_.end() || !i->second.on_scanned) return;
  auto then = std::move(i->second.on_scanned);
  i->second.on_scanned = nullptr;
  then(); // may end the read
}

void shard_state::start_read(attempt_fn attempt) {
  auto token = next_token_++;
  open_read r;
  r.attempt = std::make_shared<const attempt_fn>(std::move(attempt));
  reads_.emplace(token, std::move(r));
  this->attempt(token);
}

void shard_state::attempt(std::uint64_t token) {
  auto i = reads_.find(token);
  if (i == reads_.end()) return;
  auto run = i->second.attempt; // the attempt may erase the entry
  (*run)(token, wait_ && !i->second.expired);
}

void shard_state::settle(std::uint64_t token,
                         std::optional<actors::txn_id> blocked_by) {
  auto i = reads_.find(token);
  if (i == reads_.end()) return;
  if (!blocked_by) {
    reads_.erase(i); // answered
    return;
  }
  auto& r = i->second;
  // A scan that started to wait but whose wait ended while it ran: one
  // last attempt, which answers.
  if (r.expired) return attempt(token);
  r.holder = blocked_by;
  waiting_on_[*blocked_by].push_back(token);
  if (!r.timed) {
    r.timed = true;
    ++counters_.lock_waits;
    wait_(token);
  }
}

void shard_state::wake(actors::txn_id txn) {
  auto i = waiting_on_.find(txn);
  if (i == waiting_on_.end()) return;
  auto tokens = std::move(i->second);
  waiting_on_.erase(i);
  // Each runs again: answers, or (e.g. the prepare is now durable, or
  // another transaction's intent is next) waits again, until the same
  // deadline.
  for (auto token : tokens) {
    auto r = reads_.find(token);
    if (r == reads_.end()) continue;
    r->second.holder.reset();
    attempt(token);
  }
}

void shard_state::expire(std::uint64_t token) {
  auto i = reads_.find(token);
  if (i == reads_.end()) return;
  auto& r = i->second;
  r.expired = true;
  if (!r.holder) return; // running: settle gives it its last attempt
  if (auto w = waiting_on_.find(*r.holder); w != waiting_on_.end()) {
    auto& tokens = w->second;
    tokens.erase(std::remove(tokens.begin(), tokens.end(), token),
                 tokens.end());
    if (tokens.empty()) waiting_on_.erase(w);
  }
  r.holder.reset();
  attempt(token); // answers, locked or not
}

caf::expected<actors::txn_outcome>
shard_state::outcome(const actors::outcome_request& req) {
  if (req.shard != shard_) return wrong_shard(req.shard, shard_);
  auto r = db_->outcome(shard_, req.txn);
  if (!r) return to_error(r.error());
  actors::txn_outcome out;
  out.txn = req.txn;
  out.shard = shard_;
  out.start_ts = r->start_ts;
  out.commit_ts = r->commit_ts;
  switch (r->status) {
  case mvcc::txn_outcome::state::unknown:
    out.state = actors::outcome_state::unknown;
    break;
  case mvcc::txn_outcome::state::prepared:
    out.state = actors::outcome_state::prepared;
    break;
  case mvcc::txn_outcome::state::committed:
    out.state = actors::outcome_state::committed;
    break;
  case mvcc::txn_outcome::state::aborted:
    out.state = actors::outcome_state::aborted;
    break;
  case mvcc::txn_outcome::state::precommitted:
    out.state = actors::outcome_state::precommitted;
    break;
  }
  return out;
}

actors::vote shard_state::validate(const actors::validate_request& req) {
  if (auto no = misrouted(req.txn, req.shard)) return *no;
  auto v = to_vote(db_->validate_reads(shard_, req.txn, req.start_ts, req.keys),
                   req.txn, shard_, write_kind::prepare);
  if (!v.yes) ++counters_.votes_no;
  return v;
}

std::optional<actors::vote>
shard_state::misrouted(actors::txn_id txn, actors::shard_id shard) const {
  if (shard == shard_) return std::nullopt;
  actors::vote v;
  v.txn = txn;
  v.shard = shard;
  v.code = actors::errc::invalid_argument;
  v.reason = "request for shard " + std::to_string(shard) + " sent to shard " +
             std::to_string(shard_);
  return v;
}

mvcc::completion shard_state::track(reply_fn reply, actors::txn_id txn,
                                    write_kind kind,
                                    actors::timestamp start_ts) {
  auto token = next_token_++;
  pending_.emplace(token, pending_write{std::move(reply), txn});
  // Runs on the writer thread (or inline for early errors): computes the
  // vote from the status and the captured copies only, then posts it.
  return [post = post_, token, txn, shard = shard_, kind,
          start_ts](mvcc::status st) {
    auto v = to_vote(st, txn, shard, kind);
    // The prepare is durable, the vote not sent: error turns it into a NO
    // (the coordinator aborts and clears the intents).
    if (kind == write_kind::prepare && v.yes &&
        TROUPE_FAILPOINT("shard.after_prepare_durable")) {
      v.yes = false;
      v.code = actors::errc::internal;
      v.reason = "fail point shard.after_prepare_durable";
    }
    // A minimum at or below start ts comes from the GC safe point: a newer
    // commit ts would not help.
    if (v.min_commit_ts <= start_ts) v.min_commit_ts = 0;
    post(token, std::move(v));
  };
}

void shard_state::prepare(const actors::prepare_request& req, reply_fn reply) {
  if (auto no = misrouted(req.txn, req.shard)) return reply(*no);
  ++counters_.prepares;
  mvcc::prepare_request r;
  r.shard = shard_;
  r.txn = req.txn;
  r.start_ts = req.start_ts;
  r.writes = to_mutations(req.writes);
  r.reads = req.reads;
  r.primary_key = req.primary_key;
  r.coordinator = req.coordinator;
  r.level = to_isolation(req.isolation);
  r.three_phase = req.three_phase;
  r.peers = req.peers;
  db_->prepare_async(r, track(std::move(reply), req.txn, write_kind::prepare));
}

void shard_state::commit(const actors::commit_request& req, reply_fn reply) {
  if (auto no = misrouted(req.txn, req.shard)) return reply(*no);
  // error: the commit is refused unapplied; the coordinator retries it.
  if (TROUPE_FAILPOINT("shard.before_apply_commit")) {
    actors::vote v;
    v.txn = req.txn;
    v.shard = shard_;
    v.code = actors::errc::unavailable;
    v.reason = "fail point shard.before_apply_commit";
    return reply(v);
  }
  ++counters_.commits;
  db_->commit_async(shard_, req.txn, req.commit_ts,
                    track(std::move(reply), req.txn, write_kind::commit));
}

void shard_state::precommit(const actors::precommit_request& req,
                            reply_fn reply) {
  if (auto no = misrouted(req.txn, req.shard)) return reply(*no);
  ++counters_.precommits;
  db_->precommit_async(shard_, req.txn, req.commit_ts,
                       track(std::move(reply), req.txn, write_kind::commit));
}

void shard_state::abort(const actors::abort_request& req, reply_fn reply) {
  if (auto no = misrouted(req.txn, req.shard)) return reply(*no);
  ++counters_.aborts;
  db_->abort_async(shard_, req.txn, req.start_ts,
                   track(std::move(reply), req.txn, write_kind::abort));
}

void shard_state::one_phase(const actors::one_phase_request& req,
                            reply_fn reply) {
  if (auto no = misrouted(req.txn, req.shard)) return reply(*no);
  ++counters_.one_phase;
  mvcc::one_phase_request r;
  r.shard = shard_;
  r.txn = req.txn;
  r.start_ts = req.start_ts;
  r.commit_ts = req.commit_ts;
  r.writes = to_mutations(req.writes);
  r.reads = req.reads;
  r.level = to_isolation(req.isolation);
  db_->one_phase_commit_async(
    r, track(std::move(reply), req.txn, write_kind::one_phase, req.start_ts));
}

caf::expected<std::vector<mvcc::prepared_txn>> shard_state::prepared() {
  auto r = db_->list_prepared(shard_);
  if (!r) return to_error(r.error());
  return std::move(*r);
}

void shard_state::finish(std::uint64_t token, const actors::vote& v) {
  auto i = pending_.find(token);
  if (i == pending_.end()) return; // not ours (e.g. from a former incarnation)
  auto done = std::move(i->second);
  pending_.erase(i);
  if (!v.yes) ++counters_.votes_no;
  done.reply(v);
  // Whatever it was (prepare, commit, abort, one-phase), its latches and
  // maybe its intents are gone: the reads parked behind it look again.
  wake(done.txn);
}

} // namespace troupe::participants
