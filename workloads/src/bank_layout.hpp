#pragma once

// Private: the bank's keys and what a run records per transfer.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "troupe/ring/hash.hpp"
#include "troupe/workloads/bank.hpp"

namespace troupe::workloads::detail {

/// Where account i and its journal live (bank.hpp).
struct bank_layout {
  std::string prefix;
  bool cross_shard = true;
  std::uint32_t accounts = 0;

  [[nodiscard]] std::string tag(std::uint32_t i) const {
    return prefix + (cross_shard ? ":" : ":g") +
           std::to_string(cross_shard ? i : i / 4);
  }
  [[nodiscard]] std::string accounts_prefix() const {
    return prefix + "/acct/";
  }
  [[nodiscard]] std::string account(std::uint32_t i) const {
    return accounts_prefix() + "{" + tag(i) + "}/" + std::to_string(i);
  }
  [[nodiscard]] std::string journal_prefix(std::uint32_t i) const {
    return prefix + "/journal/{" + tag(i) + "}/" + std::to_string(i) + "/";
  }
  [[nodiscard]] std::string journal(std::uint32_t i,
                                    const std::string& transfer) const {
    return journal_prefix(i) + transfer;
  }
  /// The shard of account i among `shards`.
  [[nodiscard]] std::uint32_t shard(std::uint32_t i,
                                    std::uint32_t shards) const {
    return ring::shard_of(account(i), shards);
  }
};

/// One transfer attempt that reached commit (or failed before it).
struct transfer_record {
  enum class outcome : std::uint8_t { ok, failed, unknown };
  std::string id;
  std::uint32_t from = 0;
  std::uint32_t to = 0;
  outcome result = outcome::failed;
};

/// Reads every balance and journal at one snapshot and fills the check
/// fields of `report` for `records`.
void check_bank(client::client& c, const bank_layout& layout,
                const bank_options& opts,
                const std::vector<transfer_record>& records,
                bank_report& report);

/// Runs `fn(w)` for every w in [0, threads), each on its own thread, and
/// returns the first error (by w) once all are done.
[[nodiscard]] caf::error
in_parallel(std::uint32_t threads,
            const std::function<caf::error(std::uint32_t)>& fn);

/// Parses a decimal balance or amount ("-7", "+3", "12").
[[nodiscard]] bool parse_amount(const std::string& text, std::int64_t& out);

} // namespace troupe::workloads::detail
