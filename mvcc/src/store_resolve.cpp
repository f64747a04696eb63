// Phase two (commit, abort) and the recovery queries. Outcome records stay
// until GC so that repeated and late commits and aborts are answered
// consistently.
#include <rocksdb/iterator.h>

#include "key_codec.hpp"
#include "store_impl.hpp"

namespace troupe::mvcc {

namespace {

std::string txn_name(shard_id shard, txn_id txn) {
  return "txn " + std::to_string(txn) + " of shard " + std::to_string(shard);
}

/// Commit or precommit of a transaction this shard has no record of.
error never_prepared(shard_id shard, txn_id txn) {
  return {errc::txn_not_prepared,
          txn_name(shard, txn) + " was never prepared here",
          {},
          0,
          txn};
}

/// Commit or precommit of a transaction aborted here.
error was_aborted(shard_id shard, txn_id txn) {
  return {errc::txn_aborted, txn_name(shard, txn) + " was aborted", {}, 0, txn};
}

/// Commit or precommit at another ts than the one recorded (`recorded`).
error other_commit_ts(shard_id shard, txn_id txn, timestamp recorded) {
  return {errc::invalid_argument,
          txn_name(shard, txn) + " committed at another ts",
          {},
          recorded,
          txn};
}

/// A commit (or precommit) ts must follow the start ts, and a precommitted
/// transaction commits at its precommit ts only.
status check_commit_ts(const pb::txn_record& rec, shard_id shard, txn_id txn,
                       timestamp commit_ts) {
  if (commit_ts <= rec.start_ts())
    return error{errc::invalid_argument,
                 "commit ts must be greater than start ts " +
                   std::to_string(rec.start_ts()),
                 {},
                 rec.start_ts(),
                 txn};
  if (rec.status() == pb::txn_record::PRECOMMITTED &&
      rec.commit_ts() != commit_ts)
    return error{errc::invalid_argument,
                 txn_name(shard, txn) + " is precommitted at another ts",
                 {},
                 rec.commit_ts(),
                 txn};
  return {};
}

} // namespace

result<latched_txn> store::impl::latch_txn(shard_id shard, txn_id txn,
                                           bool read_record) {
  auto hold =
    std::make_shared<reservation>(latches_, txn_latch{latches_, shard, txn});
  if (!hold->txn_.held())
    return error{errc::busy,
                 txn_name(shard, txn) + " is being handled by another call",
                 {},
                 0,
                 txn};
  if (!read_record) return latched_txn{std::move(hold), std::nullopt};
  auto rec = read_txn(shard, txn);
  if (!rec) return rec.error();
  return latched_txn{std::move(hold), std::move(*rec)};
}

void store::impl::commit(shard_id shard, txn_id txn, timestamp commit_ts,
                         completion done) {
  auto latched = latch_txn(shard, txn);
  if (!latched) return done(latched.error());
  const auto& rec = latched->rec;
  if (!rec) {
    // Prepared transactions are never collected, so a missing record at or
    // below the safe point is an outcome GC already removed.
    if (commit_ts <= safe_point_.load()) return done({});
    return done(never_prepared(shard, txn));
  }
  if (rec->status() == pb::txn_record::COMMITTED) {
    if (rec->commit_ts() == commit_ts) return done({});
    return done(other_commit_ts(shard, txn, rec->commit_ts()));
  }
  if (rec->status() == pb::txn_record::ABORTED)
    return done(was_aborted(shard, txn));
  if (auto st = check_commit_ts(*rec, shard, txn, commit_ts); !st)
    return done(st);

  write_request w;
  w.commits = 1;
  std::vector<new_version> cached;
  cached.reserve(static_cast<std::size_t>(rec->writes_size()));
  for (const auto& intent : rec->writes()) {
    pb::version_record v;
    v.set_tombstone(intent.tombstone());
    v.set_value(intent.value());
    v.set_txn_id(txn);
    v.set_start_ts(rec->start_ts());
    w.ops.push_back({family::versions, false,
                     codec::version_key(shard, intent.key(), commit_ts),
                     encode(v)});
    cached.push_back({codec::lock_key(shard, intent.key()),
                      {commit_ts, txn, intent.tombstone(), intent.value()}});
  }
  pb::txn_record out;
  out.set_status(pb::txn_record::COMMITTED);
  out.set_start_ts(rec->start_ts());
  out.set_commit_ts(commit_ts);
  out.set_primary_key(rec->primary_key());
  w.ops.push_back(
    {family::txns, false, codec::txn_key(shard, txn), encode(out)});
  submit_commit(
    std::move(w), std::move(cached), commit_ts, std::move(latched->hold),
    indexing(shard, txn, false, lock_keys_of(shard, *rec), std::move(done)));
}

void store::impl::precommit(shard_id shard, txn_id txn, timestamp commit_ts,
                            completion done) {
  auto latched = latch_txn(shard, txn);
  if (!latched) return done(latched.error());
  const auto& rec = latched->rec;
  if (!rec) return done(never_prepared(shard, txn));
  switch (rec->status()) {
  case pb::txn_record::ABORTED:
    return done(was_aborted(shard, txn));
  case pb::txn_record::COMMITTED:
  case pb::txn_record::PRECOMMITTED:
    if (rec->commit_ts() == commit_ts) return done({}); // repeated
    return done(other_commit_ts(shard, txn, rec->commit_ts()));
  default:
    break;
  }
  if (!rec->three_phase())
    return done(
      error{errc::invalid_argument,
            txn_name(shard, txn) + " was not prepared for three-phase commit",
            {},
            0,
            txn});
  if (auto st = check_commit_ts(*rec, shard, txn, commit_ts); !st)
    return done(st);
  pb::txn_record out = *rec;
  out.set_status(pb::txn_record::PRECOMMITTED);
  out.set_commit_ts(commit_ts);
  write_request w;
  w.ops.push_back(
    {family::txns, false, codec::txn_key(shard, txn), encode(out)});
  submit(std::move(w), std::move(latched->hold), std::move(done));
}

void store::impl::abort(shard_id shard, txn_id txn, timestamp start_ts,
                        completion done) {
  auto latched = latch_txn(shard, txn);
  if (!latched) return done(latched.error());
  const auto& rec = latched->rec;
  if (rec && rec->status() == pb::txn_record::ABORTED) return done({});
  if (rec && rec->status() == pb::txn_record::COMMITTED)
    return done(error{errc::txn_committed,
                      txn_name(shard, txn) + " is committed",
                      {},
                      rec->commit_ts(),
                      txn});
  write_request w;
  std::vector<std::string> dropped; // lock keys
  pb::txn_record out;
  out.set_status(pb::txn_record::ABORTED);
  out.set_start_ts(rec ? rec->start_ts() : start_ts);
  if (rec) {
    out.set_primary_key(rec->primary_key());
    dropped = lock_keys_of(shard, *rec);
  }
  w.ops.push_back(
    {family::txns, false, codec::txn_key(shard, txn), encode(out)});
  submit(std::move(w), std::move(latched->hold),
         indexing(shard, txn, false, std::move(dropped), std::move(done)));
}

std::vector<std::string> lock_keys_of(shard_id shard,
                                      const pb::txn_record& rec) {
  std::vector<std::string> out;
  out.reserve(static_cast<std::size_t>(rec.writes_size()));
  for (const auto& w : rec.writes())
    out.push_back(codec::lock_key(shard, w.key()));
  return out;
}

result<txn_index_pass> read_txn_index(rocksdb::Iterator& it,
                                      const std::string& what) {
  txn_index_pass pass;
  for (; it.Valid(); it.Next()) {
    auto key = it.key().ToStringView();
    auto id = codec::decode_txn_key(key);
    if (!id) {
      // A key too short to name its shard fails every shard.
      auto owner = key.size() >= 4
                     ? std::optional<shard_id>{codec::get_u32(key, 0)}
                     : std::nullopt;
      pass.malformed.emplace_back(owner, std::string{key});
      continue;
    }
    pb::txn_record rec;
    if (!rec.ParseFromArray(it.value().data(),
                            static_cast<int>(it.value().size()))) {
      pass.unresolved.push_back(*id);
      pass.unreadable.emplace_back(id->first, std::string{key});
      continue;
    }
    if (!holds_intents(rec)) continue;
    pass.unresolved.push_back(*id);
    pass.intents.emplace_back(id->second, lock_keys_of(id->first, rec));
  }
  if (!it.status().ok()) return from_status(it.status(), what);
  return pass;
}

void store::impl::index_intents(const txn_index_pass& pass) {
  for (const auto& [txn, lock_keys] : pass.intents)
    add_intents(lock_keys, txn);
  std::lock_guard<std::mutex> guard{intents_mtx_};
  for (const auto* list : {&pass.malformed, &pass.unreadable})
    for (const auto& [owner, key] : *list)
      unknown_intents_.emplace(owner, key);
}

void store::impl::index_unresolved(const txn_index_pass& pass) {
  std::lock_guard<std::mutex> guard{unresolved_mtx_};
  unresolved_.insert(pass.unresolved.begin(), pass.unresolved.end());
  malformed_txn_keys_.insert(pass.malformed.begin(), pass.malformed.end());
}

completion store::impl::indexing(shard_id shard, txn_id txn, bool unresolved,
                                 std::vector<std::string> dropped,
                                 completion done) {
  return [this, shard, txn, unresolved, dropped = std::move(dropped),
          done = std::move(done)](status s) {
    if (s) {
      // After the write: until now readers still looked these keys up.
      drop_intents(dropped, txn);
      std::lock_guard<std::mutex> guard{unresolved_mtx_};
      if (unresolved)
        unresolved_.emplace(shard, txn);
      else
        unresolved_.erase({shard, txn});
    }
    done(std::move(s));
  };
}

result<std::vector<prepared_txn>>
store::impl::list_prepared(std::optional<shard_id> shard) {
  std::vector<std::pair<shard_id, txn_id>> candidates;
  {
    std::lock_guard<std::mutex> guard{unresolved_mtx_};
    for (const auto& [owner, key] : malformed_txn_keys_)
      if (!owner || !shard || *owner == *shard)
        return key_error(errc::corrupt_record, key,
                         "malformed transaction key");
    auto first =
      shard ? unresolved_.lower_bound({*shard, 0}) : unresolved_.begin();
    for (auto i = first;
         i != unresolved_.end() && (!shard || i->first == *shard); ++i)
      candidates.push_back(*i);
  }
  std::vector<prepared_txn> out;
  std::vector<std::pair<shard_id, txn_id>> resolved;
  for (auto [s, txn] : candidates) {
    auto rec = read_txn(s, txn);
    if (!rec) return rec.error();
    if (!*rec || !holds_intents(**rec)) {
      // Resolved by a write that overtook the prepare's index entry.
      resolved.emplace_back(s, txn);
      continue;
    }
    const auto& r = **rec;
    prepared_txn p;
    p.shard = s;
    p.txn = txn;
    p.start_ts = r.start_ts();
    p.primary_key = r.primary_key();
    p.coordinator = r.coordinator();
    p.keys.reserve(static_cast<std::size_t>(r.writes_size()));
    for (const auto& w : r.writes())
      p.keys.push_back(w.key());
    p.three_phase = r.three_phase();
    p.peers.assign(r.peers().begin(), r.peers().end());
    if (r.status() == pb::txn_record::PRECOMMITTED)
      p.precommit_ts = r.commit_ts();
    out.push_back(std::move(p));
  }
  if (!resolved.empty()) {
    std::lock_guard<std::mutex> guard{unresolved_mtx_};
    for (const auto& id : resolved)
      unresolved_.erase(id);
  }
  return out;
}

} // namespace troupe::mvcc
