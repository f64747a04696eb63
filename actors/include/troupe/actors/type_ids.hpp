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

#include "troupe/actors/supervisor_types.hpp"
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

CAF_END_TYPE_ID_BLOCK(troupe_actors)

namespace troupe::actors {

/// Registers the `troupe_actors` type-id block and the error categories of
/// this module on `cfg`. Call once per config, before constructing the
/// `caf::actor_system`.
void add_message_types(caf::actor_system_config& cfg);

} // namespace troupe::actors
