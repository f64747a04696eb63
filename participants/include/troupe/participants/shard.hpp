#pragma once

#include <chrono>
#include <memory>

#include <caf/actor_system.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "troupe/actors/handoff.hpp"
#include "troupe/actors/in_doubt.hpp"
#include "troupe/actors/participant.hpp"
#include "troupe/actors/type_ids.hpp"
#include "troupe/mvcc/store.hpp"

namespace troupe::participants {

/// The storage shard actor: the participant protocol (actors/
/// participant.hpp, every reply and error documented there) over one shard
/// of the node's shared `mvcc::store`, plus its internal completion
/// message:
///
/// - `(durable_atom, token, vote)`: a durable write the shard started
///   finished; sent by the shard to itself through its `handoff`. Unknown
///   tokens are ignored.
///
/// - `(scanned_atom, token)`: a scan the shard started on the store's scan
///   thread finished; sent the same way.
///
/// Reads and outcome queries run on the actor's thread (RocksDB point
/// reads, no fsync). Scans run on the store's scan thread
/// (store::scan_async): a scan steps over every version of every key in
/// its range, which for a large range takes milliseconds that every other
/// request to the shards of this node would wait for. Prepare, commit, abort
/// and one-phase commit go through the store's group-commit writer (`*_async`):
/// the actor never waits for the disk and keeps serving while writes are in
/// flight. The completion runs on the writer thread, so it touches no actor
/// state: it turns the store's status into a `vote` (a pure function) and hands
/// `(durable_atom, token, vote)` back to the actor, which then delivers the
/// response promise of the request. Duplicate and late commits and aborts
/// are harmless: the store makes them idempotent, and the shard acks them.
///
/// Recovery: at start and every `recovery_interval`, the shard lists its
/// prepared transactions; one seen in two sweeps in a row is in doubt, and
/// the shard asks its coordinator's node (`txn_resolve` to its
/// "txn_service", through `resolver`): committed -> commit at that ts,
/// aborted -> abort (presumed abort), pending or unreachable -> ask again
/// next sweep. Readers blocked on its intents wait on the shard (up to
/// `lock_wait`, then their coordinator retries with backoff) and proceed
/// once it resolves.
///
/// Three-phase transactions are not asked about: once the coordinator was
/// silent for `three_phase_timeout` (after the YES vote, or after
/// PreCommit), the shard asks its peers (`outcome_request`, resolved as
/// kind "shard" through `resolver`) and terminates without the
/// coordinator: a committed peer -> commit; an aborted peer, or one that
/// never prepared -> abort; anyone precommitted -> precommit every
/// reachable peer, then commit; nobody precommitted -> abort. Peers that do
/// not answer count as crashed; after a restart the shard waits for every
/// peer instead (see docs/recovery.md for when this is unsafe).
using shard_actor = actors::participant_actor::extend<
  caf::reacts_to<actors::durable_atom, std::uint64_t, actors::vote>,
  caf::reacts_to<actors::recover_atom>,
  caf::reacts_to<actors::lock_wait_atom, std::uint64_t>,
  caf::reacts_to<actors::scanned_atom, std::uint64_t>>;

/// How to run a shard actor.
struct shard_options {
  /// Hands completions from the writer thread back to the actor; tests on
  /// the deterministic scheduler pass their fixture's queue.
  actors::handoff handoff = actors::direct_handoff();
  /// Answers `(resolve_atom, "txn_service", node) -> caf::actor` like the
  /// node actor; nullptr: no recovery sweeps.
  caf::actor resolver;
  std::chrono::milliseconds recovery_interval{1000};
  std::chrono::milliseconds request_timeout{5000};
  /// Three-phase commit: how long a participant waits for the coordinator
  /// (for PreCommit after its YES vote, for DoCommit after PreCommit)
  /// before it terminates the transaction with its peers. Must exceed the
  /// coordinator's prepare timeout.
  std::chrono::milliseconds three_phase_timeout{5000};
  /// How long a read or scan blocked by another transaction's intent (or
  /// in-flight write) waits on the shard for that transaction's commit or
  /// abort here before it fails with locked; it runs again as soon as one
  /// of that transaction's writes finishes. 0: fail at once.
  std::chrono::milliseconds lock_wait{500};
  /// Where the sweeps report in-doubt transactions (may be null).
  std::shared_ptr<actors::in_doubt_table> in_doubt;
};

/// Spawns the actor serving shard `shard` of `db`. The store must outlive
/// the actor system (the node opens it first and closes it last): the
/// store's completions may drop the last reference to an actor on the
/// writer thread, so actors must not own the store. Register it in the
/// node's directory as kind "shard", id = the shard number.
[[nodiscard]] shard_actor spawn_shard(caf::actor_system& sys, mvcc::store& db,
                                      actors::shard_id shard,
                                      shard_options opts = {});

} // namespace troupe::participants
