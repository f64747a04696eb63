#include "troupe/ring/ring.hpp"

#include <algorithm>
#include <unordered_set>
#include <utility>

#include "troupe/ring/hash.hpp"

namespace troupe::ring {

namespace {

error invalid(std::string message) {
  return {errc::invalid_argument, std::move(message)};
}

/// Checks everything `ring::make` promises to reject; returns the number of
/// points on success.
result<std::size_t> validate(const std::vector<node>& nodes,
                             std::uint32_t vnodes_per_weight) {
  if (vnodes_per_weight == 0 || vnodes_per_weight > max_vnodes)
    return invalid("virtual nodes per weight must be between 1 and " +
                   std::to_string(max_vnodes) + ", got " +
                   std::to_string(vnodes_per_weight));
  if (nodes.empty()) return invalid("a ring needs at least one node");
  std::unordered_set<std::string_view> names;
  std::uint64_t points = 0;
  for (const auto& n : nodes) {
    if (n.name.empty()) return invalid("a node name must not be empty");
    if (n.weight == 0 || n.weight > max_weight)
      return invalid("weight of node '" + n.name + "' must be between 1 and " +
                     std::to_string(max_weight) + ", got " +
                     std::to_string(n.weight));
    if (!names.insert(n.name).second)
      return error{errc::duplicate_node,
                   "node '" + n.name + "' is already in the ring"};
    points += std::uint64_t{n.weight} * vnodes_per_weight;
  }
  if (points > max_points)
    return error{errc::too_many_points,
                 std::to_string(points) + " ring points (weights x virtual " +
                   "nodes) exceed the limit of " + std::to_string(max_points)};
  return static_cast<std::size_t>(points);
}

error unknown(std::string_view name) {
  return {errc::unknown_node,
          "node '" + std::string{name} + "' is not in the ring"};
}

unsigned ceil_log2(std::size_t n) {
  unsigned bits = 0;
  while ((std::size_t{1} << bits) < n)
    ++bits;
  return bits;
}

} // namespace

result<ring> ring::make(std::vector<node> nodes,
                        std::uint32_t vnodes_per_weight) {
  auto points = validate(nodes, vnodes_per_weight);
  if (!points) return points.error();
  ring r;
  r.nodes_ = std::move(nodes);
  r.vnodes_per_weight_ = vnodes_per_weight;
  std::vector<std::pair<std::uint64_t, std::uint32_t>> sorted;
  sorted.reserve(*points);
  for (std::uint32_t i = 0; i < r.nodes_.size(); ++i) {
    const auto& n = r.nodes_[i];
    for (std::uint32_t v = 0; v < n.weight * vnodes_per_weight; ++v)
      sorted.emplace_back(hash_vnode(n.name, v), i);
  }
  const auto& ns = r.nodes_;
  std::sort(sorted.begin(), sorted.end(), [&ns](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    return ns[a.second].name < ns[b.second].name;
  });
  r.positions_.reserve(sorted.size());
  r.point_owner_.reserve(sorted.size());
  for (const auto& [pos, owner] : sorted) {
    r.positions_.push_back(pos);
    r.point_owner_.push_back(owner);
  }
  r.build_index();
  return r;
}

void ring::build_index() {
  // About one point per bucket; at least 2 buckets so the shift stays < 64.
  auto bits = std::clamp(ceil_log2(positions_.size()), 1u, 24u);
  bucket_shift_ = 64 - bits;
  std::size_t buckets = std::size_t{1} << bits;
  bucket_start_.assign(buckets + 1, 0);
  std::size_t p = 0;
  for (std::size_t b = 0; b <= buckets; ++b) {
    while (p < positions_.size() && (positions_[p] >> bucket_shift_) < b)
      ++p;
    bucket_start_[b] = static_cast<std::uint32_t>(p);
  }
}

std::size_t ring::successor(std::uint64_t h) const noexcept {
  auto b = h >> bucket_shift_;
  auto first = positions_.begin() + bucket_start_[b];
  auto last = positions_.begin() + bucket_start_[b + 1];
  auto i = static_cast<std::size_t>(std::lower_bound(first, last, h) -
                                    positions_.begin());
  return i == positions_.size() ? 0 : i;
}

std::size_t ring::owner_index(std::uint64_t h) const noexcept {
  return point_owner_[successor(h)];
}

const node& ring::owner(std::string_view key) const noexcept {
  return owner_of_hash(hash_key(key));
}

std::vector<const node*> ring::owners(std::string_view key,
                                      std::size_t n) const {
  n = std::min(n, nodes_.size());
  std::vector<const node*> chosen;
  chosen.reserve(n);
  std::vector<bool> taken(nodes_.size(), false);
  auto p = successor(hash_key(key));
  for (std::size_t step = 0; chosen.size() < n && step < positions_.size();
       ++step) {
    auto owner = point_owner_[p];
    if (!taken[owner]) {
      taken[owner] = true;
      chosen.push_back(&nodes_[owner]);
    }
    p = p + 1 == positions_.size() ? 0 : p + 1;
  }
  return chosen;
}

const node* ring::find(std::string_view name) const noexcept {
  auto i = std::find_if(nodes_.begin(), nodes_.end(),
                        [name](const node& n) { return n.name == name; });
  return i == nodes_.end() ? nullptr : &*i;
}

result<ring> ring::with_node(node added) const {
  auto nodes = nodes_;
  nodes.push_back(std::move(added));
  return make(std::move(nodes), vnodes_per_weight_);
}

result<ring> ring::without_node(std::string_view name) const {
  const auto* gone = find(name);
  if (gone == nullptr) return unknown(name);
  if (nodes_.size() == 1)
    return error{errc::last_node, "cannot remove '" + std::string{name} +
                                    "': it is the last node of the ring"};
  auto nodes = nodes_;
  nodes.erase(nodes.begin() + (gone - nodes_.data()));
  return make(std::move(nodes), vnodes_per_weight_);
}

result<ring> ring::with_weight(std::string_view name,
                               std::uint32_t weight) const {
  const auto* changed = find(name);
  if (changed == nullptr) return unknown(name);
  auto nodes = nodes_;
  nodes[static_cast<std::size_t>(changed - nodes_.data())].weight = weight;
  return make(std::move(nodes), vnodes_per_weight_);
}

} // namespace troupe::ring
