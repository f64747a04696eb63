#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "troupe/ring/error.hpp"

namespace troupe::ring {

/// Largest weight of one node (matches the config's limit).
inline constexpr std::uint32_t max_weight = 10000;
/// Largest number of virtual nodes per unit of weight (the config's limit).
inline constexpr std::uint32_t max_vnodes = 4096;
/// Largest number of points on one ring (about 200 MB of index).
inline constexpr std::size_t max_points = std::size_t{1} << 24;

/// A member of the ring. Only the name and the weight decide placement.
struct node {
  std::string name;        ///< unique, non-empty
  std::uint32_t weight{1}; ///< 1..max_weight; share relative to other nodes

  friend bool operator==(const node& a, const node& b) {
    return a.name == b.name && a.weight == b.weight;
  }
};

/// A consistent-hash ring: node `n` owns weight(n) * vnodes_per_weight points
/// at positions hash_vnode(n.name, i); a 64-bit hash belongs to the first
/// point at or after it, clockwise (wrapping past 2^64 - 1 to the lowest
/// point). Equal positions (a 64-bit collision) go to the smaller node name,
/// so placement depends only on names, weights and vnodes_per_weight, never
/// on the order nodes were given, the process or the machine.
///
/// A ring always holds at least one node. It is an immutable value: the
/// membership functions return a new ring. Lookups are const and safe to run
/// from many threads at once.
class ring {
 public:
  /// Builds the ring of `nodes` with `vnodes_per_weight` points per unit of
  /// weight. Fails with `errc::invalid_argument` (no nodes, an empty name,
  /// weight 0 or > max_weight, vnodes_per_weight 0 or > max_vnodes),
  /// `errc::duplicate_node` or `errc::too_many_points`. O(P log P) for P
  /// points.
  [[nodiscard]] static result<ring> make(std::vector<node> nodes,
                                         std::uint32_t vnodes_per_weight);

  /// Returns the members in the order they were given (added nodes last).
  [[nodiscard]] const std::vector<node>& nodes() const noexcept {
    return nodes_;
  }
  [[nodiscard]] std::uint32_t vnodes_per_weight() const noexcept {
    return vnodes_per_weight_;
  }
  /// Returns the number of points (virtual nodes) on the ring.
  [[nodiscard]] std::size_t point_count() const noexcept {
    return positions_.size();
  }

  /// Returns the index into `nodes()` of the owner of ring position `h`.
  /// O(log P) worst case, O(1) expected (bucketed binary search).
  [[nodiscard]] std::size_t owner_index(std::uint64_t h) const noexcept;

  /// Returns the owner of ring position `h`.
  [[nodiscard]] const node& owner_of_hash(std::uint64_t h) const noexcept {
    return nodes_[owner_index(h)];
  }

  /// Returns the owner of `key` (position hash_key(key)).
  [[nodiscard]] const node& owner(std::string_view key) const noexcept;

  /// Returns min(n, nodes().size()) distinct nodes for `key`: its owner,
  /// then the owners of the following points clockwise, skipping nodes
  /// already chosen (the replica order). Pointers stay valid while this ring
  /// lives.
  [[nodiscard]] std::vector<const node*> owners(std::string_view key,
                                                std::size_t n) const;

  /// Returns the member called `name`, or nullptr.
  [[nodiscard]] const node* find(std::string_view name) const noexcept;

  /// Returns this ring plus `added`. Fails like `make`, with
  /// `errc::duplicate_node` when a member has that name.
  [[nodiscard]] result<ring> with_node(node added) const;

  /// Returns this ring without the member `name`. Fails with
  /// `errc::unknown_node`, or `errc::last_node` when it is the only member.
  [[nodiscard]] result<ring> without_node(std::string_view name) const;

  /// Returns this ring with member `name` at `weight`. Fails with
  /// `errc::unknown_node`, or like `make` for a weight out of range.
  [[nodiscard]] result<ring> with_weight(std::string_view name,
                                         std::uint32_t weight) const;

 private:
  ring() = default;
  void build_index();
  /// Returns the index of the first point at or after `h`, wrapping to 0.
  [[nodiscard]] std::size_t successor(std::uint64_t h) const noexcept;

  std::vector<node> nodes_;
  std::uint32_t vnodes_per_weight_{0};
  // Point positions sorted ascending and, in parallel, the index of the node
  // owning each point: the search touches only the 8-byte positions.
  std::vector<std::uint64_t> positions_;
  std::vector<std::uint32_t> point_owner_;
  // bucket_start_[b] is the first point whose top `bucket_bits_` bits are
  // >= b, so a search only scans the points of one bucket (about one).
  std::vector<std::uint32_t> bucket_start_;
  unsigned bucket_shift_{63};
};

} // namespace troupe::ring
