// Membership changes move as little as possible: only to a joining node, from
// a leaving one, or to/from a node whose weight changed.
#include "troupe/ring/placement.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "troupe/ring/hash.hpp"

using namespace troupe::ring;

namespace {

constexpr std::uint64_t seed = 20240603;

std::vector<node> equal_nodes(int count) {
  std::vector<node> nodes;
  for (int i = 1; i <= count; ++i)
    nodes.push_back({"n" + std::to_string(i), 1});
  return nodes;
}

/// A random membership of 1..24 nodes with weights 1..4.
placement random_placement(std::mt19937_64& rng) {
  const std::uint32_t vnodes[] = {1, 4, 32, 128};
  const std::uint32_t shards[] = {1, 16, 256, 1024};
  std::vector<node> nodes;
  auto count = 1 + rng() % 24;
  for (std::size_t i = 0; i < count; ++i)
    nodes.push_back(
      {"node-" + std::to_string(rng() % 100000) + "-" + std::to_string(i),
       static_cast<std::uint32_t>(1 + rng() % 4)});
  auto p = placement::make(nodes, vnodes[rng() % 4], shards[rng() % 4]);
  BOOST_REQUIRE_MESSAGE(p.has_value(), (p ? "" : p.error().message));
  return std::move(p).value();
}

/// Owners of `probes` hashes on `p`'s ring, by name.
std::vector<std::string> owners(const placement& p,
                                const std::vector<std::uint64_t>& probes) {
  std::vector<std::string> names;
  for (auto h : probes)
    names.push_back(p.hash_ring().owner_of_hash(h).name);
  return names;
}

/// Checks that every shard move and every moved key goes `to` the changed
/// node (when `to` is set) or comes `from` it (when `from` is set).
void check_moves(const placement& before, const placement& after,
                 const move_plan& plan, const std::vector<std::uint64_t>& keys,
                 const std::string& to, const std::string& from) {
  BOOST_REQUIRE(plan == diff(before, after));
  for (const auto& m : plan)
    BOOST_REQUIRE_MESSAGE(
      (!to.empty() && m.to == to) || (!from.empty() && m.from == from),
      "shard " << m.shard << " moved " << m.from << " -> " << m.to);
  auto old_owner = owners(before, keys);
  auto new_owner = owners(after, keys);
  for (std::size_t i = 0; i < keys.size(); ++i)
    if (old_owner[i] != new_owner[i])
      BOOST_REQUIRE_MESSAGE((!to.empty() && new_owner[i] == to) ||
                              (!from.empty() && old_owner[i] == from),
                            "key moved " << old_owner[i] << " -> "
                                         << new_owner[i]);
}

placement ten_nodes() {
  auto p = placement::make(equal_nodes(10), 256, 1024);
  BOOST_REQUIRE(p.has_value());
  return std::move(p).value();
}

/// What happened to keys "key-0".."key-<count-1>" between two rings, seen
/// from the node `name`.
struct key_count {
  std::uint64_t keys{0};
  std::uint64_t moved{0};
  std::uint64_t moved_to_node{0};
  std::uint64_t moved_from_node{0};
  std::uint64_t held_before{0};

  [[nodiscard]] double moved_fraction() const {
    return static_cast<double>(moved) / static_cast<double>(keys);
  }
};

key_count count_keys(const placement& before, const placement& after,
                     const std::string& name, std::uint64_t keys) {
  key_count c;
  c.keys = keys;
  for (std::uint64_t k = 0; k < keys; ++k) {
    auto h = hash_key("key-" + std::to_string(k));
    const auto& from = before.hash_ring().owner_of_hash(h).name;
    const auto& to = after.hash_ring().owner_of_hash(h).name;
    c.held_before += from == name;
    if (from != to) {
      ++c.moved;
      c.moved_to_node += to == name;
      c.moved_from_node += from == name;
    }
  }
  return c;
}

} // namespace

BOOST_AUTO_TEST_CASE(random_changes_never_move_between_unchanged_nodes) {
  BOOST_TEST_MESSAGE("seed " << seed);
  std::mt19937_64 rng{seed};
  std::vector<std::uint64_t> keys(500);
  for (int trial = 0; trial < 400; ++trial) {
    std::generate(keys.begin(), keys.end(), [&rng] { return rng(); });
    auto p = random_placement(rng);
    const auto before = p;
    const auto& members = before.hash_ring().nodes();
    const auto& pick = members[rng() % members.size()];
    auto op = members.size() == 1 ? rng() % 2 * 2 : rng() % 3;
    if (op == 0) {
      auto plan =
        p.add_node({"joining", static_cast<std::uint32_t>(1 + rng() % 4)});
      BOOST_REQUIRE(plan.has_value());
      check_moves(before, p, *plan, keys, "joining", "");
    } else if (op == 1) {
      auto plan = p.remove_node(pick.name);
      BOOST_REQUIRE(plan.has_value());
      check_moves(before, p, *plan, keys, "", pick.name);
      // Every shard of the leaving node moves, none other does.
      std::vector<std::uint32_t> moved;
      for (const auto& m : *plan)
        moved.push_back(m.shard);
      BOOST_REQUIRE(moved == before.shards_of(pick.name));
    } else {
      auto weight = static_cast<std::uint32_t>(1 + rng() % 6);
      auto plan = p.set_weight(pick.name, weight);
      BOOST_REQUIRE(plan.has_value());
      check_moves(before, p, *plan, keys,
                  weight >= pick.weight ? pick.name : "",
                  weight <= pick.weight ? pick.name : "");
      if (weight == pick.weight) BOOST_REQUIRE(plan->empty());
    }
  }
}

BOOST_AUTO_TEST_CASE(adding_one_node_to_ten_moves_about_a_eleventh_to_it) {
  auto before = ten_nodes();
  auto after = before;
  auto plan = after.add_node({"n11", 1});
  BOOST_REQUIRE(plan.has_value());
  auto c = count_keys(before, after, "n11", 1'000'000);
  BOOST_TEST_MESSAGE("moved " << c.moved_fraction()
                              << " of keys (1/11 = " << 1.0 / 11 << "), "
                              << plan->size() << " of 1024 shards");
  BOOST_CHECK_GE(c.moved_fraction(), 0.8 / 11);
  BOOST_CHECK_LE(c.moved_fraction(), 1.2 / 11);
  BOOST_CHECK_EQUAL(c.moved_to_node, c.moved);
  double shard_fraction = static_cast<double>(plan->size()) / 1024;
  BOOST_CHECK_GE(shard_fraction, 0.7 / 11);
  BOOST_CHECK_LE(shard_fraction, 1.3 / 11);
}

BOOST_AUTO_TEST_CASE(removing_a_node_moves_exactly_its_keys) {
  auto before = ten_nodes();
  auto after = before;
  BOOST_REQUIRE(after.remove_node("n4").has_value());
  auto c = count_keys(before, after, "n4", 200'000);
  BOOST_TEST_MESSAGE("n4 held and gave up " << c.moved << " of 200000 keys");
  BOOST_CHECK_EQUAL(c.moved, c.held_before);
  BOOST_CHECK_EQUAL(c.moved_from_node, c.moved);
  BOOST_CHECK_GT(c.moved, 0u);
}

BOOST_AUTO_TEST_CASE(doubling_a_weight_moves_keys_only_to_that_node) {
  auto before = ten_nodes();
  auto after = before;
  BOOST_REQUIRE(after.set_weight("n7", 2).has_value());
  auto c = count_keys(before, after, "n7", 200'000);
  // n7's share grows from about 1/10 to about 2/11.
  BOOST_TEST_MESSAGE("moved " << c.moved_fraction()
                              << " (2/11 - 1/10 = " << 2.0 / 11 - 0.1 << ")");
  BOOST_CHECK_EQUAL(c.moved_to_node, c.moved);
  BOOST_CHECK_GT(c.moved_fraction(), 0.5 * (2.0 / 11 - 0.1));
  BOOST_CHECK_LT(c.moved_fraction(), 1.5 * (2.0 / 11 - 0.1));
  // Halving it back returns exactly those keys.
  auto back = after;
  BOOST_REQUIRE(back.set_weight("n7", 1).has_value());
  auto r = count_keys(after, back, "n7", 200'000);
  BOOST_CHECK_EQUAL(r.moved_from_node, r.moved);
  BOOST_CHECK_EQUAL(r.moved, c.moved);
  BOOST_CHECK(diff(before, back).empty());
}
