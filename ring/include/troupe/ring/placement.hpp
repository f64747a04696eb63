#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "troupe/ring/error.hpp"
#include "troupe/ring/ring.hpp"

namespace troupe::ring {

/// Largest shard count (matches the config's limit).
inline constexpr std::uint32_t max_shards = 65536;

/// One shard changing owner.
struct shard_move {
  std::uint32_t shard;
  std::string from; ///< node that holds the shard's data now
  std::string to;   ///< node that takes it over

  friend bool operator==(const shard_move& a, const shard_move& b) {
    return a.shard == b.shard && a.from == b.from && a.to == b.to;
  }
};

/// The shards a membership change moves, in ascending shard order. Moves go
/// only to a joining node, from a leaving one, or to/from a node whose weight
/// changed: never between two unchanged nodes.
using move_plan = std::vector<shard_move>;

/// Keys hash into a fixed number of shards (`shard_of`); each shard lives on
/// the ring owner of its position hash_shard(shard). Holds the resulting
/// shard -> node table. Membership changes replace the ring and return the
/// moves; on error nothing changes.
///
/// Not thread-safe for writers: callers serialise membership changes; const
/// functions may run concurrently when no change is in progress.
class placement {
 public:
  /// Places `shards` shards on `r`. Fails with `errc::invalid_argument` when
  /// shards is 0 or > max_shards.
  [[nodiscard]] static result<placement> make(ring r, std::uint32_t shards);

  /// Builds the ring (see `ring::make`, whose errors it returns) and places
  /// `shards` shards on it.
  [[nodiscard]] static result<placement> make(std::vector<node> nodes,
                                              std::uint32_t vnodes_per_weight,
                                              std::uint32_t shards);

  [[nodiscard]] const ring& hash_ring() const noexcept { return ring_; }
  [[nodiscard]] std::uint32_t shard_count() const noexcept {
    return static_cast<std::uint32_t>(table_.size());
  }

  /// Returns the shard of `key`: ring::shard_of(key, shard_count()) (by
  /// its hash tag, if any).
  [[nodiscard]] std::uint32_t shard_of(std::string_view key) const noexcept;

  /// Returns the node holding `shard`. Precondition: shard < shard_count().
  [[nodiscard]] const node& node_of_shard(std::uint32_t shard) const noexcept {
    return ring_.nodes()[table_[shard]];
  }

  /// Returns the node holding the shard of `key`.
  [[nodiscard]] const node& node_of_key(std::string_view key) const noexcept {
    return node_of_shard(shard_of(key));
  }

  /// Returns the shards held by the node called `name`, ascending (empty for
  /// a non-member or a member that holds none).
  [[nodiscard]] std::vector<std::uint32_t>
  shards_of(std::string_view name) const;

  /// Adds `joining`; every move in the plan goes to it. Fails like
  /// `ring::with_node`.
  [[nodiscard]] result<move_plan> add_node(node joining);

  /// Removes the node `name`; every move in the plan comes from it. Fails
  /// like `ring::without_node`.
  [[nodiscard]] result<move_plan> remove_node(std::string_view name);

  /// Sets the weight of node `name`; every move goes to it (weight up) or
  /// comes from it (weight down). Fails like `ring::with_weight`.
  [[nodiscard]] result<move_plan> set_weight(std::string_view name,
                                             std::uint32_t weight);

 private:
  explicit placement(ring r);
  result<move_plan> replace(result<ring> next);

  ring ring_;
  std::vector<std::uint32_t> table_; ///< shard -> index into ring_.nodes()
};

/// Returns the moves that turn `before` into `after`, ascending by shard.
/// Precondition: both have the same shard count.
[[nodiscard]] move_plan diff(const placement& before, const placement& after);

} // namespace troupe::ring
