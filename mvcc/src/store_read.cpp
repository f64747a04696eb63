// Snapshot reads: get and scan. A read first records its timestamp (so a
// later one-phase commit cannot slip a version under it), then checks the
// in-flight latches, then the durable intents and versions; that order is
// what makes in-flight writes visible as locks (docs/mvcc.md, "Reads").
#include <rocksdb/iterator.h>

#include "key_codec.hpp"
#include "store_impl.hpp"

namespace troupe::mvcc {

namespace {

/// A latched key's error: locked, naming the user key.
error latched_error(const latch_table::conflict& c) {
  auto decoded = codec::decode(c.key, false);
  return locked_error(decoded ? decoded->user_key : c.key, c.by.txn,
                      c.by.visible_from);
}

} // namespace

result<std::optional<std::string>>
store::impl::get(shard_id shard, const std::string& key, timestamp ts) {
  if (auto st = check_key(key); !st) return st.error();
  if (auto st = check_snapshot(ts); !st) return st.error();
  note_read(shard, ts);
  auto lock_key = codec::lock_key(shard, key);
  if (auto h = latches_.find(lock_key, ts))
    return locked_error(key, h->txn, h->visible_from);
  auto lock = read_lock(shard, key);
  if (!lock) return lock.error();
  if (*lock && (*lock)->start_ts <= ts)
    return locked_error(key, (*lock)->txn, (*lock)->start_ts);
  // The newest version, if the cache holds it and it is visible at ts;
  // else (an older snapshot, a key not in the cache) the versions family.
  auto seen = versions_->find(lock_key);
  if (seen.newest && seen.newest->commit_ts <= ts) {
    if (auto st = check_snapshot(ts); !st) return st.error();
    if (seen.newest->tombstone) return std::optional<std::string>{};
    return std::optional<std::string>{std::move(seen.newest->value)};
  }
  auto found = read_version(shard, key, ts);
  if (!found) return found.error();
  if (auto st = check_snapshot(ts); !st) return st.error();
  if (!*found || (*found)->record.tombstone())
    return std::optional<std::string>{};
  return std::optional<std::string>{
    std::move(*(*found)->record.mutable_value())};
}

result<std::vector<key_value>>
store::impl::scan(shard_id shard, const key_range& range, timestamp ts,
                  std::size_t limit, std::size_t max_bytes) {
  // A bound may be one byte longer than a key: the successor of a key (the
  // key and a zero byte) starts the page after it.
  for (const auto* bound : {&range.begin, &range.end})
    if (bound->size() > opts_.max_key_bytes + 1)
      if (auto st = check_key(*bound); !st) return st.error();
  if (auto st = check_snapshot(ts); !st) return st.error();
  note_read(shard, ts);
  auto lo = codec::range_bound(shard, range.begin);
  auto hi = range.end.empty() ? codec::shard_end(shard)
                              : codec::range_bound(shard, range.end);
  if (auto c = latches_.find_in_range(lo, hi, ts)) return latched_error(*c);

  // Versions and transaction records from one snapshot, so a commit
  // (which writes the versions and resolves the record atomically) is seen
  // entirely or not at all; and the keys that may hold an intent taken at
  // the same instant (under the index's lock): a prepare indexes its keys
  // before its write, a commit or abort unindexes them after its write, so
  // every intent in the snapshot is among them.
  std::vector<std::pair<std::string, txn_id>> intents;
  std::optional<snapshot_guard> snap;
  {
    std::lock_guard<std::mutex> guard{intents_mtx_};
    if (auto st = unknown_intents_locked(shard); !st) return st.error();
    intents = intents_in_locked(lo, hi);
    snap.emplace(*db_);
  }
  auto ro = iteration_options();
  ro.snapshot = snap->get();
  rocksdb::Slice hi_slice{hi};
  if (!hi.empty()) ro.iterate_upper_bound = &hi_slice;

  // Fails with `locked` if an intent below `upto` (empty: the range's end)
  // is visible at the snapshot.
  auto blocking_intent = [&](const std::string& upto) -> status {
    for (const auto& [lock_key, txn] : intents) {
      if (!upto.empty() && lock_key >= upto) break;
      auto decoded = codec::decode(lock_key, false);
      if (!decoded)
        return key_error(errc::corrupt_record, lock_key,
                         "malformed intent key");
      auto lock = confirm_intent(shard, decoded->user_key, txn, snap->get());
      if (!lock) return lock.error();
      if (*lock && (*lock)->start_ts <= ts)
        return locked_error(decoded->user_key, (*lock)->txn, (*lock)->start_ts);
    }
    return {};
  };
  // Without a limit or budget every intent in the range matters: check
  // them first, so a scan that must wait for a lock does not read its rows
  // in vain.
  bool bounded = limit != 0 || max_bytes != 0;
  if (!bounded)
    if (auto st = blocking_intent(hi); !st) return st.error();

  std::vector<key_value> rows;
  std::size_t bytes = 0;
  auto full = [&] {
    return (limit != 0 && rows.size() >= limit) ||
           (max_bytes != 0 && bytes >= max_bytes);
  };
  std::unique_ptr<rocksdb::Iterator> it{
    db_->NewIterator(ro, cf(family::versions))};
  // Versions of a key are adjacent, newest first, and most keys have only
  // a few: step over the ones to skip with Next(), which costs a fraction
  // of a Seek() in a large memtable (a Seek descends the skip list from
  // its top), and seek only past a long run of them. 16 steps against 4
  // cut the bank audit's scan time by a quarter (bench/README.md).
  constexpr int steps_before_seek = 16;
  constexpr int probe_every = 8;
  bool seeking = false; // the last key probed had a long run of versions
  int since_probe = 0;
  it->Seek(lo);
  std::string same_key; // one buffer for the whole scan
  while (it->Valid() && !full()) {
    auto decoded = codec::decode(it->key().ToStringView(), true);
    if (!decoded)
      return key_error(errc::corrupt_record, it->key().ToString(),
                       "malformed version key");
    // shard | esc(key): what every version key of this key starts with.
    same_key.assign(it->key().data(), decoded->user_end);
    auto in_key = [&] {
      return it->Valid() && it->key().starts_with(same_key);
    };
    // The commit ts of the version at `it` (in_key() holds: the key is
    // same_key and 8 more bytes).
    auto current_ts = [&] {
      auto k = it->key().ToStringView();
      return k.size() == same_key.size() + 8
               ? ~codec::get_u64(k, same_key.size())
               : timestamp{0}; // malformed: the loop's decode reports it
    };
    if (decoded->commit_ts > ts) {
      // Newer than the snapshot: step to an older version of this key.
      int steps = 0;
      do {
        it->Next();
      } while (++steps < steps_before_seek && in_key() && current_ts() > ts);
      if (in_key() && current_ts() > ts)
        it->Seek(codec::version_key(shard, decoded->user_key, ts));
      continue;
    }
    auto rec = decode<pb::version_record>(it->value().ToStringView(),
                                          decoded->user_key, "version");
    if (!rec) return rec.error();
    if (!rec->tombstone()) {
      bytes += scan_row_bytes(decoded->user_key, rec->value());
      rows.push_back({decoded->user_key, std::move(*rec->mutable_value())});
    }
    // Older versions of this key: skip them. Keys written together tend
    // to have as many versions: once one key has more than the steps
    // allow, the next ones seek at once (the steps would be wasted), and
    // every `probe_every`th key steps again to notice when runs are short
    // again.
    if (seeking && ++since_probe < probe_every) {
      it->Seek(codec::after_versions(shard, decoded->user_key));
      continue;
    }
    since_probe = 0;
    int steps = 0;
    do {
      it->Next();
    } while (++steps < steps_before_seek && in_key());
    seeking = in_key();
    if (seeking) it->Seek(codec::after_versions(shard, decoded->user_key));
  }
  if (!it->status().ok())
    return from_status(it->status(),
                       "scan versions of shard " + std::to_string(shard));
  if (auto st = check_snapshot(ts); !st) return st.error();

  // With a limit or budget, intents matter only up to where the result
  // ends.
  if (bounded) {
    auto lock_hi = hi;
    if (full()) lock_hi = codec::after_versions(shard, rows.back().key);
    if (auto st = blocking_intent(lock_hi); !st) return st.error();
  }
  return rows;
}

} // namespace troupe::mvcc
