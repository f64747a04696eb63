// Prepare and one-phase commit: validate, latch, check conflicts, then hand
// the durable write to the group writer. The latches stay until the write
// is durable, so a concurrent prepare of the same key cannot pass its check
// in between (docs/mvcc.md, "Concurrency").
#include "key_codec.hpp"
#include "store_impl.hpp"

namespace troupe::mvcc {

namespace {

std::vector<std::string> keys_of(const std::vector<mutation>& writes) {
  std::vector<std::string> keys;
  keys.reserve(writes.size());
  for (const auto& m : writes)
    keys.push_back(m.key);
  return keys;
}

std::vector<std::string> encode_all(shard_id shard,
                                    const std::vector<std::string>& keys) {
  std::vector<std::string> out;
  out.reserve(keys.size());
  for (const auto& k : keys)
    out.push_back(codec::lock_key(shard, k));
  return out;
}

} // namespace

status store::impl::check_conflicts(shard_id shard, txn_id txn,
                                    timestamp start_ts,
                                    const std::vector<std::string>& keys,
                                    bool reads) const {
  for (const auto& key : keys) {
    auto lock = read_lock(shard, key);
    if (!lock) return lock.error();
    if (*lock && (*lock)->txn != txn)
      return locked_error(key, (*lock)->txn, (*lock)->start_ts);
    auto newest = version_above(shard, key, start_ts);
    if (!newest) return newest.error();
    if (*newest) {
      auto e = key_error(errc::write_conflict, key,
                         std::string{reads ? "read" : "written"} +
                           " key has a version committed at " +
                           std::to_string((*newest)->commit_ts) +
                           ", after start ts " + std::to_string(start_ts));
      e.ts = (*newest)->commit_ts;
      e.txn = (*newest)->record.txn_id();
      return e;
    }
  }
  return {};
}

status store::impl::reserve(reservation& hold, shard_id shard, txn_id txn,
                            timestamp start_ts, timestamp visible_from,
                            const std::vector<mutation>& writes,
                            const std::vector<std::string>& reads,
                            isolation level) {
  auto write_keys = keys_of(writes);
  const auto& read_keys =
    level == isolation::serializable ? reads : std::vector<std::string>{};
  auto encoded_writes = encode_all(shard, write_keys);
  if (auto c = latches_.try_acquire({txn, visible_from}, encoded_writes,
                                    encode_all(shard, read_keys))) {
    auto decoded = codec::decode(c->key, false);
    return locked_error(decoded ? decoded->user_key : c->key, c->by.txn,
                        c->by.visible_from);
  }
  hold.keys_ = std::move(encoded_writes);
  if (auto st = check_conflicts(shard, txn, start_ts, write_keys, false); !st)
    return st;
  if (auto st = check_conflicts(shard, txn, start_ts, read_keys, true); !st)
    return st;
  return check_snapshot(start_ts); // GC may have removed a newer tombstone
}

void store::impl::submit(write_request req, std::shared_ptr<reservation> hold,
                         completion done) {
  // Latches go before the caller hears back, so its next call on the same
  // keys does not find its own transaction's latches.
  req.done = [hold = std::move(hold),
              done = std::move(done)](status s) mutable {
    hold.reset();
    done(std::move(s));
  };
  writer_->submit(std::move(req));
}

void store::impl::submit_commit(write_request req,
                                std::vector<new_version> versions,
                                timestamp commit_ts,
                                std::shared_ptr<reservation> hold,
                                completion done) {
  // Not through submit(): the cache must be cleared before the latches go.
  req.done = [this, hold = std::move(hold),
              done = std::move(done)](status s) mutable {
    if (!s) {
      // The cache may name versions this write did not store; the bound
      // may not have landed.
      // No bound_mtx_ here: a blocking caller may run this completion
      // inside its own submit, under that mutex.
      versions_->clear(unknown_floor);
      version_bound_ = 0;
    }
    hold.reset();
    done(std::move(s));
  };
  std::lock_guard<std::mutex> guard{bound_mtx_};
  if (commit_ts > version_bound_) {
    auto bound = commit_ts + version_bound_step;
    version_bound_ = bound;
    std::string bytes;
    codec::put_u64(bytes, bound);
    req.ops.push_back({family::meta, false, version_bound_key, bytes});
  }
  for (auto& v : versions)
    versions_->put(v.lock_key, std::move(v.version));
  writer_->submit(std::move(req));
}

status store::impl::raise_version_bound(timestamp ts) {
  {
    // Held across the write, so that no commit queues a lower bound after
    // it; the write's completion takes no lock.
    std::lock_guard<std::mutex> guard{bound_mtx_};
    if (ts > version_bound_) {
      std::string bytes;
      codec::put_u64(bytes, ts);
      std::vector<write_op> ops{
        {family::meta, false, version_bound_key, bytes}};
      if (auto st = write_all(ops); !st) return st;
      version_bound_ = ts;
    }
  }
  versions_->clear(ts);
  return {};
}

void store::impl::prepare(const prepare_request& req, completion done) {
  if (auto st = check_writes(req.writes, req.reads, req.txn, req.start_ts); !st)
    return done(st);
  if (auto st = check_key(req.primary_key); !st) return done(st);
  auto latched = latch_txn(req.shard, req.txn);
  if (!latched) return done(latched.error());
  if (const auto& rec = latched->rec) {
    auto name = "txn " + std::to_string(req.txn);
    switch (rec->status()) {
    case pb::txn_record::PREPARED:
    case pb::txn_record::PRECOMMITTED:
      if (rec->start_ts() == req.start_ts) return done({}); // repeated
      return done(error{errc::invalid_argument,
                        name + " was prepared with another start ts",
                        {},
                        rec->start_ts(),
                        req.txn});
    case pb::txn_record::COMMITTED:
      return done(error{errc::txn_committed,
                        name + " is committed",
                        {},
                        rec->commit_ts(),
                        req.txn});
    default:
      return done(
        error{errc::txn_aborted, name + " was aborted", {}, 0, req.txn});
    }
  }
  auto& hold = latched->hold;
  if (auto st = reserve(*hold, req.shard, req.txn, req.start_ts, req.start_ts,
                        req.writes, req.reads, req.level);
      !st)
    return done(st);

  write_request w;
  pb::txn_record txn_rec;
  txn_rec.set_status(pb::txn_record::PREPARED);
  txn_rec.set_start_ts(req.start_ts);
  txn_rec.set_primary_key(req.primary_key);
  txn_rec.set_coordinator(req.coordinator);
  txn_rec.set_three_phase(req.three_phase);
  for (auto peer : req.peers)
    txn_rec.add_peers(peer);
  // The intents live in the record (docs/mvcc.md, "Layout"): one entry in
  // one family per prepare, instead of one per key put now and deleted by
  // the commit.
  for (const auto& m : req.writes) {
    auto* intent = txn_rec.add_writes();
    intent->set_key(m.key);
    intent->set_tombstone(!m.value.has_value());
    if (m.value) intent->set_value(*m.value);
  }
  w.ops.push_back(
    {family::txns, false, codec::txn_key(req.shard, req.txn), encode(txn_rec)});
  // Before the write: from now on readers look the keys up (the latches
  // cover them until the intents are durable).
  add_intents(hold->keys_, req.txn);
  submit(std::move(w), std::move(hold),
         indexing(req.shard, req.txn, true, {}, std::move(done)));
}

void store::impl::one_phase_commit(const one_phase_request& req,
                                   completion done) {
  if (auto st = check_writes(req.writes, req.reads, req.txn, req.start_ts); !st)
    return done(st);
  if (req.commit_ts <= req.start_ts)
    return done(error{errc::invalid_argument,
                      "commit ts must be greater than start ts",
                      {},
                      0,
                      req.txn});
  // No transaction record to read: a one-phase commit leaves none.
  auto latched = latch_txn(req.shard, req.txn, false);
  if (!latched) return done(latched.error());
  auto& hold = latched->hold;
  if (auto st = reserve(*hold, req.shard, req.txn, req.start_ts, req.commit_ts,
                        req.writes, req.reads, req.level);
      !st) {
    const auto& e = st.error();
    // Our own earlier attempt already committed every key atomically.
    if (e.code == errc::write_conflict && e.txn == req.txn &&
        e.ts == req.commit_ts)
      return done({});
    return done(e);
  }
  // Checked after latching: a read that noted its timestamp before this
  // point is refused here, one after it sees the latch (store_read.cpp).
  if (auto served = max_read(req.shard); served >= req.commit_ts)
    return done(error{errc::timestamp_too_old,
                      "a read at ts " + std::to_string(served) +
                        " was served on shard " + std::to_string(req.shard) +
                        "; commit ts must be above it",
                      {},
                      served + 1,
                      req.txn});

  write_request w;
  w.commits = 1;
  std::vector<new_version> cached;
  cached.reserve(req.writes.size());
  for (const auto& m : req.writes) {
    pb::version_record v;
    v.set_tombstone(!m.value.has_value());
    if (m.value) v.set_value(*m.value);
    v.set_txn_id(req.txn);
    v.set_start_ts(req.start_ts);
    w.ops.push_back({family::versions, false,
                     codec::version_key(req.shard, m.key, req.commit_ts),
                     encode(v)});
    cached.push_back({codec::lock_key(req.shard, m.key),
                      {req.commit_ts, req.txn, !m.value.has_value(),
                       m.value.value_or(std::string{})}});
  }
  submit_commit(std::move(w), std::move(cached), req.commit_ts, std::move(hold),
                std::move(done));
}

} // namespace troupe::mvcc
