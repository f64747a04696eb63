// troupe bench bank --config FILE [--clients C] [--duration S]
//   [--accounts N] [--cross-shard] [--serializable] [--3pc] [--seed N]
//   [--json]
#include <iostream>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "load_config.hpp"
#include "troupe/actors/errc.hpp"
#include "troupe/client/client.hpp"
#include "troupe/workloads/bank.hpp"

namespace troupe::app {

namespace {

struct bank_bench_options {
  std::string config;
  std::uint32_t clients = 8;
  double duration = 10;
  std::uint32_t accounts = 64;
  bool cross_shard = false;
  bool serializable = false;
  bool three_phase = false;
  std::uint64_t seed = 1;
  std::uint32_t audit_ms = 1000;
  bool json = false;
};

nlohmann::ordered_json to_json(const bank_bench_options& o,
                               const workloads::bank_report& r) {
  nlohmann::ordered_json reasons = nlohmann::ordered_json::object();
  for (const auto& [why, n] : r.aborts_by_reason)
    reasons[why] = n;
  auto seconds = nlohmann::ordered_json::array();
  for (const auto& s : r.per_second)
    seconds.push_back(
      {{"committed", s.committed}, {"p50_ms", s.p50_ms}, {"p99_ms", s.p99_ms}});
  return {{"machine", machine_summary()},
          {"allocator", allocator_name()},
          {"clients", o.clients},
          {"accounts", o.accounts},
          {"cross_shard", o.cross_shard},
          {"isolation", o.serializable ? "serializable" : "snapshot"},
          {"commit_protocol", o.three_phase ? "3pc" : "2pc"},
          {"seconds", r.seconds},
          {"window_start_unix_ms", r.window_start_unix_ms},
          {"client_cpu_s", r.client_cpu_s},
          {"prefix", r.prefix},
          {"transfers_per_s", r.transfers_per_s},
          {"p50_ms", r.p50_ms},
          {"p99_ms", r.p99_ms},
          {"max_ms", r.max_ms},
          {"committed", r.committed},
          {"aborted", r.aborted},
          {"unknown", r.unknown},
          {"aborts_by_reason", reasons},
          {"one_phase", r.one_phase},
          {"insufficient", r.insufficient},
          {"begin_failures", r.begin_failures},
          {"failovers", r.failovers},
          {"per_second", seconds},
          {"audits", r.audits},
          {"audit_failures", r.audit_failures},
          {"audit_errors", r.audit_errors},
          {"expected_total", r.expected_total},
          {"final_total", r.final_total},
          {"total_ok", r.total_ok},
          {"acked_missing", r.acked_missing},
          {"failed_present", r.failed_present},
          {"unknown_committed", r.unknown_committed},
          {"torn", r.torn},
          {"balance_mismatches", r.balance_mismatches},
          {"negative", r.negative},
          {"journals_ok", r.journals_ok},
          {"check_error", r.check_error},
          {"ok", r.ok()}};
}

void print_text(const workloads::bank_report& r) {
  fmt::print("transfers: {} committed ({} one-phase), {} aborted, {} unknown "
             "outcome, {} skipped (balance too low)\n",
             r.committed, r.one_phase, r.aborted, r.unknown, r.insufficient);
  for (const auto& [why, n] : r.aborts_by_reason)
    fmt::print("  not committed: {} x {}\n", n, why);
  fmt::print("throughput: {:.0f} transfers/s over {:.1f} s; latency p50 "
             "{:.2f} ms, p99 {:.2f} ms, max {:.2f} ms\n",
             r.transfers_per_s, r.seconds, r.p50_ms, r.p99_ms, r.max_ms);
  fmt::print("audits: {} ({} did not sum up, {} errors)\n", r.audits,
             r.audit_failures, r.audit_errors);
  if (!r.check_error.empty())
    fmt::print("check: FAILED to read the accounts: {}\n", r.check_error);
  fmt::print("total: {} (expected {}): {}\n", r.final_total, r.expected_total,
             r.total_ok ? "ok" : "WRONG");
  fmt::print("journals: {} acknowledged missing, {} failed present, {} torn, "
             "{} balance mismatches, {} negative, {} of {} unknown "
             "committed: {}\n",
             r.acked_missing, r.failed_present, r.torn, r.balance_mismatches,
             r.negative, r.unknown_committed, r.unknown,
             r.journals_ok ? "ok" : "WRONG");
}

int run_bank_bench(const bank_bench_options& o) {
  auto cfg = load_config_or_report(o.config);
  if (!cfg) return exit_bad_input;
  auto c = client::client::connect(*cfg);
  if (!c) {
    std::cerr << "troupe bench bank: " << actors::describe(c.error()) << '\n';
    return exit_failure;
  }
  workloads::bank_options opts;
  opts.accounts = o.accounts;
  opts.clients = o.clients;
  opts.duration =
    std::chrono::milliseconds{static_cast<std::int64_t>(o.duration * 1000)};
  opts.cross_shard = o.cross_shard;
  opts.seed = o.seed;
  opts.isolation = o.serializable ? client::isolation_level::serializable
                                  : client::isolation_level::snapshot;
  opts.three_phase = o.three_phase;
  opts.audit_every = std::chrono::milliseconds{o.audit_ms};
  if (!o.json)
    fmt::print(
      "bank: {} accounts, {} clients, {:.0f} s, {} transfers, "
      "cluster '{}' ({} nodes)\nmachine: {}\nallocator: {}\n",
      o.accounts, o.clients, o.duration,
      o.cross_shard ? (o.three_phase ? "cross-shard (3PC)" : "cross-shard")
                    : "single-shard",
      cfg->name, cfg->nodes.size(), machine_summary(), allocator_name());
  auto tick = [&](const workloads::bank_report& now) {
    if (o.json) return;
    fmt::print("  {:5.1f} s: {} committed, {} aborted, {} unknown\n",
               now.seconds, now.committed, now.aborted, now.unknown);
    std::fflush(stdout);
  };
  auto report = workloads::run_bank(*c, opts, tick);
  if (!report) {
    std::cerr << "troupe bench bank: " << actors::describe(report.error())
              << '\n';
    return exit_failure;
  }
  if (o.json)
    std::cout << to_json(o, *report).dump(2) << '\n';
  else
    print_text(*report);
  return report->ok() ? exit_ok : exit_failure;
}

} // namespace

void add_bank_bench(CLI::App& bench) {
  auto o = std::make_shared<bank_bench_options>();
  auto* cmd = bench.add_subcommand(
    "bank", "Concurrent bank transfers against a running cluster: "
            "throughput, latency, aborts by reason, and a final check that "
            "the money and the journals add up (exit 1 when they do not)");
  cmd->add_option("--config", o->config, "TOML cluster config")->required();
  cmd->add_option("--clients", o->clients, "Concurrent clients (threads)")
    ->check(CLI::PositiveNumber)
    ->capture_default_str();
  cmd->add_option("--duration", o->duration, "Seconds of transfers")
    ->check(CLI::PositiveNumber)
    ->capture_default_str();
  cmd->add_option("--accounts", o->accounts, "Accounts (at least 2)")
    ->check(CLI::Range(2u, 10000000u))
    ->capture_default_str();
  cmd->add_flag("--cross-shard", o->cross_shard,
                "Transfer between accounts on different shards (2PC); "
                "default: inside one shard (1PC)");
  cmd->add_flag("--serializable", o->serializable,
                "Serializable isolation (default: snapshot)");
  cmd->add_flag("--3pc", o->three_phase,
                "Cross-shard transfers commit with three-phase commit "
                "(default: two-phase)");
  cmd->add_option("--seed", o->seed, "Seed of the transfer choices")
    ->capture_default_str();
  cmd
    ->add_option("--audit-ms", o->audit_ms,
                 "Milliseconds between audits during the run: one snapshot "
                 "read of every balance that must sum to the total "
                 "(0: none; the final check always runs)")
    ->capture_default_str();
  cmd->add_flag("--json", o->json, "Print one JSON object");
  cmd->callback([o] { finish(run_bank_bench(*o)); });
}

} // namespace troupe::app
