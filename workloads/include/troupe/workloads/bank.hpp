#pragma once

// The bank workload (docs/testing.md): N accounts over all shards,
// concurrent transfers between two accounts, each transfer journaled on
// both accounts, and a final check that the money is all there and that
// every acknowledged transfer, and no failed one, is in the journals.
//
// Keys (P = `prefix`; account i places by its hash tag, so an account and
// its journal share a shard):
//   P/acct/{P:i}/i                balance, decimal
//   P/journal/{P:i}/i/<transfer>  the signed amount that transfer moved
// In single-shard mode the tag is {P:g<i/4>}: groups of four accounts share
// a shard and transfers stay inside a group (one-phase commits).

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "troupe/client/client.hpp"

namespace troupe::workloads {

struct bank_options {
  std::uint32_t accounts = 64;
  std::uint32_t clients = 8; ///< concurrent transfer threads
  std::chrono::milliseconds duration{10000};
  bool cross_shard = true; ///< false: both accounts on one shard (1PC)
  std::int64_t initial_balance = 1000;
  std::int64_t max_amount = 10; ///< a transfer moves 1..max_amount
  client::isolation_level isolation = client::isolation_level::snapshot;
  bool three_phase = false; ///< commit transfers with three-phase commit
  std::uint64_t seed = 1;
  /// Key namespace; empty: "bank-<seed>-<time>", fresh for every run. No
  /// '{', '}' or '/'.
  std::string prefix;
  /// Audits: every this often, one read of all balances must sum to the
  /// total (0: no audits).
  std::chrono::milliseconds audit_every{1000};
};

/// The transfers that committed in one second of a run (by when they
/// finished), to show how throughput and latency move during a run.
struct bank_second {
  std::uint64_t committed = 0;
  double p50_ms = 0, p99_ms = 0; ///< of the transfers in this second
};

/// What a run did and what the final check found.
struct bank_report {
  std::string prefix;
  double seconds = 0; ///< measured duration of the transfer phase
  /// Wall-clock start of the transfer phase (ms since the Unix epoch), so
  /// that other processes' counters can be read over the same window.
  std::int64_t window_start_unix_ms = 0;
  /// CPU time (user + system) this process spent in the transfer phase.
  double client_cpu_s = 0;
  // Transfers by outcome. A transfer is one transaction attempt with a
  // fresh id (never retried: the counts stay exact).
  std::uint64_t committed = 0;
  std::uint64_t aborted = 0;      ///< failed with an error: must not be visible
  std::uint64_t unknown = 0;      ///< outcome_unknown: resolved by the check
  std::uint64_t one_phase = 0;    ///< committed in one phase
  std::uint64_t insufficient = 0; ///< skipped: balance below the amount
  std::uint64_t begin_failures = 0; ///< no node started a transaction
  std::map<std::string, std::uint64_t> aborts_by_reason; ///< errc name
  double transfers_per_s = 0;                ///< committed / seconds
  double p50_ms = 0, p99_ms = 0, max_ms = 0; ///< committed transfers
  std::uint64_t failovers = 0; ///< begins that moved to another node
  /// Second i holds the transfers that finished in [i, i + 1) s of the
  /// transfer phase (the last one may be shorter).
  std::vector<bank_second> per_second;
  // Audits during the run.
  std::uint64_t audits = 0;
  std::uint64_t audit_failures = 0; ///< a read that did not sum up
  std::uint64_t audit_errors = 0;   ///< an audit that got an error
  // The final check.
  std::int64_t expected_total = 0;
  std::int64_t final_total = 0;
  bool total_ok = false; ///< final_total == expected_total, also in one read
  std::uint64_t acked_missing = 0;      ///< acknowledged, not in both journals
  std::uint64_t failed_present = 0;     ///< failed, in a journal
  std::uint64_t unknown_committed = 0;  ///< unknown, found in both journals
  std::uint64_t torn = 0;               ///< in one journal of two
  std::uint64_t balance_mismatches = 0; ///< balance != initial + journal
  std::uint64_t negative = 0;           ///< accounts below zero
  bool journals_ok = false;             ///< the five counts above are zero
  std::string check_error;              ///< the final read failed (then !ok)

  [[nodiscard]] bool ok() const noexcept {
    return total_ok && journals_ok && audit_failures == 0 &&
           check_error.empty();
  }
};

/// Creates the accounts (each at `initial_balance`) under a fresh prefix,
/// runs `clients` transfer threads for `duration`, then checks. Errors: the
/// setup's (accounts could not be created) and invalid_argument for bad
/// options; a failing final read is reported in `check_error`.
/// `on_tick`, when set, is called about once a second with the running
/// report (counts only) from the calling thread.
[[nodiscard]] caf::expected<bank_report>
run_bank(client::client& c, bank_options opts,
         const std::function<void(const bank_report&)>& on_tick = {});

} // namespace troupe::workloads
