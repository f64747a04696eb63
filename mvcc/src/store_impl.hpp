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

  [[nodiscard]] result<std::optional<pb::lock_record>>
  read_lock(shard_id shard, const std::string& key,
            const rocksdb::Snapshot* snap = nullptr) const;
  /// Newest version with commit_ts <= ts (all when ts is the maximum).
  [[nodiscard]] result<std::optional<found_version>>
  read_version(shard_id shard, const std::string& key, timestamp ts,
               const rocksdb::Snapshot* snap = nullptr) const;
  [[nodiscard]] result<std::optional<pb::txn_record>>
  read_txn(shard_id shard, txn_id txn) const;

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

  /// Calls `visit` for every key of `shard` (of every shard when nullopt)
  /// in family `f`, in order. Errors: io_error naming `what`.
  [[nodiscard]] status
  for_each_in_shard(family f, std::optional<shard_id> shard,
                    const std::function<void(const rocksdb::Iterator&)>& visit,
                    const char* what) const;

  // -- the index of intents (store_impl.cpp) --------------------------------
  /// Adds every stored intent to the index: one scan of the locks family
  /// at open (an ingest indexes the intents of its files itself).
  [[nodiscard]] status index_intents();
  void add_intents(const std::vector<std::string>& lock_keys);
  void drop_intents(const std::vector<std::string>& lock_keys);
  [[nodiscard]] bool may_hold_intent(const std::string& lock_key) const;
  /// The indexed lock keys in [lo, hi) (hi empty: to the end); the caller
  /// holds `intents_mtx_`.
  [[nodiscard]] std::vector<std::string>
  intents_in_locked(const std::string& lo, const std::string& hi) const;

  // -- the index of unresolved transactions (store_resolve.cpp) -------------
  /// Adds the prepared and precommitted transactions of `shard` (of every
  /// shard when nullopt) to the index, by one scan of their records (at
  /// open, and after an ingest). An undecodable record is indexed too, so
  /// that list_prepared reports it. Errors: io_error.
  [[nodiscard]] status index_unresolved(std::optional<shard_id> shard);
  /// `done`, after adding (`unresolved`) or removing (shard, txn) from the
  /// index and removing the `dropped` intents (lock keys) from theirs when
  /// the write succeeded.
  [[nodiscard]] completion indexing(shard_id shard, txn_id txn, bool unresolved,
                                    std::vector<std::string> dropped,
                                    completion done);

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

  /// Encoded lock keys that may hold an intent, with the number of
  /// prepares that put one there and no commit or abort removed since: a
  /// superset of the intents in the locks family (a prepare adds its keys
  /// before its write, a commit or abort removes them after its write, a
  /// failed prepare leaves them). Reads skip the locks family for keys not
  /// in it, and scans look up only these keys instead of iterating the
  /// family (which is mostly deletions: every intent is written once and
  /// deleted once).
  mutable std::mutex intents_mtx_;
  std::map<std::string, std::uint32_t> intents_;

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

  std::mutex read_ts_mtx_;
  std::unordered_map<shard_id, timestamp> max_read_ts_;
};

/// Runs `start` with a completion and waits for it (blocking wrappers).
[[nodiscard]] status wait_for(const std::function<void(completion)>& start);

/// Returns locked{key, txn = holder, ts = holder's start}.
[[nodiscard]] error locked_error(const std::string& key, txn_id holder,
                                 timestamp since);

} // namespace troupe::mvcc
