#include "troupe/actors/directory.hpp"

#include <boost/test/unit_test.hpp>

#include "troupe/config/load.hpp"

using troupe::actors::directory;
using troupe::actors::placement_of;

namespace {

troupe::config::cluster_config three_nodes() {
  return troupe::config::parse("[cluster]\nshards = 16\n"
                               "[[nodes]]\nname = \"a\"\nport = 1\n"
                               "[[nodes]]\nname = \"b\"\nport = 2\n"
                               "[[nodes]]\nname = \"c\"\nport = 3\n",
                               "test.toml");
}

} // namespace

BOOST_AUTO_TEST_CASE(shards_are_owned_by_the_placement_table) {
  auto p = placement_of(three_nodes());
  BOOST_REQUIRE(p);
  directory d{*p, "a"};
  for (std::uint32_t s = 0; s < 16; ++s)
    BOOST_CHECK_EQUAL(d.owner_of("shard", std::to_string(s)),
                      p->node_of_shard(s).name);
}

BOOST_AUTO_TEST_CASE(other_kinds_are_owned_by_the_ring_and_agree_across_nodes) {
  auto p = placement_of(three_nodes());
  BOOST_REQUIRE(p);
  directory on_a{*p, "a"};
  directory on_b{*p, "b"};
  std::map<std::string, int> per_node;
  for (int i = 0; i < 300; ++i) {
    auto id = "w" + std::to_string(i);
    BOOST_CHECK_EQUAL(on_a.owner_of("workflow", id),
                      on_b.owner_of("workflow", id));
    BOOST_CHECK_EQUAL(on_a.owner_of("workflow", id),
                      p->hash_ring().owner("workflow/" + id).name);
    ++per_node[on_a.owner_of("workflow", id)];
  }
  BOOST_CHECK_EQUAL(per_node.size(), 3u); // every node owns some
  // A shard id that is not a shard number falls back to the ring.
  BOOST_CHECK_EQUAL(on_a.owner_of("shard", "99x"),
                    p->hash_ring().owner("shard/99x").name);
  BOOST_CHECK_EQUAL(on_a.owner_of("shard", "16"),
                    p->hash_ring().owner("shard/16").name);
}

BOOST_AUTO_TEST_CASE(a_transaction_service_is_owned_by_its_node) {
  auto p = placement_of(three_nodes());
  BOOST_REQUIRE(p);
  directory on_a{*p, "a"};
  for (const char* n : {"a", "b", "c"}) {
    BOOST_CHECK_EQUAL(on_a.owner_of("txn_service", n), n);
    BOOST_CHECK_EQUAL(on_a.owner_of("gc", n), n);
  }
  BOOST_CHECK(on_a.owns("txn_service", "a"));
  // Not a member: the ring decides, as for any other kind.
  BOOST_CHECK_EQUAL(on_a.owner_of("txn_service", "zz"),
                    p->hash_ring().owner("txn_service/zz").name);
}

BOOST_AUTO_TEST_CASE(local_registry_adds_finds_and_removes) {
  auto p = placement_of(three_nodes());
  BOOST_REQUIRE(p);
  directory d{*p, "a"};
  BOOST_CHECK(!d.find("echo", "1"));
  d.add("echo", "1", caf::actor{});
  BOOST_CHECK(d.find("echo", "1").has_value());
  d.remove_all(caf::actor_addr{});
  BOOST_CHECK_EQUAL(d.size(), 0u);
}
