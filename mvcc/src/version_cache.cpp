#include "version_cache.hpp"

#include <algorithm>

namespace troupe::mvcc {

namespace {

/// Bytes charged for an entry and for a record of the write order, beyond
/// their strings: the nodes and the fixed fields.
constexpr std::size_t entry_overhead = 96;
constexpr std::size_t order_overhead = 48;

} // namespace

version_cache::version_cache(std::size_t capacity_bytes, timestamp floor)
  : capacity_(capacity_bytes),
    floor_(capacity_bytes == 0 ? unknown_floor : floor) {}

version_lookup version_cache::find(const std::string& key) const {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = newest_.find(key);
  if (i == newest_.end()) return {std::nullopt, floor_};
  return {i->second, floor_};
}

void version_cache::put(const std::string& key, cached_version v) {
  if (capacity_ == 0) return;
  std::lock_guard<std::mutex> guard{mtx_};
  auto ts = v.commit_ts;
  auto i = newest_.find(key);
  if (i == newest_.end()) {
    bytes_ += entry_overhead + key.size() + v.value.size();
    newest_.emplace(key, std::move(v));
  } else {
    if (i->second.commit_ts >= ts) return;
    bytes_ = bytes_ - i->second.value.size() + v.value.size();
    i->second = std::move(v);
  }
  bytes_ += order_overhead + key.size();
  order_.emplace_back(key, ts);
  evict_locked();
}

void version_cache::evict_locked() {
  while (bytes_ > capacity_ && !order_.empty()) {
    auto& [key, ts] = order_.front();
    auto i = newest_.find(key);
    if (i != newest_.end() && i->second.commit_ts == ts) {
      floor_ = std::max(floor_, ts);
      bytes_ -= entry_overhead + key.size() + i->second.value.size();
      newest_.erase(i);
    }
    bytes_ -= order_overhead + key.size();
    order_.pop_front();
  }
}

void version_cache::clear(timestamp ts) {
  std::lock_guard<std::mutex> guard{mtx_};
  floor_ = std::max(floor_, ts);
  for (const auto& [key, v] : newest_)
    floor_ = std::max(floor_, v.commit_ts);
  newest_.clear();
  order_.clear();
  bytes_ = 0;
}

std::pair<std::size_t, std::size_t> version_cache::size() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return {newest_.size(), bytes_};
}

} // namespace troupe::mvcc
