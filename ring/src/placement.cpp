#include "troupe/ring/placement.hpp"

#include <cassert>
#include <utility>

#include "troupe/ring/hash.hpp"

namespace troupe::ring {

placement::placement(ring r) : ring_(std::move(r)) {}

result<placement> placement::make(ring r, std::uint32_t shards) {
  if (shards == 0 || shards > max_shards)
    return error{errc::invalid_argument, "shard count must be between 1 and " +
                                           std::to_string(max_shards) +
                                           ", got " + std::to_string(shards)};
  placement p{std::move(r)};
  p.table_.resize(shards);
  for (std::uint32_t s = 0; s < shards; ++s)
    p.table_[s] =
      static_cast<std::uint32_t>(p.ring_.owner_index(hash_shard(s)));
  return p;
}

result<placement> placement::make(std::vector<node> nodes,
                                  std::uint32_t vnodes_per_weight,
                                  std::uint32_t shards) {
  auto r = ring::make(std::move(nodes), vnodes_per_weight);
  if (!r) return r.error();
  return make(std::move(*r), shards);
}

std::uint32_t placement::shard_of(std::string_view key) const noexcept {
  return ::troupe::ring::shard_of(key, shard_count());
}

std::vector<std::uint32_t> placement::shards_of(std::string_view name) const {
  std::vector<std::uint32_t> held;
  for (std::uint32_t s = 0; s < table_.size(); ++s)
    if (node_of_shard(s).name == name) held.push_back(s);
  return held;
}

result<move_plan> placement::add_node(node joining) {
  return replace(ring_.with_node(std::move(joining)));
}

result<move_plan> placement::remove_node(std::string_view name) {
  return replace(ring_.without_node(name));
}

result<move_plan> placement::set_weight(std::string_view name,
                                        std::uint32_t weight) {
  return replace(ring_.with_weight(name, weight));
}

result<move_plan> placement::replace(result<ring> next) {
  if (!next) return next.error();
  auto after = make(std::move(*next), shard_count());
  // The shard count was valid for this placement, so it is for the next.
  assert(after.has_value());
  auto plan = diff(*this, *after);
  *this = std::move(*after);
  return plan;
}

move_plan diff(const placement& before, const placement& after) {
  assert(before.shard_count() == after.shard_count());
  move_plan plan;
  for (std::uint32_t s = 0; s < before.shard_count(); ++s) {
    const auto& from = before.node_of_shard(s).name;
    const auto& to = after.node_of_shard(s).name;
    if (from != to) plan.push_back({s, from, to});
  }
  return plan;
}

} // namespace troupe::ring
