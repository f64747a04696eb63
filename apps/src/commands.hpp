#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace troupe::app {

/// Exit codes shared by every command.
enum exit_code : int {
  exit_ok = 0,
  exit_failure = 1,   ///< the operation ran and failed
  exit_bad_input = 2, ///< bad config, arguments or input file
};

/// Ends the current command with `code`; used from CLI11 callbacks.
[[noreturn]] inline void finish(int code) {
  throw CLI::RuntimeError(code);
}

// Each command group registers its subcommands on the top-level app.
void add_config_command(CLI::App& app);
void add_node_command(CLI::App& app);
void add_status_command(CLI::App& app);
void add_dev_command(CLI::App& app);
void add_ring_command(CLI::App& app);
void add_bench_command(CLI::App& app);
/// `troupe bench bank` (cmd_bench_bank.cpp), under `bench`.
void add_bank_bench(CLI::App& bench);
void add_failpoints_command(CLI::App& app);
/// txn, get, put, del: one transaction each (cmd_txn.cpp).
void add_txn_commands(CLI::App& app);

/// Reads TROUPE_FAILPOINTS now (docs/failpoints.md): exit_ok, or prints the
/// reason and returns exit_bad_input when it is malformed, names an unknown
/// fail point, or is set in a build without fail points.
int check_failpoints_env();

/// Returns "N cores (nproc), CPU model" of this machine, for benchmark
/// output.
[[nodiscard]] std::string machine_summary();

/// Returns the malloc this process runs on ("jemalloc 5.3.0-..." or
/// "glibc"), for benchmark output.
[[nodiscard]] std::string allocator_name();

} // namespace troupe::app
