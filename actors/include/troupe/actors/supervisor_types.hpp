#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>
#include <caf/meta/type_name.hpp>

namespace troupe::actors {

/// Which children a supervisor restarts when one of them fails.
enum class restart_strategy : std::uint8_t {
  one_for_one, ///< only the failed child
  all_for_one, ///< every child: stop the siblings, then start all in order
};

/// When a supervisor restarts a child that exited.
enum class restart_type : std::uint8_t {
  permanent, ///< always, whatever the exit reason
  transient, ///< only after an abnormal exit (reason != exit_reason::normal)
  temporary, ///< never
};

/// Where a child is in its life cycle, as reported by `supervisor_stats`.
enum class child_status : std::uint8_t {
  running,    ///< started and monitored; the handle is valid
  restarting, ///< waiting for its backoff delay before the next start
  stopping,   ///< told to stop by its supervisor, waiting for it to exit
  stopped,    ///< exited and will not be restarted
};

/// Returns "one_for_one", "permanent", "running", ...
[[nodiscard]] std::string to_string(restart_strategy x);
[[nodiscard]] std::string to_string(restart_type x);
[[nodiscard]] std::string to_string(child_status x);

/// Errors of a supervisor. Category atom: "supervisor".
enum class supervisor_errc : std::uint8_t {
  /// No child of that name. Not retryable.
  unknown_child = 1,
  /// The child exists but is not running now (restarting after a backoff or
  /// stopped for good). Retry after a while when it is restarting.
  child_not_running,
  /// Exit reason of a supervisor that gave up: its children failed more than
  /// `max_restarts` times within the window. Context: supervisor name, child.
  restart_limit_exceeded,
  /// A child's start function returned an invalid (null) handle; counts as
  /// a failed start.
  invalid_child_handle,
  /// `spawn_supervisor` got an unusable child spec (empty or duplicate name,
  /// no start function). Not retryable.
  invalid_child_spec,
};

[[nodiscard]] std::string to_string(supervisor_errc x);

/// One child as its supervisor sees it.
struct child_stats {
  std::string name;
  child_status status{child_status::stopped};
  std::uint32_t restarts{0};      ///< successful starts after the first one
  std::uint32_t failed_starts{0}; ///< start or recovery hook failures
  std::uint32_t exits{0};         ///< exits observed, stops ordered included
  caf::error last_exit;           ///< reason of the latest exit, or none
};

/// A supervisor's report (reply to `get_stats_atom`).
struct supervisor_stats {
  std::string name;
  restart_strategy strategy{restart_strategy::one_for_one};
  std::uint32_t recent_restarts{0};  ///< restarts within the current window
  std::vector<child_stats> children; ///< in start order

  /// Returns the child called `child_name`, or nullptr.
  [[nodiscard]] const child_stats* find(const std::string& child_name) const;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, child_stats& x) {
  return f(caf::meta::type_name("child_stats"), x.name, x.status, x.restarts,
           x.failed_starts, x.exits, x.last_exit);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, supervisor_stats& x) {
  return f(caf::meta::type_name("supervisor_stats"), x.name, x.strategy,
           x.recent_restarts, x.children);
}

} // namespace troupe::actors

CAF_ERROR_CODE_ENUM(troupe::actors::supervisor_errc, "supervisor")
