#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "troupe/actors/backoff.hpp"
#include "troupe/actors/supervisor_types.hpp"
#include "troupe/actors/type_ids.hpp"

namespace troupe::actors {

/// How to run one child of a supervisor.
struct child_spec {
  /// Unique within its supervisor; callers look the child up by it.
  std::string name;

  /// Spawns the child and returns its handle, or an error (counts as a
  /// failed start: backoff and restart limit apply). Called on the
  /// supervisor's thread; must not block. The child must not be linked to
  /// the supervisor (the supervisor monitors it).
  std::function<caf::expected<caf::actor>(caf::actor_system&)> start;

  /// Optional. Runs before every start, the first one included, while no
  /// instance of the child exists, so the child never sees a message before
  /// its recovery finished (reopen a store, reload intents). An error counts
  /// as a failed start. Runs on the supervisor's thread; must not block long.
  std::function<caf::error()> recover;

  restart_type restart{restart_type::permanent};
};

/// How a supervisor restarts its children.
struct supervisor_options {
  /// Reported in stats and in the escalation error's context.
  std::string name{"supervisor"};
  restart_strategy strategy{restart_strategy::one_for_one};
  /// More than `max_restarts` restarts (failed starts included) within
  /// `window`, counted over all children, make the supervisor give up.
  std::uint32_t max_restarts{3};
  std::chrono::nanoseconds window{std::chrono::seconds{5}};
  /// Delay before a restart; attempt n of a child uses `backoff.delay(n)`.
  /// The attempt counter of a child goes back to 1 when it failed after
  /// running for at least `window`.
  backoff_policy backoff;
  /// Seeds the jitter; same seed and same events give the same delays.
  std::uint64_t seed{0};
};

/// A supervisor: starts its children in order, monitors them and restarts
/// them by their restart type and the strategy, after a backoff delay taken
/// from the actor clock (a deterministic test scheduler controls it).
///
/// - `(get_child_atom, name)` replies the child's current `caf::actor`
///   handle; ask again after a restart, old handles point to dead actors.
///   Errors: `supervisor_errc::unknown_child` (no such child, do not retry),
///   `supervisor_errc::child_not_running` (restarting: retry later; or
///   stopped for good).
/// - `(get_stats_atom)` replies `supervisor_stats` (restart counts per child,
///   status, restarts within the window). No errors.
/// - `(restart_due_atom, token)`: internal, the supervisor's own timer;
///   unknown tokens are ignored.
///
/// Exit: after more than `max_restarts` restarts within `window` the
/// supervisor stops every child (`exit_reason::user_shutdown`), waits for
/// them to exit and quits with `supervisor_errc::restart_limit_exceeded`, so
/// its own supervisor (a monitor) sees an abnormal exit and applies its
/// strategy. An exit message with a non-normal reason makes it stop its
/// children the same way and quit with that reason. If it is killed
/// (`exit_reason::kill`), it sends `user_shutdown` to its children without
/// waiting.
using supervisor_actor = caf::typed_actor<
  caf::replies_to<get_child_atom, std::string>::with<caf::actor>,
  caf::replies_to<get_stats_atom>::with<supervisor_stats>,
  caf::reacts_to<restart_due_atom, std::uint64_t>>;

/// Spawns a supervisor for `children` (which it starts in order once it
/// runs). Fails with `supervisor_errc::invalid_child_spec` if a name is
/// empty or used twice, or a start function is missing.
[[nodiscard]] caf::expected<supervisor_actor>
spawn_supervisor(caf::actor_system& sys, supervisor_options options,
                 std::vector<child_spec> children);

/// Returns a child spec that runs a nested supervisor: supervisors nest, and
/// the parent restarts this one when it escalates. An invalid spec makes
/// every start fail with `invalid_child_spec`.
[[nodiscard]] child_spec
supervisor_child(std::string name, supervisor_options options,
                 std::vector<child_spec> children,
                 restart_type restart = restart_type::permanent);

} // namespace troupe::actors
