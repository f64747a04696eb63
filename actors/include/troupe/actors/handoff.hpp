#pragma once

#include <functional>

#include <caf/actor.hpp>
#include <caf/message.hpp>
#include <caf/weak_intrusive_ptr.hpp>

namespace troupe::actors {

/// Delivers `msg` to `dest` from a thread CAF does not own, e.g. the mvcc
/// group-commit writer that runs the completion of a durable write.
///
/// Actors that start durable writes never touch their state from the
/// completion: it only hands a message back to the actor (usually the actor
/// itself: `(durable_atom, token)`), and the actor continues on its own
/// thread. The hand-off is injectable because CAF's deterministic test
/// scheduler is single-threaded: there, a foreign thread must not enqueue
/// into mailboxes; the test fixture queues the message and delivers it from
/// the test thread.
///
/// `dest` is weak: the writer thread must never hold the last strong
/// reference to an actor (it would destroy the actor there, possibly after
/// its actor system). A message for an actor that is gone is dropped.
/// Shutdown order for a node: stop the actors, close the store (which
/// drains its writes), then destroy the actor system.
///
/// A hand-off is called from any thread, must not block and must not throw.
using handoff =
  std::function<void(const caf::weak_actor_ptr& dest, caf::message msg)>;

/// Returns the production hand-off: an anonymous send straight into
/// `dest`'s mailbox (CAF mailboxes and real schedulers are thread-safe).
[[nodiscard]] handoff direct_handoff();

} // namespace troupe::actors
