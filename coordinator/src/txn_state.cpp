#include "txn_state.hpp"

#include "troupe/actors/errc.hpp"
#include "troupe/actors/write_buffer.hpp"
#include "troupe/ring/hash.hpp"

namespace troupe::coordinator {

using actors::errc;

actors::shard_id shard_map::operator()(const std::string& key) const {
  if (of) return of(key);
  return ring::shard_of(key, count == 0 ? 1 : count);
}

std::optional<actors::shard_id>
shard_map::of_prefix(const std::string& prefix) const {
  if (of) return std::nullopt;
  // A tag closed inside the prefix is the first tag of every longer key.
  if (ring::hash_tag_of(prefix).size() == prefix.size()) return std::nullopt;
  return ring::shard_of(prefix, count == 0 ? 1 : count);
}

txn_state::txn_state(actors::txn_started started, actors::isolation_level level,
                     const shard_map& shards)
  : id_(started), level_(level), shards_(shards) {}

caf::error txn_state::buffer(const std::string& key,
                             std::optional<std::string> value,
                             std::uint32_t max_key, std::uint32_t max_value) {
  if (phase != txn_phase::active)
    return actors::make_error(errc::invalid_argument,
                              "transaction " + std::to_string(id_.txn) +
                                " is no longer active");
  if (auto err = actors::check_write(key, value, max_key, max_value))
    return err;
  writes_[key] = std::move(value);
  return caf::none;
}

std::optional<std::optional<std::string>>
txn_state::buffered(const std::string& key) const {
  auto i = writes_.find(key);
  if (i == writes_.end()) return std::nullopt;
  return i->second;
}

actors::scan_reply txn_state::overlay(std::vector<actors::key_value> rows,
                                      const std::string& prefix,
                                      const actors::scan_window& window,
                                      std::uint32_t limit) const {
  return actors::overlay_writes(std::move(rows), writes_, prefix, window,
                                limit);
}

std::map<actors::shard_id, participant_plan> txn_state::plan() const {
  std::map<actors::shard_id, participant_plan> out;
  for (const auto& [k, v] : writes_)
    out[shards_(k)].writes.push_back({k, v});
  if (level_ == actors::isolation_level::serializable)
    for (const auto& k : reads_)
      if (writes_.count(k) == 0) out[shards_(k)].reads.push_back(k);
  return out;
}

} // namespace troupe::coordinator
