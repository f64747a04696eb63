#include "latch_table.hpp"

namespace troupe::mvcc {

std::optional<latch_table::conflict>
latch_table::try_acquire(const holder& who,
                         const std::vector<std::string>& writes,
                         const std::vector<std::string>& reads) {
  std::lock_guard<std::mutex> guard{mtx_};
  for (const auto* keys : {&writes, &reads}) {
    for (const auto& k : *keys) {
      auto i = keys_.find(k);
      if (i != keys_.end() && i->second.txn != who.txn)
        return conflict{k, i->second};
    }
  }
  for (const auto& k : writes)
    keys_[k] = who;
  return std::nullopt;
}

void latch_table::release(const std::vector<std::string>& writes) {
  std::lock_guard<std::mutex> guard{mtx_};
  for (const auto& k : writes)
    keys_.erase(k);
}

std::optional<latch_table::holder> latch_table::find(const std::string& key,
                                                     timestamp ts) const {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = keys_.find(key);
  if (i == keys_.end() || i->second.visible_from > ts) return std::nullopt;
  return i->second;
}

std::optional<latch_table::conflict>
latch_table::find_in_range(const std::string& begin, const std::string& end,
                           timestamp ts) const {
  std::lock_guard<std::mutex> guard{mtx_};
  for (auto i = keys_.lower_bound(begin);
       i != keys_.end() && (end.empty() || i->first < end); ++i) {
    if (i->second.visible_from <= ts) return conflict{i->first, i->second};
  }
  return std::nullopt;
}

bool latch_table::try_acquire_txn(shard_id shard, txn_id txn) {
  std::lock_guard<std::mutex> guard{mtx_};
  return txns_.emplace(shard, txn).second;
}

void latch_table::release_txn(shard_id shard, txn_id txn) {
  std::lock_guard<std::mutex> guard{mtx_};
  txns_.erase({shard, txn});
}

} // namespace troupe::mvcc
