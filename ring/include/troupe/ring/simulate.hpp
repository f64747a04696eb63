#pragma once

#include <cstdint>

#include "troupe/ring/error.hpp"

namespace troupe::ring {

/// A membership change to simulate. Nodes are called n1..n<nodes>; `add`
/// nodes n<nodes+1>.. join and the last `remove` of the original nodes leave,
/// all at once. Keys are the strings "key-0" .. "key-<keys-1>". Every node
/// has weight 1.
struct simulate_options {
  std::uint32_t nodes{10};    ///< 1..max_sim_nodes
  std::uint32_t vnodes{256};  ///< virtual nodes per node, 1..max_vnodes
  std::uint64_t keys{100000}; ///< 1..max_sim_keys
  std::uint32_t shards{64};   ///< 1..max_shards
  std::uint32_t add{0};       ///< nodes + add <= max_sim_nodes
  std::uint32_t remove{0};    ///< < nodes
};

inline constexpr std::uint32_t max_sim_nodes = 100000;
inline constexpr std::uint64_t max_sim_keys = 100'000'000;

/// Keys per node: the smallest, mean and largest count over the members.
struct load_stats {
  std::uint64_t min{0};
  double mean{0};
  std::uint64_t max{0};

  [[nodiscard]] double max_over_mean() const noexcept {
    return mean > 0 ? static_cast<double>(max) / mean : 0;
  }
};

/// What one placement scheme did with the change.
struct scheme_report {
  load_stats load;                 ///< before the change
  load_stats load_after;           ///< after the change
  double moved_fraction{0};        ///< keys whose node changed / keys
  double shards_moved_fraction{0}; ///< shards whose node changed / shards
  /// True when every moved key and shard went to a joining node or left a
  /// leaving one: nothing moved between two nodes that stay.
  bool moved_to_new_only{true};
};

/// The consistent-hash ring against the modulo baseline, h(x) = (x mod m)+1
/// (keys: x = hash_key(key); shards: x = shard id).
struct simulate_report {
  simulate_options options;
  std::uint32_t nodes_after{0};
  scheme_report ring;
  scheme_report modulo;
};

/// Runs `options`. Fails with `errc::invalid_argument` naming the option
/// that is out of range, or `errc::too_many_points` (nodes x vnodes). Takes
/// O(keys x log points) time.
[[nodiscard]] result<simulate_report> simulate(const simulate_options& options);

} // namespace troupe::ring
