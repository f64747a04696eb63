// examples/bank: move money between accounts in transactions.
//
//   bank --config FILE [--accounts N] [--clients C] [--seconds S]
//        [--single-shard]
//
// First one transfer written out with the client API (client.hpp), then
// the bank workload (workloads/bank.hpp): N accounts over all shards, C
// threads moving money for S seconds, throughput, and a check that the
// total is unchanged and every acknowledged transfer is in the journals.
#include <cstdlib>
#include <iomanip>
#include <iostream>

#include <CLI/CLI.hpp>

#include "troupe/actors/errc.hpp"
#include "troupe/client/client.hpp"
#include "troupe/config/config_error.hpp"
#include "troupe/config/load.hpp"
#include "troupe/workloads/bank.hpp"

namespace {

using troupe::client::transaction;

/// Moves `amount` from `from` to `to` in one transaction; `run` retries it
/// when it loses a race (write_conflict, locked) or a node is unreachable.
caf::expected<troupe::client::txn_committed>
move_money(troupe::client::client& bank, const std::string& from,
           const std::string& to, long amount) {
  return bank.run([&](transaction& t) -> caf::error {
    auto a = t.get(from);
    if (!a) return a.error();
    auto b = t.get(to);
    if (!b) return b.error();
    long balance_a = *a ? std::stol(**a) : 0;
    long balance_b = *b ? std::stol(**b) : 0;
    if (auto err = t.put(from, std::to_string(balance_a - amount))) return err;
    return t.put(to, std::to_string(balance_b + amount));
  });
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"troupe bank example"};
  std::string config;
  troupe::workloads::bank_options opts;
  double seconds = 5;
  bool single_shard = false;
  app.add_option("--config", config, "TOML cluster config")->required();
  app.add_option("--accounts", opts.accounts, "Accounts")
    ->capture_default_str();
  app.add_option("--clients", opts.clients, "Concurrent clients")
    ->capture_default_str();
  app.add_option("--seconds", seconds, "Seconds of transfers")
    ->capture_default_str();
  app.add_flag("--single-shard", single_shard,
               "Transfers inside one shard (one-phase commits)");
  CLI11_PARSE(app, argc, argv);
  opts.duration = std::chrono::milliseconds{static_cast<long>(seconds * 1000)};
  opts.cross_shard = !single_shard;

  troupe::config::cluster_config cluster;
  try {
    cluster = troupe::config::load_file(config);
  } catch (const troupe::config::config_error& e) {
    std::cerr << e.what() << '\n';
    return 2;
  }
  auto bank = troupe::client::client::connect(cluster);
  if (!bank) {
    std::cerr << troupe::actors::describe(bank.error()) << '\n';
    return 1;
  }

  // One transfer, written out: alice pays bob 30.
  auto done = move_money(*bank, "example/{alice}", "example/{bob}", 30);
  if (!done) {
    std::cerr << "transfer failed: " << troupe::actors::describe(done.error())
              << '\n';
    return 1;
  }
  std::cout << "alice paid bob 30 at timestamp " << done->commit_ts << " ("
            << (done->one_phase ? "one phase" : "two phases") << ")\n";

  // Many transfers at once, then the check.
  auto report = troupe::workloads::run_bank(*bank, opts);
  if (!report) {
    std::cerr << troupe::actors::describe(report.error()) << '\n';
    return 1;
  }
  std::cout << std::fixed << std::setprecision(1) << report->committed
            << " transfers in " << report->seconds
            << " s: " << report->transfers_per_s << " transfers/s, p99 "
            << report->p99_ms << " ms, " << report->aborted
            << " aborted (lost a race; run() would retry them)\n"
            << "total " << report->final_total << " of "
            << report->expected_total << ": " << (report->ok() ? "ok" : "WRONG")
            << '\n';
  return report->ok() ? EXIT_SUCCESS : EXIT_FAILURE;
}
