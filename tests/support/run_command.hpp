#pragma once

#include <string>
#include <vector>

namespace troupe::test {

/// What a finished child process printed and how it ended.
struct command_result {
  int exit_code = -1; ///< exit status, or -1 when killed by a signal
  std::string out;    ///< everything written to stdout
  std::string err;    ///< everything written to stderr
};

/// Runs `argv` (argv[0] is a path) to completion with `input` on stdin and
/// returns its exit code and output. No shell is involved.
command_result run_command(const std::vector<std::string>& argv,
                           const std::string& input = "");

/// Replaces the current (forked) process with `argv`; exits 127 on failure.
[[noreturn]] void exec_or_exit(const std::vector<std::string>& argv);

/// Writes `contents` to a fresh file under a per-process temp directory and
/// returns its path.
std::string write_temp_file(const std::string& name,
                            const std::string& contents);

} // namespace troupe::test
