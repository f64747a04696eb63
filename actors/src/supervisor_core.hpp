#pragma once

// The supervisor's logic without an actor: every effect on the outside world
// goes through `supervisor_effects`, so tests can drive it with a fake.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>
#include <caf/actor_clock.hpp>
#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "troupe/actors/backoff.hpp"
#include "troupe/actors/supervisor.hpp"

namespace troupe::actors {

/// What the supervisor does to the world; the actor implements it with
/// spawn, monitor, send_exit, delayed_send and quit.
class supervisor_effects {
 public:
  virtual ~supervisor_effects() = default;
  /// Runs `spec.start`.
  [[nodiscard]] virtual caf::expected<caf::actor>
  spawn(const child_spec& spec) = 0;
  virtual void monitor(const caf::actor& child) = 0;
  /// Asks `child` to exit (exit_reason::user_shutdown); its exit arrives
  /// later through `on_down`.
  virtual void stop(const caf::actor& child) = 0;
  /// Calls `on_restart_due(token)` after `delay`.
  virtual void schedule(std::uint64_t token, caf::timespan delay) = 0;
  /// Terminates the supervisor with `reason`.
  virtual void quit(caf::error reason) = 0;
};

/// Children, strategy, backoff and restart limit of one supervisor.
class supervisor_core {
 public:
  using time_point = caf::actor_clock::time_point;

  /// `fx` must outlive every call that may cause effects.
  supervisor_core(supervisor_options options, std::vector<child_spec> specs,
                  supervisor_effects& fx);

  /// Starts every child in order.
  void start(time_point now);

  /// A monitored actor exited. Unknown addresses are ignored.
  void on_down(const caf::actor_addr& who, const caf::error& reason,
               time_point now);

  /// A timer set through `supervisor_effects::schedule` fired.
  void on_restart_due(std::uint64_t token, time_point now);

  /// Stops every child, then quits with `reason`. Later calls are ignored.
  void shutdown(caf::error reason);

  /// Returns the running child `name`; errors: unknown_child,
  /// child_not_running.
  [[nodiscard]] caf::expected<caf::actor> child(const std::string& name) const;

  [[nodiscard]] supervisor_stats stats(time_point now);

  /// Handles of children that may still be alive.
  [[nodiscard]] std::vector<caf::actor> live_children() const;

  [[nodiscard]] bool terminating() const noexcept { return terminating_; }

 private:
  struct child_entry {
    child_spec spec;
    child_stats stats;
    caf::actor handle;
    time_point started_at;
    std::uint32_t attempt{0}; ///< consecutive failures, for the backoff
    bool ever_started{false};
    bool restart_after_stop{false};
  };

  /// Starts `batch` (indexes, in order) and returns when done or when a
  /// failure under all-for-one restarted the group.
  void start_batch(const std::vector<std::size_t>& batch, time_point now);
  [[nodiscard]] bool start_child(std::size_t index, time_point now);
  void on_failure(std::size_t index, const caf::error& reason, bool was_running,
                  time_point now);
  void stop_siblings(std::size_t failed);
  void schedule_restart(std::vector<std::size_t> batch, caf::timespan delay);
  void maybe_schedule_group();
  void escalate(std::size_t index);
  void begin_shutdown(caf::error reason);
  void maybe_quit();
  [[nodiscard]] bool should_restart(const child_entry& c,
                                    const caf::error& reason) const;
  [[nodiscard]] child_entry* find(const caf::actor_addr& who,
                                  std::size_t& index);

  supervisor_options options_;
  supervisor_effects& fx_;
  std::vector<child_entry> children_;
  backoff backoff_;
  restart_intensity intensity_;
  std::map<std::uint64_t, std::vector<std::size_t>> scheduled_;
  std::uint64_t next_token_{1};
  bool group_pending_{false}; ///< all-for-one: waiting for stops
  caf::timespan group_delay_{0};
  bool terminating_{false};
  caf::error exit_reason_;
};

} // namespace troupe::actors
