#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace troupe::mvcc {

using shard_id = std::uint32_t;
using timestamp = std::uint64_t; ///< from the timestamp oracle; 0 is unused
using txn_id = std::uint64_t;

/// One write of a write set: a put of `value`, or a delete.
struct mutation {
  std::string key;
  std::optional<std::string> value; ///< nullopt deletes the key

  static mutation put(std::string k, std::string v) {
    return {std::move(k), std::move(v)};
  }
  static mutation del(std::string k) { return {std::move(k), std::nullopt}; }
};

enum class isolation : std::uint8_t {
  snapshot,     ///< first committer wins on written keys
  serializable, ///< additionally, no read key changed since start_ts
};

/// The part of a transaction that one shard prepares (2PC phase one).
struct prepare_request {
  shard_id shard = 0;
  txn_id txn = 0;
  timestamp start_ts = 0;
  std::vector<mutation> writes;   ///< non-empty, keys distinct
  std::vector<std::string> reads; ///< validated when serializable
  std::string primary_key;        ///< the transaction's primary (any
                                  ///< shard); kept for recovery
  std::string coordinator;        ///< who holds the decision (opaque to
                                  ///< the store); kept for recovery
  isolation level = isolation::snapshot;
  /// Three-phase commit: the transaction may be precommitted, and its
  /// participants terminate it among themselves (`peers`, kept for
  /// recovery: the other participants' shards).
  bool three_phase = false;
  std::vector<shard_id> peers;
};

/// A single-shard transaction committed in one durable write.
struct one_phase_request {
  shard_id shard = 0;
  txn_id txn = 0;
  timestamp start_ts = 0;
  timestamp commit_ts = 0;        ///< > start_ts
  std::vector<mutation> writes;   ///< non-empty, keys distinct
  std::vector<std::string> reads; ///< validated when serializable
  isolation level = isolation::snapshot;
};

/// A user key and the value visible at the read timestamp.
struct key_value {
  std::string key;
  std::string value;
};

/// What one row of a scan counts against a page's byte budget besides its
/// key and value: its share of the framing of the message it travels in.
constexpr std::size_t scan_row_overhead = 16;

/// What a row of `key` and `value` counts against a scan page's budget.
[[nodiscard]] inline std::size_t scan_row_bytes(const std::string& key,
                                                const std::string& value) {
  return key.size() + value.size() + scan_row_overhead;
}

/// Keys in [begin, end) of one shard; an empty `end` means no upper bound.
struct key_range {
  std::string begin;
  std::string end;

  /// Returns the range of all keys that start with `prefix`.
  [[nodiscard]] static key_range prefix(const std::string& prefix);
};

/// A transaction that holds intents and has no outcome yet (for recovery).
struct prepared_txn {
  shard_id shard = 0;
  txn_id txn = 0;
  timestamp start_ts = 0;
  std::string primary_key;
  std::string coordinator;       ///< as given to prepare
  std::vector<std::string> keys; ///< user keys with intents
  bool three_phase = false;      ///< as given to prepare
  std::vector<shard_id> peers;   ///< as given to prepare
  timestamp precommit_ts = 0;    ///< precommitted at this ts; 0: not
};

/// What a shard knows about a transaction.
struct txn_outcome {
  enum class state : std::uint8_t {
    unknown,   ///< no record: never prepared here, or collected by GC
    prepared,  ///< in doubt
    committed, ///< `commit_ts` is set
    aborted,
    precommitted, ///< three-phase: will commit at `commit_ts`
  };
  state status = state::unknown;
  timestamp start_ts = 0;
  timestamp commit_ts = 0;
};

/// What one GC pass removed.
struct gc_stats {
  std::uint64_t versions_removed = 0; ///< including tombstones
  std::uint64_t tombstones_removed = 0;
  std::uint64_t txn_records_removed = 0;
};

/// Counters since open (for benchmarks and monitoring).
struct store_stats {
  std::uint64_t group_writes = 0;  ///< RocksDB writes by the group writer
  std::uint64_t synced_writes = 0; ///< of them with sync (one fsync each)
  std::uint64_t requests = 0;      ///< durable requests written
  std::uint64_t commits = 0;       ///< commits and one-phase commits
};

} // namespace troupe::mvcc
