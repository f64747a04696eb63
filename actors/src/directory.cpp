#include "troupe/actors/directory.hpp"

#include <charconv>

#include <caf/actor_addr.hpp>

namespace troupe::actors {

directory::directory(ring::placement placement, std::string self)
  : placement_(std::move(placement)), self_(std::move(self)) {}

const std::string& directory::owner_of(const std::string& kind,
                                       const std::string& id) const {
  if (kind == "shard") {
    std::uint32_t shard = 0;
    auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), shard);
    if (ec == std::errc{} && end == id.data() + id.size() &&
        shard < placement_.shard_count())
      return placement_.node_of_shard(shard).name;
  }
  if (kind == "txn_service" || kind == "gc")
    if (const auto* n = placement_.hash_ring().find(id)) return n->name;
  return placement_.hash_ring().owner(kind + "/" + id).name;
}

void directory::add(const std::string& kind, const std::string& id,
                    caf::actor handle) {
  local_[{kind, id}] = std::move(handle);
}

void directory::remove(const std::string& kind, const std::string& id,
                       const caf::actor_addr& handle) {
  auto i = local_.find({kind, id});
  if (i != local_.end() && i->second.address() == handle) local_.erase(i);
}

void directory::remove_all(const caf::actor_addr& addr) {
  for (auto i = local_.begin(); i != local_.end();)
    i = i->second.address() == addr ? local_.erase(i) : std::next(i);
}

std::optional<caf::actor> directory::find(const std::string& kind,
                                          const std::string& id) const {
  auto i = local_.find({kind, id});
  if (i == local_.end()) return std::nullopt;
  return i->second;
}

ring::result<ring::placement> placement_of(const config::cluster_config& cfg) {
  std::vector<ring::node> nodes;
  for (const auto& n : cfg.nodes)
    nodes.push_back({n.name, n.weight});
  return ring::placement::make(std::move(nodes), cfg.virtual_nodes, cfg.shards);
}

} // namespace troupe::actors
