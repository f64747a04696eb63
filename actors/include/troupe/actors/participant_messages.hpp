#pragma once

// Messages of the participant protocol (participant.hpp): plain structs that
// travel by reference between local actors and as protobuf bytes
// (proto/txn.proto) between nodes.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "troupe/actors/errc.hpp"
#include "troupe/actors/wire.hpp"

namespace troupe::actors {

using txn_id = std::uint64_t;    ///< unique per transaction; 0 is unused
using timestamp = std::uint64_t; ///< from the timestamp oracle; 0 is unused
using shard_id = std::uint32_t;

/// One write of a write set: a put of `value`, or a delete (nullopt).
struct write_op {
  std::string key;
  std::optional<std::string> value;

  [[nodiscard]] static write_op put(std::string k, std::string v) {
    return {std::move(k), std::move(v)};
  }
  [[nodiscard]] static write_op erase(std::string k) {
    return {std::move(k), std::nullopt};
  }
};

/// Isolation level of a transaction.
enum class isolation_level : std::uint8_t {
  snapshot,     ///< first committer wins on written keys (default)
  serializable, ///< additionally, no read key changed since start_ts
};

/// Phase one of 2PC for one participant: check conflicts, make the intents
/// and the prepare record durable, then vote.
struct prepare_request {
  txn_id txn = 0;
  shard_id shard = 0;
  timestamp start_ts = 0;
  std::vector<write_op> writes;   ///< non-empty, keys distinct
  std::vector<std::string> reads; ///< validated under serializable
  isolation_level isolation = isolation_level::snapshot;
  std::string primary_key; ///< the transaction's primary key (recovery)
  std::string coordinator; ///< node holding the decision log (recovery)
  /// Three-phase commit: after its YES vote the participant may be
  /// precommitted, and on a timeout it terminates the transaction with
  /// `peers` (the other participants' shards) instead of asking the
  /// coordinator.
  bool three_phase = false;
  std::vector<shard_id> peers;
};

/// A participant's answer to a prepare or one-phase commit. NO carries the
/// reason as a troupe error code; for conflicts the key, the newer commit
/// ts (write_conflict) or the holder's start ts (locked), and the other
/// transaction.
struct vote {
  txn_id txn = 0;
  shard_id shard = 0;
  bool yes = false;
  errc code = errc::internal; ///< meaningful when !yes
  std::string reason;
  std::string conflict_key;
  timestamp conflict_ts = 0;
  txn_id conflict_txn = 0;
  /// One-phase commit refused because a read at or above its commit ts was
  /// served: retry with a commit ts >= this. 0 otherwise.
  timestamp min_commit_ts = 0;

  /// Returns the NO as an error for a client (code, reason, retry class).
  [[nodiscard]] caf::error to_error() const;
};

/// Phase two: make the prepared writes visible at `commit_ts`.
struct commit_request {
  txn_id txn = 0;
  shard_id shard = 0;
  timestamp commit_ts = 0;
};

/// Three-phase commit, phase two: every participant voted YES and the
/// transaction will commit at `commit_ts`; the participant records that
/// durably (its intents stay) and acks.
struct precommit_request {
  txn_id txn = 0;
  shard_id shard = 0;
  timestamp commit_ts = 0;
};

/// Drop the transaction's intents (also fences a late prepare).
struct abort_request {
  txn_id txn = 0;
  shard_id shard = 0;
  timestamp start_ts = 0;
};

/// A single-participant transaction committed in one durable write.
struct one_phase_request {
  txn_id txn = 0;
  shard_id shard = 0;
  timestamp start_ts = 0;
  timestamp commit_ts = 0; ///< > start_ts
  std::vector<write_op> writes;
  std::vector<std::string> reads;
  isolation_level isolation = isolation_level::snapshot;
};

/// A commit or abort was applied (or had been already).
struct ack {
  txn_id txn = 0;
  shard_id shard = 0;
};

/// Snapshot read of one key at `ts`.
struct read_request {
  shard_id shard = 0;
  std::string key;
  timestamp ts = 0;
};

/// The value visible at the read timestamp; nullopt when absent or deleted.
struct read_reply {
  std::optional<std::string> value;
};

/// Snapshot read of the keys starting with `prefix` at `ts`, in key order:
/// one page of them. The page starts after `after` (empty: at the first
/// key) and ends at `limit` rows (0: no limit) or, with `max_bytes` (0: no
/// budget), at the first row that brings its keys and values to
/// `max_bytes`, so that no answer outgrows a network message.
struct scan_request {
  shard_id shard = 0;
  std::string prefix;
  timestamp ts = 0;
  std::uint32_t limit = 0; ///< 0: no limit
  std::string after;       ///< resume point: only keys after it
  std::uint32_t max_bytes = 0;
};

struct key_value {
  std::string key;
  std::string value;
};

/// Visible rows in key order. `truncated`: the limit or the byte budget
/// ended the page; the rest (if any) is after `resume`, which a next page
/// passes as `after`.
struct scan_reply {
  std::vector<key_value> rows;
  bool truncated = false;
  std::string resume; ///< set when truncated
};

/// Serializable read validation, after every participant voted YES: no key
/// of `keys` changed after `start_ts` or carries another transaction's
/// intent.
struct validate_request {
  txn_id txn = 0;
  shard_id shard = 0;
  timestamp start_ts = 0;
  std::vector<std::string> keys;
};

/// "What happened to transaction `txn` on `shard`?"
struct outcome_request {
  txn_id txn = 0;
  shard_id shard = 0;
};

enum class outcome_state : std::uint8_t {
  unknown,      ///< no record: never prepared, a one-phase commit, or GC
  prepared,     ///< in doubt: voted YES, no decision received
  committed,    ///< `commit_ts` is set
  aborted,      ///< aborted here (or fenced by an abort)
  precommitted, ///< three-phase: will commit at `commit_ts`
};

struct txn_outcome {
  txn_id txn = 0;
  shard_id shard = 0;
  outcome_state state = outcome_state::unknown;
  timestamp start_ts = 0;
  timestamp commit_ts = 0;
};

// Wire encoding (protobuf, see TROUPE_WIRE_CODEC in wire.hpp).
TROUPE_WIRE_CODEC(prepare_request)
TROUPE_WIRE_CODEC(vote)
TROUPE_WIRE_CODEC(commit_request)
TROUPE_WIRE_CODEC(precommit_request)
TROUPE_WIRE_CODEC(abort_request)
TROUPE_WIRE_CODEC(one_phase_request)
TROUPE_WIRE_CODEC(ack)
TROUPE_WIRE_CODEC(read_request)
TROUPE_WIRE_CODEC(read_reply)
TROUPE_WIRE_CODEC(scan_request)
TROUPE_WIRE_CODEC(scan_reply)
TROUPE_WIRE_CODEC(validate_request)
TROUPE_WIRE_CODEC(outcome_request)
TROUPE_WIRE_CODEC(txn_outcome)

} // namespace troupe::actors
