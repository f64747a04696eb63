#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "troupe/mvcc/types.hpp"

namespace troupe::mvcc {

/// In-memory reservations of keys whose intents or versions are on their way
/// to disk, and of transactions being resolved. Makes "check conflicts, then
/// write intents" atomic across concurrent prepares and one-phase commits,
/// and lets readers treat in-flight writes as locks. Keys are encoded lock
/// keys (shard | esc(user key)). Thread-safe.
class latch_table {
 public:
  /// Who holds a key: the transaction and the lowest read timestamp that
  /// must not miss its write (start_ts of a prepare, commit_ts of a
  /// one-phase commit).
  struct holder {
    txn_id txn = 0;
    timestamp visible_from = 0;
  };

  /// A key held by another transaction.
  struct conflict {
    std::string key; ///< encoded
    holder by;
  };

  /// Atomically latches every key of `writes` for `who`, provided no key of
  /// `writes` or `reads` is latched by another transaction; otherwise
  /// latches nothing and returns the first such key.
  [[nodiscard]] std::optional<conflict>
  try_acquire(const holder& who, const std::vector<std::string>& writes,
              const std::vector<std::string>& reads);

  /// Releases keys latched by `try_acquire`.
  void release(const std::vector<std::string>& writes);

  /// Returns the holder of `key` if it is latched and visible at `ts`.
  [[nodiscard]] std::optional<holder> find(const std::string& key,
                                           timestamp ts) const;

  /// Returns the first latched key in [begin, end) visible at `ts` ("" end:
  /// unbounded).
  [[nodiscard]] std::optional<conflict> find_in_range(const std::string& begin,
                                                      const std::string& end,
                                                      timestamp ts) const;

  /// Marks transaction (shard, txn) as being prepared or resolved; false
  /// when another call already holds it.
  [[nodiscard]] bool try_acquire_txn(shard_id shard, txn_id txn);
  void release_txn(shard_id shard, txn_id txn);

 private:
  mutable std::mutex mtx_;
  std::map<std::string, holder, std::less<>> keys_;
  std::set<std::pair<shard_id, txn_id>> txns_;
};

/// Holds a transaction latch for a scope (or until released).
class txn_latch {
 public:
  txn_latch(latch_table& table, shard_id shard, txn_id txn)
    : table_(&table), shard_(shard), txn_(txn),
      held_(table.try_acquire_txn(shard, txn)) {}
  ~txn_latch() { release(); }
  txn_latch(const txn_latch&) = delete;
  txn_latch& operator=(const txn_latch&) = delete;
  txn_latch(txn_latch&& other) noexcept
    : table_(other.table_), shard_(other.shard_), txn_(other.txn_),
      held_(std::exchange(other.held_, false)) {}

  [[nodiscard]] bool held() const noexcept { return held_; }
  void release() {
    if (held_) table_->release_txn(shard_, txn_);
    held_ = false;
  }

 private:
  latch_table* table_;
  shard_id shard_;
  txn_id txn_;
  bool held_;
};

} // namespace troupe::mvcc
