#include "troupe/config/cluster_config.hpp"

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

std::uint32_t cluster_config::effective_scheduler_threads() const {
  if (scheduler_threads != 0) return scheduler_threads;
  auto cores = std::thread::hardware_concurrency();
  return cores == 0 ? 1 : cores;
}

} // namespace troupe::config
