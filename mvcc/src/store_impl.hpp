#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <rocksdb/db.h>

#include "group_writer.hpp"
#include "latch_table.hpp"
#include "records.hpp"
#include "scan_pool.hpp"
#include "troupe/mvcc/store.hpp"
#include "version_cache.hpp"

namespace troupe::mvcc {

/// Keys a prepare or one-phase commit holds until its write is durable:
/// the transaction latch and the latches of its written keys. Released on
/// destruction, i.e. when the completion that owns it is destroyed.
struct reservation {
  reservation(latch_table& table, txn_latch txn)
    : table_(table), txn_(std::move(txn)) {}
  ~reservation() { table_.release(keys_); }
  reservation(const reservation&) = delete;
  reservation& operator=(const reservation&) = delete;

  latch_table& table_;
  txn_latch txn_;
  std::vector<std::string> keys_; ///< latched encoded keys
};

/// Read options for an iterator over any family: total order. The locks
/// and txns families keep their memtables in a hash table keyed by the
/// whole key (store.cpp), and without total order an iterator over them
/// would see only the key it seeks to.
[[nodiscard]] inline rocksdb::ReadOptions iteration_options() {
  rocksdb::ReadOptions ro;
  ro.total_order_seek = true;
  return ro;
}

/// Holds a RocksDB snapshot for a scope.
class snapshot_guard {
 public:
  explicit snapshot_guard(rocksdb::DB& db) : db_(db), snap_(db.GetSnapshot()) {}
  ~snapshot_guard() { db_.ReleaseSnapshot(snap_); }
  snapshot_guard(const snapshot_guard&) = delete;
  snapshot_guard& operator=(const snapshot_guard&) = delete;
  [[nodiscard]] const rocksdb::Snapshot* get() const { return snap_; }

 private:
  rocksdb::DB& db_;
  const rocksdb::Snapshot* snap_;
};

/// The store format this code writes: 3 keeps a bound on the commit ts of
/// every version (version_bound_key); 2 keeps intents in the transaction
/// record; format 1 kept them in the locks family. Older formats are
/// migrated at open.
constexpr std::uint32_t store_format = 3;

/// The metadata family's key of the version bound: 8 bytes, big-endian, at
/// least the commit ts of every version in the store (formats >= 3).
constexpr const char* version_bound_key = "version_bound";

/// How far above a commit ts the version bound is written, so that it is
/// rewritten once per this many timestamps rather than with every commit.
/// The version cache's floor after an open is up to this much above the
/// newest version: lookups below it read the store until the timestamps
/// pass it.
constexpr timestamp version_bound_step = 4096;

/// Whether `rec` is a prepared transaction that still holds its intents
/// (PREPARED or PRECOMMITTED).
[[nodiscard]] inline bool holds_intents(const pb::txn_record& rec) {
  return rec.status() == pb::txn_record::PREPARED ||
         rec.status() == pb::txn_record::PRECOMMITTED;
}

/// The lock keys (the intent index's keys) of the intents in `rec`.
[[nodiscard]] std::vector<std::string> lock_keys_of(shard_id shard,
                                                    const pb::txn_record& rec);

/// The transaction holding an intent on a key.
struct intent_holder {
  txn_id txn = 0;
  timestamp start_ts = 0;
};

/// What a pass over transaction records found for the indexes.
struct txn_index_pass {
  /// Prepared and precommitted transactions, and unreadable records.
  std::vector<std::pair<shard_id, txn_id>> unresolved;
  /// The lock keys of each prepared or precommitted transaction.
  std::vector<std::pair<txn_id, std::vector<std::string>>> intents;
  /// Keys that name no transaction, by the shard their prefix names
  /// (nullopt: too short to name one).
  std::vector<std::pair<std::optional<shard_id>, std::string>> malformed;
  /// Keys of records that could not be decoded, by shard.
  std::vector<std::pair<std::optional<shard_id>, std::string>> unreadable;
};

/// Reads the transaction records `it` (over the txns family, or an SST of
/// it) visits from its current position on. Errors: io_error naming
/// `what`.
/// The newest commit ts among the version keys `it` (over the versions
/// family, or an SST of it) visits from the first on; 0 when there are none.
/// Errors: corrupt_record for a malformed key, io_error naming `what`.
[[nodiscard]] result<timestamp> newest_commit_ts(rocksdb::Iterator& it,
                                                 const std::string& what);

/// Writes `meta` (which must say format 3 or later) and the version bound
/// `bound` into the metadata family `cf`, in one synced write.
[[nodiscard]] rocksdb::Status
write_meta_and_bound(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* cf,
                     const pb::meta_record& meta, timestamp bound);

[[nodiscard]] result<txn_index_pass> read_txn_index(rocksdb::Iterator& it,
                                                    const std::string& what);

/// A transaction latched for resolution, with its record (if any).
struct latched_txn {
  std::shared_ptr<reservation> hold;
  std::optional<pb::txn_record> rec;
};

/// The newest version of a key at or below a timestamp.
struct found_version {
  timestamp commit_ts = 0;
  pb::version_record record;
};

/// A version a commit writes, for the version cache: the key's lock key
/// (shard | esc(key)) and the version.
struct new_version {
  std::string lock_key;
  cached_version version;
};

struct store::impl {
  ~impl();

  // -- helpers (store_impl.cpp) ---------------------------------------------
  rocksdb::ColumnFamilyHandle* cf(family f) const {
    return cfs_[static_cast<std::size_t>(f)];
  }
  [[nodiscard]] status check_key(const std::string& key) const;
  [[nodiscard]] status check_writes(const std::vector<mutation>& writes,
                                    const std::vector<std::string>& reads,
                                    txn_id txn, timestamp start_ts) const;
  /// timestamp_too_old when `ts` is below the safe point. Reads check it
  /// before and again after they read: GC raises the safe point before it
  /// deletes anything, so a read that passes the second check read nothing
  /// GC had deleted yet (a version it needs could go between the two).
  [[nodiscard]] status check_snapshot(timestamp ts) const;
  void note_read(shard_id shard, timestamp ts);
  [[nodiscard]] timestamp max_read(shard_id shard);

  /// The intent on `key` of `shard` now, if any: the index names the
  /// transactions that may hold one, their records confirm it. Errors:
  /// corrupt_record (also when the shard has a transaction record whose
  /// intents could not be read), io_error.
  [[nodiscard]] result<std::optional<intent_holder>>
  read_lock(shard_id shard, const std::string& key) const;
  /// The intent of `txn` on `key` of `shard` at `snap` (nullptr: now):
  /// there is one when its record is PREPARED or PRECOMMITTED and lists
  /// the key.
  [[nodiscard]] result<std::optional<intent_holder>>
  confirm_intent(shard_id shard, const std::string& key, txn_id txn,
                 const rocksdb::Snapshot* snap) const;
  /// Newest version with commit_ts <= ts (all when ts is the maximum).
  [[nodiscard]] result<std::optional<found_version>>
  read_version(shard_id shard, const std::string& key, timestamp ts,
               const rocksdb::Snapshot* snap = nullptr) const;
  /// The newest version of `key` if its commit ts is above `ts` (the
  /// version cache answers for hot keys and, below its floor, for the
  /// rest).
  [[nodiscard]] result<std::optional<found_version>>
  version_above(shard_id shard, const std::string& key, timestamp ts) const;
  [[nodiscard]] result<std::optional<pb::txn_record>>
  read_txn(shard_id shard, txn_id txn,
           const rocksdb::Snapshot* snap = nullptr) const;

  /// Conflict check of a prepare or one-phase commit against durable state:
  /// locked for a foreign intent on any key, write_conflict{key, ts, txn}
  /// for a version committed after start_ts.
  [[nodiscard]] status check_conflicts(shard_id shard, txn_id txn,
                                       timestamp start_ts,
                                       const std::vector<std::string>& keys,
                                       bool reads) const;

  /// Latches and conflict-checks the keys of a prepare or one-phase commit
  /// into `hold` (which holds the transaction latch). Errors: locked,
  /// write_conflict, corrupt_record, io_error.
  [[nodiscard]] status reserve(reservation& hold, shard_id shard, txn_id txn,
                               timestamp start_ts, timestamp visible_from,
                               const std::vector<mutation>& writes,
                               const std::vector<std::string>& reads,
                               isolation level);

  /// Latches transaction (shard, txn) and, if `read_record`, reads its
  /// record. Errors: busy, corrupt_record, io_error.
  [[nodiscard]] result<latched_txn> latch_txn(shard_id shard, txn_id txn,
                                              bool read_record = true);

  /// Queues `req`; its completion keeps `hold` until the write is durable.
  void submit(write_request req, std::shared_ptr<reservation> hold,
              completion done);
  /// `submit` for a commit that writes `versions` at `commit_ts`: adds
  /// the version bound to `req` when the commit ts passes it, and records
  /// the versions in the version cache before queuing. Before: a reader
  /// cannot reach the cache for these keys until the write is applied
  /// (the latches of a one-phase commit, the intents of a two-phase one
  /// stand in front of it). A failed write clears the cache with an
  /// unknown floor (its versions may be missing from the store).
  void submit_commit(write_request req, std::vector<new_version> versions,
                     timestamp commit_ts, std::shared_ptr<reservation> hold,
                     completion done);
  /// Raises the version bound to at least `ts` with a durable write, and
  /// the version cache's floor with it (before versions up to `ts` that
  /// the cache does not hold appear, e.g. an ingest).
  [[nodiscard]] status raise_version_bound(timestamp ts);

  // -- operations (store_read.cpp, store_write.cpp, store_resolve.cpp) ------
  [[nodiscard]] result<std::optional<std::string>>
  get(shard_id shard, const std::string& key, timestamp ts);
  [[nodiscard]] result<std::vector<key_value>>
  scan(shard_id shard, const key_range& range, timestamp ts, std::size_t limit,
       std::size_t max_bytes);
  void prepare(const prepare_request& req, completion done);
  void one_phase_commit(const one_phase_request& req, completion done);
  void commit(shard_id shard, txn_id txn, timestamp commit_ts, completion done);
  void precommit(shard_id shard, txn_id txn, timestamp commit_ts,
                 completion done);
  void abort(shard_id shard, txn_id txn, timestamp start_ts, completion done);
  [[nodiscard]] result<std::vector<prepared_txn>>
  list_prepared(std::optional<shard_id> shard);

  // -- the index of intents (store_impl.cpp) --------------------------------
  /// Adds (lock key, txn) for each of `lock_keys`.
  void add_intents(const std::vector<std::string>& lock_keys, txn_id txn);
  /// Removes one (lock key, txn) for each of `lock_keys`.
  void drop_intents(const std::vector<std::string>& lock_keys, txn_id txn);
  /// The indexed (lock key, txn) pairs in [lo, hi) (hi empty: to the end);
  /// the caller holds `intents_mtx_`.
  [[nodiscard]] std::vector<std::pair<std::string, txn_id>>
  intents_in_locked(const std::string& lo, const std::string& hi) const;
  /// corrupt_record when `shard` has a transaction record whose intents
  /// the index could not read; the caller holds `intents_mtx_`.
  [[nodiscard]] status unknown_intents_locked(shard_id shard) const;

  // -- the index of transaction records (store_resolve.cpp) -----------------
  /// Indexes the intents of a pass over transaction records, and the
  /// shards of its unreadable records and keys as having unknown intents
  /// (their reads fail rather than miss one).
  void index_intents(const txn_index_pass& pass);
  /// Indexes the prepared and precommitted transactions of a pass as
  /// unresolved (an unreadable record too, so that list_prepared reports
  /// it) and its malformed keys.
  void index_unresolved(const txn_index_pass& pass);
  /// `done`, after adding (`unresolved`) or removing (shard, txn) from the
  /// index and removing the `dropped` intents (lock keys) of `txn` from
  /// theirs when the write succeeded.
  [[nodiscard]] completion indexing(shard_id shard, txn_id txn, bool unresolved,
                                    std::vector<std::string> dropped,
                                    completion done);

  // -- format (store_migrate.cpp) -------------------------------------------
  /// Moves the intents of a format 1 store (one record per key in the
  /// locks family) into their transaction records and marks the store
  /// format 2, in one synced write. Errors: corrupt_record (an intent
  /// without a prepared transaction), io_error.
  [[nodiscard]] status migrate_intents(pb::meta_record meta);
  /// Writes the version bound of a format 1 or 2 store (the newest commit
  /// ts of its versions, one pass over the family) and marks it format 3,
  /// in one synced write.
  [[nodiscard]] status migrate_version_bound(pb::meta_record meta);

  // -- the index of metadata keys (store_meta.cpp) ---------------------------
  /// Adds every stored metadata key to the index: one pass at open.
  [[nodiscard]] status index_meta();
  /// `done`, after adding `key` to the index (`erased`: removing it) when
  /// the write succeeded.
  [[nodiscard]] completion meta_indexing(std::string key, bool erased,
                                         completion done);

  // -- maintenance (store_gc.cpp, store_transfer.cpp) -----------------------
  [[nodiscard]] result<gc_stats> gc(timestamp safe_point);
  [[nodiscard]] status write_all(std::vector<write_op>& ops);
  [[nodiscard]] result<std::uint64_t> export_shard(shard_id shard,
                                                   const std::string& dir);
  [[nodiscard]] status ingest_shard(shard_id shard, const std::string& dir);

  options opts_;
  std::unique_ptr<rocksdb::DB> db_;
  family_handles cfs_{};
  std::unique_ptr<group_writer> writer_;
  std::unique_ptr<scan_pool> scans_; ///< stopped first: scans read the db
  latch_table latches_;
  std::atomic<timestamp> safe_point_{0};

  /// Encoded lock keys that may hold an intent, each with the
  /// transactions that may hold it (one entry per prepare of that
  /// transaction that no commit or abort removed since): a superset of the
  /// intents in the transaction records (a prepare adds its keys before
  /// its write, a commit or abort removes them after its write, a failed
  /// prepare leaves them). The records are the durable intents; this is
  /// how a read finds which record to look at, and a key not in it has
  /// none.
  mutable std::mutex intents_mtx_;
  std::map<std::string, std::vector<txn_id>> intents_;
  /// Shards with a transaction record the index could not read (its
  /// intents are unknown), with the first such record's key; nullopt: a
  /// record too short to name its shard (every shard). Under intents_mtx_.
  std::map<std::optional<shard_id>, std::string> unknown_intents_;

  /// Transactions whose record may be PREPARED or PRECOMMITTED: a superset
  /// (an entry whose record says otherwise is dropped when listed). Written
  /// by the writer's completions, hence the mutex.
  std::mutex unresolved_mtx_;
  std::set<std::pair<shard_id, txn_id>> unresolved_;
  /// Transaction keys the index passes could not decode, by the shard
  /// their prefix names (nullopt: too short to name one); list_prepared of
  /// that shard reports them as corrupt_record.
  std::multimap<std::optional<shard_id>, std::string> malformed_txn_keys_;

  /// The metadata keys in the store (without the family's prefix), so
  /// that list_meta looks up only these: the decision log erases every
  /// record it writes, which leaves a deletion in the family until
  /// compaction, and a pass over the family would step over all of them.
  /// Changed by the writer's completions, which run in write order, so it
  /// follows the family exactly once the caller has heard back.
  std::mutex meta_mtx_;
  std::set<std::string> meta_keys_;

  /// The newest versions of recently committed keys (get and the
  /// conflict checks look there first); its floor starts at the version
  /// bound read at open.
  std::unique_ptr<version_cache> versions_;
  /// The version bound as written (or queued to be written, in write
  /// order); 0 after a failed commit write, so the next one writes it
  /// again. Raised only under bound_mtx_, which submit_commit holds while
  /// it queues, so bounds land in rising order. A failed write resets it
  /// without the mutex (its completion may run inside a submit); RocksDB
  /// refuses every write after a failed one (background error), so no
  /// later commit lands without its bound.
  std::mutex bound_mtx_;
  std::atomic<timestamp> version_bound_{0};

  std::mutex read_ts_mtx_;
  std::unordered_map<shard_id, timestamp> max_read_ts_;
};

/// Runs `start` with a completion and waits for it (blocking wrappers).
[[nodiscard]] status wait_for(const std::function<void(completion)>& start);

/// Returns locked{key, txn = holder, ts = holder's start}.
[[nodiscard]] error locked_error(const std::string& key, txn_id holder,
                                 timestamp since);

} // namespace troupe::mvcc
