#pragma once

// Messages of the client-facing transaction protocol (transaction.hpp):
// plain structs that travel as protobuf bytes (proto/txn.proto) between
// nodes. Reads reply with `read_reply` / `scan_reply` of the participant
// protocol.

#include <cstdint>
#include <string>
#include <vector>

#include "troupe/actors/participant_messages.hpp"
#include "troupe/actors/wire.hpp"

namespace troupe::actors {

/// Starts a transaction.
struct txn_begin {
  isolation_level isolation = isolation_level::snapshot;
  /// Commit with three-phase commit (CanCommit = prepare, PreCommit,
  /// DoCommit) instead of two-phase commit; see docs/recovery.md.
  bool three_phase = false;
  /// Keys to read at the snapshot before the reply (in parallel on their
  /// shards, as txn_get_many): a transaction that starts by reading saves
  /// a round trip.
  std::vector<std::string> prefetch;
  /// Address the transaction by id through the service that began it
  /// (`txn_ref` messages) instead of by its actor: the reply then carries
  /// no transaction actor handle. A remote client that never holds the
  /// handle spares the nodes a proxy announce and retract per transaction
  /// (two BASP messages; transaction.hpp).
  bool by_id = false;
};

/// A started transaction: its id and snapshot (start) timestamp, and the
/// values of `txn_begin::prefetch`, one per key, in order.
struct txn_started {
  txn_id txn = 0;
  timestamp start_ts = 0;
  std::vector<read_reply> values;
};

/// Names a running transaction of the service it is sent to: the first
/// element of a transaction request addressed by id (transaction.hpp).
struct txn_ref {
  txn_id txn = 0;
};

/// Reads `key` at the transaction's snapshot (its own writes first).
struct txn_get {
  std::string key;
};

/// Asks the transaction service of a transaction's coordinator node what
/// became of transaction `txn` (an in-doubt participant's recovery).
struct txn_resolve {
  txn_id txn = 0;
};

/// What a coordinator's node knows of a transaction.
enum class resolution : std::uint8_t {
  pending,   ///< its coordinator is still running: ask again later
  committed, ///< a COMMIT decision is logged: commit at `commit_ts`
  aborted,   ///< no decision and no coordinator: presumed abort
};

/// The answer to `txn_resolve`.
struct txn_resolution {
  txn_id txn = 0;
  resolution state = resolution::pending;
  timestamp commit_ts = 0; ///< committed only
};

/// Reads several keys at the snapshot in one round trip (in parallel on
/// their shards); the reply holds one value per key, in order.
struct txn_get_many {
  std::vector<std::string> keys;
};

/// The values of a `txn_get_many`, in the order of its keys.
struct txn_values {
  std::vector<read_reply> values;
};

/// Buffers a put of `key` (applied at commit).
struct txn_put {
  std::string key;
  std::string value;
};

/// Buffers a delete of `key` (applied at commit).
struct txn_erase {
  std::string key;
};

/// Reads the keys starting with `prefix` at the snapshot, own writes
/// applied, in key order: one page of them, after `after` (empty: from the
/// first key), at most `limit` rows (0: no limit) and about `max_bytes` of
/// keys and values (0, or more than the node's page size: the node's page
/// size). A truncated answer names where the next page resumes.
struct txn_scan {
  std::string prefix;
  std::uint32_t limit = 0;
  std::string after;
  std::uint32_t max_bytes = 0;
};

/// Commits the transaction. `writes` are buffered writes sent along (a
/// client library that buffers puts and erases saves one round trip per
/// write): applied in order, as if by txn_put / txn_erase, before the
/// commit starts.
struct txn_commit {
  std::vector<write_op> writes;
};

/// The transaction committed: every write is visible at `commit_ts`.
struct txn_committed {
  txn_id txn = 0;
  timestamp commit_ts = 0;
  bool one_phase = false; ///< took the single-shard fast path
};

/// Abandons the transaction.
struct txn_abort {};

TROUPE_WIRE_CODEC(txn_begin)
TROUPE_WIRE_CODEC(txn_started)
TROUPE_WIRE_CODEC(txn_get)
TROUPE_WIRE_CODEC(txn_put)
TROUPE_WIRE_CODEC(txn_erase)
TROUPE_WIRE_CODEC(txn_scan)
TROUPE_WIRE_CODEC(txn_commit)
TROUPE_WIRE_CODEC(txn_committed)
TROUPE_WIRE_CODEC(txn_abort)
TROUPE_WIRE_CODEC(txn_resolve)
TROUPE_WIRE_CODEC(txn_resolution)
TROUPE_WIRE_CODEC(txn_get_many)
TROUPE_WIRE_CODEC(txn_values)
TROUPE_WIRE_CODEC(txn_ref)

} // namespace troupe::actors
