// The newest version of recently committed keys, in memory, so that reads
// and conflict checks of hot keys skip the versions family's memtable
// search, which grows with the memtable (docs/mvcc.md, "The version
// cache").
#pragma once

#include <cstddef>
#include <deque>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "troupe/mvcc/types.hpp"

namespace troupe::mvcc {

/// The newest version of a key.
struct cached_version {
  timestamp commit_ts = 0;
  txn_id txn = 0; ///< its writer
  bool tombstone = false;
  std::string value;
};

/// What the cache says of a key: its newest version, or that every
/// version of it has commit_ts <= floor (unknown_floor: nothing).
struct version_lookup {
  std::optional<cached_version> newest;
  timestamp floor = 0;
};

/// A floor that says nothing: every miss must read the store.
constexpr timestamp unknown_floor = std::numeric_limits<timestamp>::max();

/// Newest versions by encoded key (shard | esc(key)), with a floor: every
/// version the cache does not hold has commit_ts <= floor. Entries leave
/// in the order they were written once the cache is over its size, and the
/// floor rises to each one's commit ts, so a miss still answers "nothing
/// newer than the floor" without a read. Thread-safe.
class version_cache {
 public:
  /// `floor`: no version in the store is newer (unknown_floor: unknown).
  /// A capacity of 0 keeps nothing and every lookup says nothing.
  version_cache(std::size_t capacity_bytes, timestamp floor);

  [[nodiscard]] version_lookup find(const std::string& key) const;

  /// Records `v` as the newest version of `key`, unless a newer one is
  /// recorded.
  void put(const std::string& key, cached_version v);

  /// Drops every entry, raising the floor to their newest commit ts and
  /// to `ts` (unknown_floor: the floor says nothing from now on).
  void clear(timestamp ts);

  /// Entries held and bytes charged (tests, stats).
  [[nodiscard]] std::pair<std::size_t, std::size_t> size() const;

 private:
  void evict_locked();

  mutable std::mutex mtx_;
  std::size_t capacity_;
  std::size_t bytes_ = 0;
  timestamp floor_;
  std::unordered_map<std::string, cached_version> newest_;
  /// Every put in order, with its commit ts; a record whose entry has
  /// since been replaced is stale and only costs its bytes.
  std::deque<std::pair<std::string, timestamp>> order_;
};

} // namespace troupe::mvcc
