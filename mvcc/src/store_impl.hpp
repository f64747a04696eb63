#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <rocksdb/db.h>

#include "group_writer.hpp"
#include "latch_table.hpp"
#include "records.hpp"
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
  scan(shard_id shard, const key_range& range, timestamp ts, std::size_t limit);
  void prepare(const prepare_request& req, completion done);
  void one_phase_commit(const one_phase_request& req, completion done);
  void commit(shard_id shard, txn_id txn, timestamp commit_ts, completion done);
  void precommit(shard_id shard, txn_id txn, timestamp commit_ts,
                 completion done);
  void abort(shard_id shard, txn_id txn, timestamp start_ts, completion done);
  [[nodiscard]] result<std::vector<prepared_txn>>
  list_prepared(std::optional<shard_id> shard);

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
  latch_table latches_;
  std::atomic<timestamp> safe_point_{0};

  std::mutex read_ts_mtx_;
  std::unordered_map<shard_id, timestamp> max_read_ts_;
};

/// Runs `start` with a completion and waits for it (blocking wrappers).
[[nodiscard]] status wait_for(const std::function<void(completion)>& start);

/// Returns locked{key, txn = holder, ts = holder's start}.
[[nodiscard]] error locked_error(const std::string& key, txn_id holder,
                                 timestamp since);

} // namespace troupe::mvcc
