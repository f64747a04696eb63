// troupe failpoints list
#include <fmt/format.h>

#include "commands.hpp"
#include "troupe/failpoints/failpoints.hpp"

namespace troupe::app {

namespace {

/// Prints every fail point of this build, one per line, with its spec from
/// TROUPE_FAILPOINTS (applied by `check_failpoints_env` in main) after a tab
/// when it has one.
int run_list() {
  namespace fp = troupe::failpoints;
  if (!fp::compiled_in) {
    fmt::print("fail points are compiled out of this build (configure with "
               "-DTROUPE_FAILPOINTS=ON)\n");
    return exit_ok;
  }
  auto names = fp::list();
  if (names.empty())
    fmt::print(stderr, "troupe: this build has fail points compiled in but "
                       "no sites yet\n");
  for (const auto& name : names) {
    if (auto s = fp::current(name))
      fmt::print("{}\t{}\n", name, fp::to_string(*s));
    else
      fmt::print("{}\n", name);
  }
  return exit_ok;
}

} // namespace

int check_failpoints_env() {
  if (auto st = troupe::failpoints::load_from_env(); !st) {
    fmt::print(stderr, "troupe: TROUPE_FAILPOINTS: {}\n", st.reason());
    return exit_bad_input;
  }
  return exit_ok;
}

void add_failpoints_command(CLI::App& app) {
  auto* failpoints = app.add_subcommand(
    "failpoints", "Fail points for fault tests (docs/failpoints.md)");
  failpoints->require_subcommand(1);
  auto* list = failpoints->add_subcommand(
    "list", "Print the fail points compiled into this build, with the spec "
            "TROUPE_FAILPOINTS gives each");
  list->callback([] { finish(run_list()); });
}

} // namespace troupe::app
