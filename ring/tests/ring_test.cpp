#include "troupe/ring/ring.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "troupe/ring/hash.hpp"

using namespace troupe::ring;

namespace {

std::vector<node> equal_nodes(int count) {
  std::vector<node> nodes;
  for (int i = 1; i <= count; ++i)
    nodes.push_back({"n" + std::to_string(i), 1});
  return nodes;
}

ring make_ring(std::vector<node> nodes, std::uint32_t vnodes) {
  auto r = ring::make(std::move(nodes), vnodes);
  BOOST_REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message));
  return std::move(r).value();
}

/// Owner by definition: the point with the smallest position >= h (ties to
/// the smaller name), else the smallest position overall. Linear scan.
std::string reference_owner(const ring& r, std::uint64_t h) {
  std::pair<std::uint64_t, std::string> best{~0ULL, ""}, lowest{~0ULL, ""};
  bool found = false;
  for (const auto& n : r.nodes())
    for (std::uint32_t v = 0; v < n.weight * r.vnodes_per_weight(); ++v) {
      std::pair<std::uint64_t, std::string> p{hash_vnode(n.name, v), n.name};
      if (p.first >= h && (!found || p < best)) {
        best = p;
        found = true;
      }
      if (p < lowest || lowest.second.empty()) lowest = p;
    }
  return found ? best.second : lowest.second;
}

/// Keys "key-0".."key-<count-1>" per node, indexed like r.nodes().
std::vector<std::uint64_t> key_load(const ring& r, std::uint64_t count) {
  std::vector<std::uint64_t> load(r.nodes().size(), 0);
  for (std::uint64_t k = 0; k < count; ++k)
    ++load[r.owner_index(hash_key("key-" + std::to_string(k)))];
  return load;
}

void expect_error(const result<ring>& r, errc code) {
  BOOST_REQUIRE(!r.has_value());
  BOOST_TEST_MESSAGE(r.error().message);
  BOOST_CHECK(r.error().code == code);
  BOOST_CHECK(!r.error().message.empty());
}

} // namespace

BOOST_AUTO_TEST_CASE(rejects_invalid_memberships_with_reasons) {
  expect_error(ring::make({}, 256), errc::invalid_argument);
  expect_error(ring::make(equal_nodes(2), 0), errc::invalid_argument);
  expect_error(ring::make(equal_nodes(2), max_vnodes + 1),
               errc::invalid_argument);
  expect_error(ring::make({{"", 1}}, 8), errc::invalid_argument);
  expect_error(ring::make({{"a", 0}}, 8), errc::invalid_argument);
  expect_error(ring::make({{"a", max_weight + 1}}, 8), errc::invalid_argument);
  expect_error(ring::make({{"a", 1}, {"a", 2}}, 8), errc::duplicate_node);
  expect_error(ring::make({{"a", max_weight}, {"b", max_weight}}, max_vnodes),
               errc::too_many_points);
  BOOST_CHECK_EQUAL(to_string(errc::too_many_points), "too_many_points");
}

BOOST_AUTO_TEST_CASE(has_weight_times_vnodes_points) {
  auto r = make_ring({{"a", 1}, {"b", 3}}, 10);
  BOOST_CHECK_EQUAL(r.point_count(), 40u);
  BOOST_CHECK_EQUAL(r.vnodes_per_weight(), 10u);
  BOOST_REQUIRE(r.find("b") != nullptr);
  BOOST_CHECK_EQUAL(r.find("b")->weight, 3u);
  BOOST_CHECK(r.find("c") == nullptr);
}

BOOST_AUTO_TEST_CASE(owners_match_fixed_vectors_for_three_nodes) {
  auto r = make_ring(equal_nodes(3), 256);
  BOOST_CHECK_EQUAL(r.owner("").name, "n1");
  BOOST_CHECK_EQUAL(r.owner("a").name, "n1");
  BOOST_CHECK_EQUAL(r.owner("alice").name, "n1");
  BOOST_CHECK_EQUAL(r.owner("bob").name, "n2");
  BOOST_CHECK_EQUAL(r.owner("account/42").name, "n1");
  BOOST_CHECK_EQUAL(r.owner("order:1001").name, "n2");
  BOOST_CHECK_EQUAL(r.owner("troupe").name, "n1");
}

BOOST_AUTO_TEST_CASE(lookup_agrees_with_linear_scan_everywhere) {
  for (std::uint32_t vnodes : {1u, 3u, 16u}) {
    auto r = make_ring({{"a", 1}, {"b", 2}, {"c", 1}, {"d", 5}}, vnodes);
    std::vector<std::uint64_t> probes{0, 1, ~0ULL, ~0ULL - 1, 1ULL << 63};
    for (std::uint32_t v = 0; v < vnodes; ++v) {
      auto p = hash_vnode("d", v);
      probes.insert(probes.end(), {p - 1, p, p + 1});
    }
    std::mt19937_64 rng{42};
    for (int i = 0; i < 2000; ++i)
      probes.push_back(rng());
    for (auto h : probes)
      BOOST_REQUIRE_EQUAL(r.owner_of_hash(h).name, reference_owner(r, h));
  }
}

BOOST_AUTO_TEST_CASE(placement_ignores_node_order) {
  auto forward = make_ring({{"a", 1}, {"b", 2}, {"c", 3}}, 64);
  auto backward = make_ring({{"c", 3}, {"b", 2}, {"a", 1}}, 64);
  std::mt19937_64 rng{7};
  for (int i = 0; i < 10000; ++i) {
    auto h = rng();
    BOOST_REQUIRE_EQUAL(forward.owner_of_hash(h).name,
                        backward.owner_of_hash(h).name);
  }
}

BOOST_AUTO_TEST_CASE(owners_are_distinct_and_start_with_the_owner) {
  auto r = make_ring(equal_nodes(5), 32);
  for (int k = 0; k < 1000; ++k) {
    auto key = "k" + std::to_string(k);
    auto three = r.owners(key, 3);
    BOOST_REQUIRE_EQUAL(three.size(), 3u);
    BOOST_CHECK_EQUAL(three[0]->name, r.owner(key).name);
    std::set<std::string> names;
    for (const auto* n : three)
      names.insert(n->name);
    BOOST_CHECK_EQUAL(names.size(), 3u);
    // A longer replica list extends the shorter one.
    auto all = r.owners(key, 10);
    BOOST_REQUIRE_EQUAL(all.size(), 5u);
    BOOST_CHECK(std::equal(three.begin(), three.end(), all.begin()));
  }
  BOOST_CHECK(r.owners("x", 0).empty());
}

BOOST_AUTO_TEST_CASE(sixteen_equal_nodes_stay_within_15_percent_of_mean) {
  auto r = make_ring(equal_nodes(16), 256);
  const std::uint64_t keys = 1'000'000;
  auto load = key_load(r, keys);
  double mean = static_cast<double>(keys) / 16;
  auto max = *std::max_element(load.begin(), load.end());
  auto min = *std::min_element(load.begin(), load.end());
  BOOST_TEST_MESSAGE("max/mean " << max / mean << ", min/mean " << min / mean);
  BOOST_CHECK_LE(max / mean, 1.15);
}

BOOST_AUTO_TEST_CASE(weighted_nodes_get_load_proportional_to_weight) {
  auto r = make_ring({{"w1", 1}, {"w2", 2}, {"w3", 3}, {"w4", 4}}, 256);
  const std::uint64_t keys = 1'000'000;
  auto load = key_load(r, keys);
  for (std::size_t i = 0; i < load.size(); ++i) {
    double expected = static_cast<double>(keys) * r.nodes()[i].weight / 10;
    double error = std::abs(load[i] / expected - 1);
    BOOST_TEST_MESSAGE(r.nodes()[i].name << ": " << load[i] << " keys, "
                                         << error * 100 << "% off");
    BOOST_CHECK_LE(error, 0.10);
  }
}

BOOST_AUTO_TEST_CASE(membership_changes_return_new_rings_or_errors) {
  auto r = make_ring(equal_nodes(2), 8);
  auto added = r.with_node({"n3", 2});
  BOOST_REQUIRE(added.has_value());
  BOOST_CHECK_EQUAL(added->point_count(), 32u);
  BOOST_CHECK_EQUAL(r.point_count(), 16u); // the original is unchanged
  expect_error(r.with_node({"n1", 1}), errc::duplicate_node);
  expect_error(r.with_node({"n3", 0}), errc::invalid_argument);
  auto removed = r.without_node("n1");
  BOOST_REQUIRE(removed.has_value());
  BOOST_CHECK_EQUAL(removed->nodes().size(), 1u);
  expect_error(r.without_node("zz"), errc::unknown_node);
  expect_error(removed->without_node("n2"), errc::last_node);
  auto heavier = r.with_weight("n2", 4);
  BOOST_REQUIRE(heavier.has_value());
  BOOST_CHECK_EQUAL(heavier->find("n2")->weight, 4u);
  expect_error(r.with_weight("zz", 2), errc::unknown_node);
  expect_error(r.with_weight("n2", 0), errc::invalid_argument);
}
