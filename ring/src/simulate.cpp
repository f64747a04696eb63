#include "troupe/ring/simulate.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "troupe/ring/hash.hpp"
#include "troupe/ring/modulo.hpp"
#include "troupe/ring/placement.hpp"
#include "troupe/ring/ring.hpp"

namespace troupe::ring {

namespace {

error out_of_range(const char* what, std::uint64_t lo, std::uint64_t hi,
                   std::uint64_t got) {
  return {errc::invalid_argument,
          std::string{what} + " must be between " + std::to_string(lo) +
            " and " + std::to_string(hi) + ", got " + std::to_string(got)};
}

std::optional<error> validate(const simulate_options& o) {
  if (o.nodes < 1 || o.nodes > max_sim_nodes)
    return out_of_range("nodes", 1, max_sim_nodes, o.nodes);
  if (o.vnodes < 1 || o.vnodes > max_vnodes)
    return out_of_range("vnodes", 1, max_vnodes, o.vnodes);
  if (o.keys < 1 || o.keys > max_sim_keys)
    return out_of_range("keys", 1, max_sim_keys, o.keys);
  if (o.shards < 1 || o.shards > max_shards)
    return out_of_range("shards", 1, max_shards, o.shards);
  if (o.add > max_sim_nodes - o.nodes)
    return out_of_range("add", 0, max_sim_nodes - o.nodes, o.add);
  if (o.remove >= o.nodes)
    return out_of_range("remove", 0, o.nodes - 1, o.remove);
  return std::nullopt;
}

/// Node ids are global: 0..nodes-1 are the original n1..n<nodes>, then the
/// joining ones. `before`/`after` map a member's position to its id.
struct membership {
  std::vector<std::uint32_t> before;
  std::vector<std::uint32_t> after;
  std::vector<bool> leaving;
  std::vector<bool> joining;

  explicit membership(const simulate_options& o)
    : leaving(o.nodes + o.add, false), joining(o.nodes + o.add, false) {
    for (std::uint32_t id = 0; id < o.nodes; ++id) {
      before.push_back(id);
      if (id < o.nodes - o.remove)
        after.push_back(id);
      else
        leaving[id] = true;
    }
    for (std::uint32_t id = o.nodes; id < o.nodes + o.add; ++id) {
      after.push_back(id);
      joining[id] = true;
    }
  }

  [[nodiscard]] std::vector<node> nodes(bool after_change) const {
    std::vector<node> result;
    for (auto id : after_change ? after : before)
      result.push_back({"n" + std::to_string(id + 1), 1});
    return result;
  }
};

/// Counts where items were before and after the change, and what moved.
class tally {
 public:
  explicit tally(const membership& m)
    : m_(m), before_(m.leaving.size(), 0), after_(m.leaving.size(), 0) {}

  void record(std::uint32_t from, std::uint32_t to) {
    ++before_[from];
    ++after_[to];
    ++items_;
    if (from != to) {
      ++moved_;
      if (!m_.leaving[from] && !m_.joining[to]) only_new_ = false;
    }
  }

  [[nodiscard]] bool moved_to_new_only() const { return only_new_; }
  [[nodiscard]] double moved_fraction() const {
    return static_cast<double>(moved_) / static_cast<double>(items_);
  }
  [[nodiscard]] load_stats load(bool after_change) const {
    const auto& ids = after_change ? m_.after : m_.before;
    const auto& counts = after_change ? after_ : before_;
    load_stats s{counts[ids.front()], 0, counts[ids.front()]};
    std::uint64_t total = 0;
    for (auto id : ids) {
      s.min = std::min(s.min, counts[id]);
      s.max = std::max(s.max, counts[id]);
      total += counts[id];
    }
    s.mean = static_cast<double>(total) / static_cast<double>(ids.size());
    return s;
  }

 private:
  const membership& m_;
  std::vector<std::uint64_t> before_;
  std::vector<std::uint64_t> after_;
  std::uint64_t items_{0};
  std::uint64_t moved_{0};
  bool only_new_{true};
};

scheme_report report(const tally& keys, const tally& shards) {
  return {keys.load(false), keys.load(true), keys.moved_fraction(),
          shards.moved_fraction(),
          keys.moved_to_new_only() && shards.moved_to_new_only()};
}

} // namespace

result<simulate_report> simulate(const simulate_options& options) {
  if (auto err = validate(options)) return *err;
  membership m{options};
  auto before = ring::make(m.nodes(false), options.vnodes);
  if (!before) return before.error();
  auto after = ring::make(m.nodes(true), options.vnodes);
  if (!after) return after.error();
  auto n_before = static_cast<std::uint32_t>(m.before.size());
  auto n_after = static_cast<std::uint32_t>(m.after.size());

  tally ring_keys{m}, modulo_keys{m};
  std::array<char, 32> buf{'k', 'e', 'y', '-'};
  for (std::uint64_t k = 0; k < options.keys; ++k) {
    auto end = std::to_chars(buf.data() + 4, buf.data() + buf.size(), k).ptr;
    auto h = hash_key({buf.data(), static_cast<std::size_t>(end - buf.data())});
    ring_keys.record(m.before[before->owner_index(h)],
                     m.after[after->owner_index(h)]);
    modulo_keys.record(m.before[modulo_node(h, n_before) - 1],
                       m.after[modulo_node(h, n_after) - 1]);
  }

  tally ring_shards{m}, modulo_shards{m};
  for (std::uint32_t s = 0; s < options.shards; ++s) {
    auto h = hash_shard(s);
    ring_shards.record(m.before[before->owner_index(h)],
                       m.after[after->owner_index(h)]);
    modulo_shards.record(m.before[modulo_node(s, n_before) - 1],
                         m.after[modulo_node(s, n_after) - 1]);
  }

  return simulate_report{options, n_after, report(ring_keys, ring_shards),
                         report(modulo_keys, modulo_shards)};
}

} // namespace troupe::ring
