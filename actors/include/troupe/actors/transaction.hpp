#pragma once

// The client-facing transaction protocol: how a client library, the CLI or
// any actor runs a transaction. Implemented by the coordinator module
// (coordinator/coordinator.hpp). Every message crosses nodes as protobuf
// bytes (transaction_messages.hpp).
//
//   client                       txn service (any node)
//     | txn_begin{isolation} ------> spawns a transaction actor
//     | <---- (txn_started{txn, start_ts}, transaction_actor)
//     | txn_get / txn_scan --------> transaction actor: snapshot reads
//     |   (or, with txn_begin::by_id, (txn_ref{txn}, txn_get) to the
//     |   service, which passes it on: what the client library does)
//     | txn_put / txn_erase -------> buffered
//     | txn_commit ----------------> 1PC or 2PC
//     | <---- txn_committed{commit_ts}  or an error with a retry class
//
// Errors are `caf::error`s with a troupe `errc`; `retry_class_of(err)` says
// what to do: retry_call (send the same request again after a backoff),
// retry_transaction (abort is implied; run the transaction again from
// `txn_begin`), do_not_retry. `describe(err)` renders one line.

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "troupe/actors/transaction_messages.hpp"

namespace troupe::actors {

/// One running transaction (one actor per transaction). Requests are
/// answered in order; send the next one after the reply to the previous.
///
/// - `txn_get -> read_reply`: the value at the start timestamp, or the
///   transaction's own buffered write. Errors: locked (another transaction's
///   undecided intent outlived the bounded read retries; retry_transaction),
///   aborted (the transaction is over, or its snapshot was collected),
///   too_large, unavailable / timeout (a shard is unreachable; retry_call),
///   invalid_argument (after commit or abort).
/// - `txn_get_many -> txn_values`: like one txn_get per key, read in
///   parallel; one value per key, in order. Errors as txn_get (the first
///   failing key's).
/// - `txn_scan -> scan_reply`: the keys with the prefix over every shard,
///   merged in key order, own writes applied, one page at a time:
///   `truncated` when `limit` or the page size cut it, and then `resume`
///   is the next request's `after`. Errors as txn_get.
/// - `txn_put -> void`, `txn_erase -> void`: buffer a write. Errors:
///   too_large (key or value above the limits), invalid_argument (after
///   commit or abort).
/// - `txn_commit -> txn_committed`: commits atomically: every write becomes
///   visible at `commit_ts` on every shard, or none does. The reply comes
///   once the outcome is durable (the 1PC write, or the 2PC COMMIT
///   decision). A read-only transaction commits at its start timestamp.
///   Errors: write_conflict (a written key, or under serializable a read
///   key, has a newer version; retry_transaction), locked (another
///   transaction holds an intent; retry_transaction), aborted (a
///   participant voted NO for another reason, did not vote within
///   `timeouts.prepare`, or went down before voting; retry_transaction),
///   too_large / invalid_argument (do_not_retry), outcome_unknown (the
///   decision could not be made durable and may or may not hold: read
///   before retrying), invalid_argument (commit after abort). Nothing is
///   visible after any error but outcome_unknown.
/// - `txn_abort -> void`: drops the buffered writes and the prepared
///   intents, if any. Always succeeds (also after an abort); after a commit
///   it fails with invalid_argument.
///
/// The actor ends itself after commit or abort (once every participant
/// acknowledged the outcome), and aborts on its own after the idle timeout
/// of its service; requests to an ended transaction fail with CAF's
/// request_receiver_down (retry_call; the transaction is gone: begin anew).
using transaction_actor =
  caf::typed_actor<caf::replies_to<txn_get>::with<read_reply>,
                   caf::replies_to<txn_get_many>::with<txn_values>,
                   caf::replies_to<txn_scan>::with<scan_reply>,
                   caf::replies_to<txn_put>::with<void>,
                   caf::replies_to<txn_erase>::with<void>,
                   caf::replies_to<txn_commit>::with<txn_committed>,
                   caf::replies_to<txn_abort>::with<void>>;

/// Starts transactions (one per node, registered in the node's directory
/// as kind "txn_service").
///
/// - `txn_begin -> (txn_started, transaction_actor)`: takes a start
///   timestamp from the timestamp oracle and spawns the transaction's
///   actor. Errors: unavailable / timeout (the oracle is unreachable;
///   retry_call). With `by_id` the handle in the reply is null: the
///   transaction is then addressed by id, below.
///
/// - `(txn_ref, R) -> reply of R` for each request R of `transaction_actor`:
///   the service passes R to the transaction's actor and its answer back.
///   This is how a remote client runs a transaction: CAF 0.17 makes a node
///   that learns of an actor of another node announce a proxy for it, and
///   the actor's node retract it when the actor ends, two BASP messages per
///   transaction actor a client held (a quarter of a bank transfer's BASP
///   messages); the service is long-lived, so addressing it costs nothing
///   of the kind. Errors: as R's, and aborted (retry_transaction) when no
///   transaction of that id runs here (it ended: committed, aborted, timed
///   out idle, or its node restarted); when the actor ends without
///   answering R, R fails with request_receiver_down.
///
/// - `txn_resolve -> txn_resolution`: what became of a transaction this
///   node coordinated (asked by in-doubt participants): committed with its
///   commit timestamp when a COMMIT decision is logged; pending while its
///   coordinator runs; aborted otherwise (presumed abort: after a restart no
///   coordinator of an earlier incarnation runs, so none can still commit).
///   Errors: corrupt / internal when the decision log cannot be read.
using txn_service_actor = caf::typed_actor<
  caf::replies_to<txn_begin>::with<txn_started, transaction_actor>,
  caf::replies_to<txn_resolve>::with<txn_resolution>,
  caf::replies_to<txn_ref, txn_get>::with<read_reply>,
  caf::replies_to<txn_ref, txn_get_many>::with<txn_values>,
  caf::replies_to<txn_ref, txn_scan>::with<scan_reply>,
  caf::replies_to<txn_ref, txn_put>::with<void>,
  caf::replies_to<txn_ref, txn_erase>::with<void>,
  caf::replies_to<txn_ref, txn_commit>::with<txn_committed>,
  caf::replies_to<txn_ref, txn_abort>::with<void>>;

} // namespace troupe::actors

// Last: the type-id block registers `transaction_actor` (a reply element),
// so it needs the alias above; this order works whichever header comes
// first.
#include "troupe/actors/type_ids.hpp"
