#include "troupe/config/cluster_config.hpp"

#include <algorithm>
#include <thread>

namespace troupe::config {

std::string node_config::address() const {
  return host + ":" + std::to_string(port);
}

const node_config*
cluster_config::find_node(const std::string& node_name) const {
  for (const auto& n : nodes)
    if (n.name == node_name) return &n;
  return nullptr;
}

namespace {

std::uint32_t cores() {
  auto n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

} // namespace

std::uint32_t cluster_config::effective_scheduler_threads() const {
  return scheduler_threads != 0 ? scheduler_threads : cores();
}

std::uint32_t
cluster_config::effective_scheduler_threads(const node_config& node) const {
  return effective_scheduler_threads(node, cores());
}

std::uint32_t
cluster_config::effective_scheduler_threads(const node_config& node,
                                            std::uint32_t cores) const {
  if (scheduler_threads != 0) return scheduler_threads;
  std::uint32_t sharing = 0;
  for (const auto& n : nodes)
    if (n.host == node.host) ++sharing;
  return std::max<std::uint32_t>(1,
                                 cores / std::max<std::uint32_t>(1, sharing));
}

std::size_t limits_config::keys_that_fit(const std::vector<std::string>& keys,
                                         std::size_t first,
                                         std::uint64_t max_bytes) {
  std::uint64_t bytes = message_overhead_bytes;
  auto end = first;
  while (end < keys.size()) {
    bytes += row_bytes(keys[end].size());
    if (bytes > max_bytes && end > first) break;
    ++end;
  }
  return end;
}

} // namespace troupe::config
