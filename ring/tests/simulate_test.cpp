#include "troupe/ring/simulate.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using namespace troupe::ring;

namespace {

simulate_options change(std::uint32_t nodes, std::uint32_t vnodes,
                        std::uint64_t keys, std::uint32_t add,
                        std::uint32_t remove, std::uint32_t shards = 64) {
  simulate_options o;
  o.nodes = nodes;
  o.vnodes = vnodes;
  o.keys = keys;
  o.add = add;
  o.remove = remove;
  o.shards = shards;
  return o;
}

simulate_report run(const simulate_options& o) {
  auto r = simulate(o);
  BOOST_REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message));
  return std::move(r).value();
}

void expect_invalid(simulate_options o, const std::string& needle) {
  auto r = simulate(o);
  BOOST_REQUIRE(!r.has_value());
  BOOST_TEST_MESSAGE(r.error().message);
  BOOST_CHECK(r.error().code == errc::invalid_argument);
  BOOST_CHECK(r.error().message.find(needle) != std::string::npos);
}

} // namespace

BOOST_AUTO_TEST_CASE(
  adding_one_to_ten_moves_a_eleventh_on_the_ring_and_most_by_modulo) {
  auto r = run(change(10, 256, 200'000, 1, 0, 1024));
  BOOST_TEST_MESSAGE("ring moved " << r.ring.moved_fraction << ", modulo "
                                   << r.modulo.moved_fraction);
  BOOST_CHECK_EQUAL(r.nodes_after, 11u);
  BOOST_CHECK_GE(r.ring.moved_fraction, 0.8 / 11);
  BOOST_CHECK_LE(r.ring.moved_fraction, 1.2 / 11);
  BOOST_CHECK(r.ring.moved_to_new_only);
  // Modulo keeps a key only when x mod 10 == x mod 11: 10 in 110 residues.
  BOOST_CHECK_CLOSE(r.modulo.moved_fraction, 10.0 / 11, 2.0);
  BOOST_CHECK_CLOSE(r.modulo.shards_moved_fraction, 10.0 / 11, 3.0);
  BOOST_CHECK(!r.modulo.moved_to_new_only);
  BOOST_CHECK_CLOSE(r.ring.load.mean, 20'000.0, 1e-9);
  BOOST_CHECK_CLOSE(r.ring.load_after.mean, 200'000.0 / 11, 1e-9);
  BOOST_CHECK_LE(r.ring.load.min, r.ring.load.max);
  BOOST_CHECK_GE(r.ring.load.max_over_mean(), 1.0);
}

BOOST_AUTO_TEST_CASE(removing_moves_only_from_the_removed_node) {
  auto r = run(change(8, 128, 100'000, 0, 2));
  BOOST_CHECK(r.ring.moved_to_new_only);
  BOOST_CHECK_GT(r.ring.moved_fraction, 0.15);
  BOOST_CHECK_LT(r.ring.moved_fraction, 0.35);
  BOOST_CHECK_EQUAL(r.nodes_after, 6u);
  BOOST_CHECK_GT(r.modulo.moved_fraction, 0.6);
}

BOOST_AUTO_TEST_CASE(no_change_moves_nothing) {
  auto r = run(change(3, 256, 10'000, 0, 0));
  BOOST_CHECK_EQUAL(r.ring.moved_fraction, 0.0);
  BOOST_CHECK_EQUAL(r.ring.shards_moved_fraction, 0.0);
  BOOST_CHECK_EQUAL(r.modulo.moved_fraction, 0.0);
  BOOST_CHECK_EQUAL(r.ring.load.min + 0.0, r.ring.load_after.min + 0.0);
}

BOOST_AUTO_TEST_CASE(adding_and_removing_at_once_never_moves_between_stayers) {
  auto r = run(change(6, 64, 50'000, 2, 3));
  BOOST_CHECK_EQUAL(r.nodes_after, 5u);
  BOOST_CHECK(r.ring.moved_to_new_only);
}

BOOST_AUTO_TEST_CASE(rejects_out_of_range_options_naming_them) {
  expect_invalid(change(0, 256, 10, 0, 0), "nodes must be between 1");
  expect_invalid(change(3, 0, 10, 0, 0), "vnodes");
  expect_invalid(change(3, 256, 0, 0, 0), "keys");
  expect_invalid(change(3, 256, 10, 0, 0, 0), "shards");
  expect_invalid(change(3, 256, 10, 0, 3), "remove must be between 0 and 2");
  expect_invalid(change(3, 256, 10, max_sim_nodes, 0), "add");
  expect_invalid(change(3, 256, max_sim_keys + 1, 0, 0), "keys");
}
