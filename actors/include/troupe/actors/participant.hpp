#pragma once

// The participant protocol: what a transaction coordinator says to every
// participant of a transaction. Storage shards implement it (participants/
// shard.hpp), and so will user-written participants. Messages are in
// participant_messages.hpp; every one crosses nodes as protobuf bytes.

#include <chrono>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/expected.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "troupe/actors/participant_messages.hpp"
#include "troupe/actors/type_ids.hpp"

namespace troupe::actors {

/// One participant of distributed transactions (e.g. a storage shard).
///
/// Errors listed below are troupe `errc` codes in `caf::error` (retry class
/// in parentheses); CAF's own errors (request_timeout, receiver down,
/// unreachable node) can arrive for any request and are retry_call.
///
/// - `read_request -> read_reply`: the newest value committed at or before
///   `ts`. Errors: locked (retry_transaction; an intent of another
///   transaction with start ts <= `ts` is undecided: the caller may retry
///   the read after a short backoff), aborted (`ts` below the GC safe point,
///   retry_transaction), too_large, corrupt, unavailable (storage failed or
///   closing, retry_call).
/// - `scan_request -> scan_reply`: every visible key with the prefix, in key
///   order, from one snapshot. Errors as read.
/// - `prepare_request -> vote`: checks write-write conflicts (any version
///   committed after start_ts, or a foreign intent, on a written key; under
///   serializable also on a read key), makes intents plus the prepare record
///   durable, then votes YES. Every refusal is a NO vote with its code:
///   write_conflict, locked, aborted (the transaction was aborted here, or
///   start_ts below the safe point), too_large, invalid_argument (empty
///   write set, duplicate keys, zero ids), overloaded (the same transaction
///   is busy on another call), unavailable. A repeated prepare of a prepared
///   transaction votes YES again.
/// - `commit_request -> ack`: applies a prepared transaction at commit_ts.
///   Idempotent: a repeated or late commit acks. Errors: not_found (never
///   prepared here), aborted (aborted here: a protocol violation),
///   invalid_argument (another commit_ts than recorded), overloaded,
///   unavailable (retry_call: keep delivering).
/// - `precommit_request -> ack` (three-phase commit only): records durably
///   that the prepared transaction commits at commit_ts; the intents stay
///   until the commit. Idempotent; precommitting a transaction committed at
///   commit_ts acks. Errors: not_found (never prepared here), aborted
///   (aborted here, e.g. by a peer's termination: the coordinator must
///   abort), invalid_argument (prepared for two-phase commit, or another
///   commit_ts than recorded), overloaded, unavailable.
/// - `abort_request -> ack`: drops the intents and records the abort, which
///   fences a late prepare (it votes NO with aborted). Idempotent; aborting
///   an unknown transaction acks. Errors: invalid_argument (the transaction
///   is committed here), overloaded, unavailable.
/// - `one_phase_request -> vote`: prepare checks plus versions at commit_ts
///   in one durable write; YES means committed. NO as prepare, plus aborted
///   with `min_commit_ts` set when a read at or above commit_ts was already
///   served (retry with a newer commit ts). A retry of a commit that
///   happened votes YES.
/// - `validate_request -> vote`: serializable read validation, sent after
///   every participant voted YES and before the commit decision: YES when
///   no key changed after start_ts and none carries another transaction's
///   intent; else NO with write_conflict or locked and the key. Read-only.
/// - `outcome_request -> txn_outcome`: what this participant knows about the
///   transaction (unknown / prepared / precommitted at ts / committed at ts
///   / aborted), for recovery and three-phase termination. Errors: corrupt,
///   unavailable.
///
/// Replies are sent once the effect is durable; a participant never blocks
/// its scheduler thread on the disk.
using participant_actor =
  caf::typed_actor<caf::replies_to<read_request>::with<read_reply>,
                   caf::replies_to<scan_request>::with<scan_reply>,
                   caf::replies_to<prepare_request>::with<vote>,
                   caf::replies_to<commit_request>::with<ack>,
                   caf::replies_to<abort_request>::with<ack>,
                   caf::replies_to<one_phase_request>::with<vote>,
                   caf::replies_to<validate_request>::with<vote>,
                   caf::replies_to<outcome_request>::with<txn_outcome>,
                   caf::replies_to<precommit_request>::with<ack>>;

/// Spawns a relay for `target`, a participant on another node: a
/// participant of its own that passes every request on to `target` and the
/// answer back (pass_on.hpp). A node actor resolves remote shards to relays
/// (one per shard, kept while both ends live), so the shard's node learns
/// of one long-lived actor instead of every short-lived coordinator that
/// calls it: no proxy announce and retract per transaction. The relay ends
/// when `target` or `owner` (its node actor) goes down, failing what it
/// passed on with request_receiver_down; its monitors see it go down.
participant_actor spawn_participant_relay(caf::actor_system& sys,
                                          participant_actor target,
                                          caf::actor owner);

/// Asks `resolver` (a node actor, or any actor answering `(resolve_atom,
/// "shard", id) -> caf::actor`) from actor `self` for the participant that
/// serves `shard`; `f` runs once, with the handle or the error.
template <class Self, class F>
void resolve_participant(Self* self, const caf::actor& resolver,
                         std::chrono::milliseconds timeout, shard_id shard,
                         F f) {
  self
    ->request(resolver, timeout, resolve_atom::value, std::string{"shard"},
              std::to_string(shard))
    .then(
      [f](caf::actor& handle) mutable {
        f(caf::expected<participant_actor>{
          caf::actor_cast<participant_actor>(handle)});
      },
      [f](caf::error& err) mutable {
        f(caf::expected<participant_actor>{std::move(err)});
      });
}

} // namespace troupe::actors
