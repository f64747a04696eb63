#include "troupe/ring/placement.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <tuple>
#include <vector>

#include "troupe/ring/hash.hpp"

using namespace troupe::ring;

namespace {

placement three_nodes(std::uint32_t shards = 64) {
  auto p = placement::make({{"n1", 1}, {"n2", 1}, {"n3", 1}}, 256, shards);
  BOOST_REQUIRE_MESSAGE(p.has_value(), (p ? "" : p.error().message));
  return std::move(p).value();
}

/// The table as digits, "n2" -> '2', for comparison with a fixed vector.
std::string table_digits(const placement& p) {
  std::string digits;
  for (std::uint32_t s = 0; s < p.shard_count(); ++s)
    digits += p.node_of_shard(s).name.back();
  return digits;
}

} // namespace

BOOST_AUTO_TEST_CASE(shard_table_matches_fixed_vector) {
  // The layout of examples/cluster/local-3.toml: 3 nodes, 256 vnodes, 64
  // shards. Shard s sits at hash_shard(s) on the ring.
  auto p = three_nodes();
  BOOST_CHECK_EQUAL(table_digits(p), "13312211123332122113111313211223"
                                     "22223211232231312323222112133121");
  for (std::uint32_t s = 0; s < p.shard_count(); ++s)
    BOOST_REQUIRE_EQUAL(p.node_of_shard(s).name,
                        p.hash_ring().owner_of_hash(hash_shard(s)).name);
}

BOOST_AUTO_TEST_CASE(keys_map_to_fixed_shards_and_nodes) {
  auto p = three_nodes();
  const std::vector<std::tuple<std::string, std::uint32_t, std::string>>
    vectors{{"", 53, "n2"},           {"a", 3, "n1"},
            {"alice", 56, "n1"},      {"bob", 1, "n3"},
            {"account/42", 31, "n3"}, {"order:1001", 35, "n2"},
            {"troupe", 32, "n2"}};
  for (const auto& [key, shard, node] : vectors) {
    BOOST_CHECK_EQUAL(p.shard_of(key), shard);
    BOOST_CHECK_EQUAL(p.node_of_key(key).name, node);
  }
}

BOOST_AUTO_TEST_CASE(shard_of_does_not_depend_on_membership) {
  auto p = three_nodes();
  auto q = placement::make({{"other", 7}}, 3, 64);
  BOOST_REQUIRE(q.has_value());
  for (int k = 0; k < 1000; ++k) {
    auto key = "key-" + std::to_string(k);
    BOOST_REQUIRE_EQUAL(p.shard_of(key), q->shard_of(key));
  }
}

BOOST_AUTO_TEST_CASE(every_shard_is_held_by_exactly_one_node) {
  auto p = three_nodes();
  std::size_t total = 0;
  for (const auto& n : p.hash_ring().nodes()) {
    for (auto s : p.shards_of(n.name))
      BOOST_CHECK_EQUAL(p.node_of_shard(s).name, n.name);
    total += p.shards_of(n.name).size();
  }
  BOOST_CHECK_EQUAL(total, 64u);
  BOOST_CHECK(p.shards_of("nobody").empty());
}

BOOST_AUTO_TEST_CASE(rejects_shard_count_out_of_range) {
  for (std::uint32_t shards : {0u, max_shards + 1}) {
    auto p = placement::make({{"a", 1}}, 8, shards);
    BOOST_REQUIRE(!p.has_value());
    BOOST_CHECK(p.error().code == errc::invalid_argument);
  }
  auto bad_ring = placement::make({{"a", 1}, {"a", 1}}, 8, 8);
  BOOST_REQUIRE(!bad_ring.has_value());
  BOOST_CHECK(bad_ring.error().code == errc::duplicate_node);
}

BOOST_AUTO_TEST_CASE(failed_change_leaves_placement_unchanged) {
  auto p = three_nodes();
  auto before = table_digits(p);
  auto dup = p.add_node({"n2", 1});
  BOOST_REQUIRE(!dup.has_value());
  BOOST_CHECK(dup.error().code == errc::duplicate_node);
  BOOST_CHECK(p.remove_node("n9").error().code == errc::unknown_node);
  BOOST_CHECK(p.set_weight("n1", 0).error().code == errc::invalid_argument);
  BOOST_CHECK_EQUAL(table_digits(p), before);
  BOOST_CHECK_EQUAL(p.hash_ring().nodes().size(), 3u);
}

BOOST_AUTO_TEST_CASE(move_plan_turns_old_table_into_new_one) {
  auto p = three_nodes(256);
  auto before = p;
  auto plan = p.add_node({"n4", 1});
  BOOST_REQUIRE(plan.has_value());
  BOOST_CHECK(!plan->empty());
  BOOST_CHECK(*plan == diff(before, p));
  std::vector<std::string> applied;
  for (std::uint32_t s = 0; s < 256; ++s)
    applied.push_back(before.node_of_shard(s).name);
  std::uint32_t last = 0;
  for (const auto& m : *plan) {
    BOOST_CHECK(m.shard >= last); // ascending
    last = m.shard;
    BOOST_CHECK_EQUAL(applied[m.shard], m.from);
    applied[m.shard] = m.to;
  }
  for (std::uint32_t s = 0; s < 256; ++s)
    BOOST_CHECK_EQUAL(applied[s], p.node_of_shard(s).name);
  BOOST_CHECK(diff(p, p).empty());
}
