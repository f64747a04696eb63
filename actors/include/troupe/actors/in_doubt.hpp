#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <cstdint>

namespace troupe::actors {

// Plain integers, not the txn_id / shard_id aliases: wire.hpp includes
// this header, and the message headers include wire.hpp.

/// A prepared transaction a shard is waiting on.
struct in_doubt_txn {
  std::uint64_t txn = 0;
  std::uint32_t shard = 0;
  std::string coordinator; ///< the node that holds its decision
  double age_s = 0;        ///< since this shard (incarnation) first saw it
};

/// The in-doubt transactions of one node's shards, for `troupe status`.
/// Shards replace their entries after each recovery sweep; the node reads
/// them. Thread-safe.
class in_doubt_table {
 public:
  using clock = std::chrono::steady_clock;

  struct entry {
    std::uint64_t txn = 0;
    std::string coordinator;
    clock::time_point since;
  };

  /// Replaces what `shard` reported before.
  void set(std::uint32_t shard, std::vector<entry> entries) {
    std::lock_guard<std::mutex> guard{mx_};
    if (entries.empty())
      by_shard_.erase(shard);
    else
      by_shard_[shard] = std::move(entries);
  }

  /// Returns every entry with its age at `now`, by shard, then txn.
  [[nodiscard]] std::vector<in_doubt_txn>
  list(clock::time_point now = clock::now()) const {
    std::lock_guard<std::mutex> guard{mx_};
    std::vector<in_doubt_txn> out;
    for (const auto& [shard, entries] : by_shard_)
      for (const auto& e : entries)
        out.push_back({e.txn, shard, e.coordinator,
                       std::chrono::duration<double>(now - e.since).count()});
    return out;
  }

 private:
  mutable std::mutex mx_;
  std::map<std::uint32_t, std::vector<entry>> by_shard_;
};

} // namespace troupe::actors
