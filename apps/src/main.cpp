#include <iostream>

#include "commands.hpp"

int main(int argc, char** argv) {
  if (int code = troupe::app::check_failpoints_env()) return code;
  CLI::App app{"troupe: actor-model distributed transactions and durable "
               "workflows",
               "troupe"};
  app.set_version_flag("--version", "troupe " TROUPE_VERSION);
  app.require_subcommand(1);
  app.fallthrough(false);
  troupe::app::add_config_command(app);
  troupe::app::add_node_command(app);
  troupe::app::add_status_command(app);
  troupe::app::add_dev_command(app);
  troupe::app::add_ring_command(app);
  troupe::app::add_bench_command(app);
  troupe::app::add_failpoints_command(app);
  troupe::app::add_txn_commands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 reports argument errors with exit code 106 and friends; map every
    // usage error onto our "bad input" code so scripts see one meaning.
    int code = app.exit(e);
    if (code != 0 && dynamic_cast<const CLI::RuntimeError*>(&e) == nullptr)
      return troupe::app::exit_bad_input;
    return code;
  }
  return troupe::app::exit_ok;
}
