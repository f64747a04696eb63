#pragma once

// The runtime's CAF type-id block: every atom and message type the actors
// module puts into messages. Register it on each actor system (every node,
// same order) with `add_message_types` below, or remote sends fail.
//
// Atom texts are at most 10 characters and must not reuse CAF's own atom
// names (get, put, ok, ping, ...). Keep entries grouped by purpose; append
// new groups at the end so existing ids stay stable.

#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/type_id.hpp>

#include "troupe/actors/participant_messages.hpp"
#include "troupe/actors/supervisor_types.hpp"
#include "troupe/actors/transaction.hpp"
#include "troupe/actors/transaction_messages.hpp"
#include "troupe/actors/wire.hpp"

CAF_BEGIN_TYPE_ID_BLOCK(troupe_actors, caf::first_custom_type_id)

// -- supervision (supervisor.hpp) -------------------------------------------

CAF_ADD_TYPE_ID(troupe_actors, (troupe::actors::child_stats))
CAF_ADD_TYPE_ID(troupe_actors, (troupe::actors::supervisor_stats))

/// Asks a supervisor for a child's current handle.
CAF_ADD_ATOM(troupe_actors, troupe::actors, get_child_atom, "get_child")
/// Asks a supervisor for its `supervisor_stats`.
CAF_ADD_ATOM(troupe_actors, troupe::actors, get_stats_atom, "get_stats")
/// A supervisor's own timer: a scheduled restart is due.
CAF_ADD_ATOM(troupe_actors, troupe::actors, restart_due_atom, "rst_due")

// -- node runtime (node.hpp, wire.hpp) --------------------------------------

CAF_ADD_TYPE_ID(troupe_actors, (troupe::actors::heartbeat))
CAF_ADD_TYPE_ID(troupe_actors, (troupe::actors::cluster_status))

/// Asks a node actor for its view of the cluster (`cluster_status`).
CAF_ADD_ATOM(troupe_actors, troupe::actors, status_atom, "tr_status")

// -- directory and router (node.hpp) ----------------------------------------

/// Registers a local actor as (kind, id) on its node.
CAF_ADD_ATOM(troupe_actors, troupe::actors, register_atom, "tr_reg")
/// Resolves (kind, id) to a handle, asking the owning node when needed.
CAF_ADD_ATOM(troupe_actors, troupe::actors, resolve_atom, "tr_resolve")
/// Resolves (kind, id) on this node only (a forwarded resolve).
CAF_ADD_ATOM(troupe_actors, troupe::actors, resolve_local_atom, "tr_rslvl")

// -- participant protocol (participant.hpp) ----------------------------------

CAF_ADD_TYPE_ID(troupe_actors, (troupe::actors::prepare_request))
CAF_ADD_TYPE_ID(troupe_actors, (troupe::actors::vote))
CAF_ADD_TYPE_ID(troupe_actors, (troupe::actors::commit_request))
CAF_ADD_TYPE_ID(troupe_actors, (troupe::actors::abort_request))
CAF_ADD_TYPE_ID(troupe_actors, (troupe::actors::one_phase_request))
CAF_ADD_TYPE_ID(troupe_actors, (troupe::actors::ack))
CAF_ADD_TYPE_ID(troupe_actors, (troupe::actors::read_request))
CAF_ADD_TYPE_ID(troupe_actors, (troupe::actors::read_reply))
CAF_ADD_TYPE_ID(troupe_actors, (troupe::actors::scan_request))
CAF_ADD_TYPE_ID(troupe_actors, (troupe::actors::scan_reply))
CAF_ADD_TYPE_ID(troupe_actors, (troupe::actors::outcome_request))
CAF_ADD_TYPE_ID(troupe_actors, (troupe::actors::txn_outcome))

/// A durable write that an actor started finished (token); sent by an actor
/// to itself through a `handoff` (handoff.hpp).
CAF_ADD_ATOM(troupe_actors, troupe::actors, durable_atom, "tr_durable")

// -- transactions (transaction.hpp) -----------------------------------------

CAF_ADD_TYPE_ID(troupe_actors, (troupe::actors::txn_begin))
CAF_ADD_TYPE_ID(troupe_actors, (troupe::actors::txn_started))
CAF_ADD_TYPE_ID(troupe_actors, (troupe::actors::txn_get))
CAF_ADD_TYPE_ID(troupe_actors, (troupe::actors::txn_put))
CAF_ADD_TYPE_ID(troupe_actors, (troupe::actors::txn_erase))
CAF_ADD_TYPE_ID(troupe_actors, (troupe::actors::txn_scan))
CAF_ADD_TYPE_ID(troupe_actors, (troupe::actors::txn_commit))
CAF_ADD_TYPE_ID(troupe_actors, (troupe::actors::txn_committed))
CAF_ADD_TYPE_ID(troupe_actors, (troupe::actors::txn_abort))
CAF_ADD_TYPE_ID(troupe_actors, (troupe::actors::validate_request))
CAF_ADD_TYPE_ID(troupe_actors, (troupe::actors::transaction_actor))

/// Asks the timestamp oracle for `n` consecutive timestamps (uint32 n);
/// replies the first (uint64).
CAF_ADD_ATOM(troupe_actors, troupe::actors, timestamp_atom, "tr_ts")
/// A coordinator's own timer (prepare timeout, delivery retry, idle).
CAF_ADD_ATOM(troupe_actors, troupe::actors, txn_timer_atom, "tr_ttimer")

// -- transactions, batched reads (transaction.hpp) --------------------------

CAF_ADD_TYPE_ID(troupe_actors, (troupe::actors::txn_get_many))
CAF_ADD_TYPE_ID(troupe_actors, (troupe::actors::txn_values))

// -- recovery (transaction.hpp, node.hpp) ------------------------------------

CAF_ADD_TYPE_ID(troupe_actors, (troupe::actors::txn_resolve))
CAF_ADD_TYPE_ID(troupe_actors, (troupe::actors::txn_resolution))
/// A recovery sweep is due (an actor's own timer).
CAF_ADD_ATOM(troupe_actors, troupe::actors, recover_atom, "tr_recover")

// -- three-phase commit (participant.hpp) ------------------------------------

CAF_ADD_TYPE_ID(troupe_actors, (troupe::actors::precommit_request))

// -- lock waits (participants/shard.hpp) -------------------------------------

/// A shard's own timer: a read parked behind an intent waited long enough
/// (token).
CAF_ADD_ATOM(troupe_actors, troupe::actors, lock_wait_atom, "tr_lkwait")

// -- GC (apps, docs/mvcc.md "GC") --------------------------------------------

/// A node's GC: its own timer (a round is due), and (gc_atom, true) when a
/// collection it started finished.
CAF_ADD_ATOM(troupe_actors, troupe::actors, gc_atom, "tr_gc")
/// Asks a node's GC for the oldest start timestamp of a transaction that
/// runs on its node (uint64; the largest timestamp when none runs).
CAF_ADD_ATOM(troupe_actors, troupe::actors, oldest_atom, "tr_oldest")

// -- scans (participants/shard.hpp) ------------------------------------------

/// A scan a shard started on the store's scan thread finished (token); sent
/// by the shard to itself through its `handoff`.
CAF_ADD_ATOM(troupe_actors, troupe::actors, scanned_atom, "tr_scanned")

// -- transactions addressed by id (transaction.hpp) -------------------------

CAF_ADD_TYPE_ID(troupe_actors, (troupe::actors::txn_ref))

CAF_END_TYPE_ID_BLOCK(troupe_actors)

namespace troupe::actors {

/// Registers the `troupe_actors` type-id block and the error categories of
/// this module on `cfg`. Call once per config, before constructing the
/// `caf::actor_system`.
void add_message_types(caf::actor_system_config& cfg);

} // namespace troupe::actors
