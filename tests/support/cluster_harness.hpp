#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace troupe::test {

/// Returns a TCP port on 127.0.0.1 that was free a moment ago.
std::uint16_t free_port();

/// Calls `pred` until it returns true or `timeout` passes (polling every
/// `every`). Returns whether it became true: a condition with a deadline,
/// never a blind sleep.
bool wait_until(std::chrono::milliseconds timeout,
                const std::function<bool()>& pred,
                std::chrono::milliseconds every = std::chrono::milliseconds{
                  50});

/// A child process whose stdout and stderr go to `log_path`. Killed with
/// SIGKILL when destroyed if still running.
class child_process {
 public:
  /// `env` is added to the child's environment (name, value).
  child_process(
    const std::vector<std::string>& argv, std::string log_path,
    const std::vector<std::pair<std::string, std::string>>& env = {});
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  /// Sends `sig` and, for SIGKILL/SIGTERM/SIGINT, waits for the exit.
  /// Returns the exit code (or -signal).
  int stop(int sig);
  [[nodiscard]] bool running();
  /// The exit code once it ended (-signal when killed), else nullopt.
  [[nodiscard]] std::optional<int> exit_code();
  [[nodiscard]] pid_t pid() const { return pid_; }
  [[nodiscard]] std::string log() const;
  /// What the kernel says about the running process (state, threads,
  /// where it sleeps, its threads' stacks when readable), for the message
  /// of a test that found it stuck; "not running" otherwise.
  [[nodiscard]] std::string kernel_view() const;

 private:
  pid_t pid_ = -1;
  int status_ = 0;
  std::string log_path_;
};

/// Config text for `local_cluster`: heartbeats every 200 ms, a peer down
/// after 1 s of silence, short connect and retry intervals.
extern const std::string fast_timeouts_toml;

/// A cluster of `troupe node` processes on free loopback ports, with its
/// config written to a fresh temp directory that is removed afterwards.
class local_cluster {
 public:
  /// `extra_toml` is appended to the generated config (e.g. [timeouts]).
  local_cluster(std::string troupe_bin, std::size_t nodes,
                const std::string& extra_toml = "");
  ~local_cluster();

  /// Starts (or restarts) `node`; `env` is added to its environment, e.g.
  /// {"TROUPE_FAILPOINTS", "coordinator.after_commit_durable=crash"}.
  void start(const std::string& node,
             const std::vector<std::pair<std::string, std::string>>& env = {});
  /// True while the node's process runs.
  [[nodiscard]] bool running(const std::string& node);
  /// The node's exit code once it ended (see child_process::exit_code).
  [[nodiscard]] std::optional<int> exit_code(const std::string& node);
  void start_all();
  /// Sends `sig` to the node's process (SIGKILL, SIGSTOP, ...).
  int signal(const std::string& node, int sig);
  [[nodiscard]] std::string log(const std::string& node) const;
  /// The node's log followed by `child_process::kernel_view`.
  [[nodiscard]] std::string diagnose(const std::string& node) const;

  /// Runs `troupe status --json`; returns null JSON when it fails to parse
  /// or comes from another cluster (names are unique per instance).
  nlohmann::json status();
  /// Returns node -> "up"/"down" from `status()` (empty when unreachable).
  std::map<std::string, std::string> states();
  /// Returns true when `status()` shows every node up.
  bool all_up();
  /// Returns the first node whose log says it runs the timestamp oracle
  /// (`with_oracle`), or the first that does not; "" when none.
  [[nodiscard]] std::string oracle_node(bool with_oracle) const;

  /// Returns node -> one key `<prefix><i>` whose shard lives on that node
  /// (per `status()`, keys over `shards` shards).
  std::map<std::string, std::string> key_per_node(const std::string& prefix,
                                                  std::uint32_t shards = 64);

  [[nodiscard]] const std::string& config_path() const { return config_; }
  [[nodiscard]] const std::string& dir() const { return dir_; }
  [[nodiscard]] const std::vector<std::string>& names() const { return names_; }
  [[nodiscard]] std::uint16_t port(const std::string& node) const {
    return ports_.at(node);
  }

 private:
  std::string bin_;
  std::string dir_;
  std::string config_;
  std::string name_; ///< the cluster's name, unique per instance
  std::vector<std::string> names_;
  std::map<std::string, std::uint16_t> ports_;
  std::map<std::string, std::unique_ptr<child_process>> procs_;
  int restarts_ = 0;
};

} // namespace troupe::test
