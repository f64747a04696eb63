#include "troupe/actors/membership.hpp"

#include <boost/test/unit_test.hpp>

#include "troupe/config/load.hpp"

using namespace std::chrono_literals;
using troupe::actors::heartbeat;
using troupe::actors::membership;

namespace {

struct fixture {
  troupe::config::cluster_config cfg = troupe::config::parse(
    "[cluster]\nname = \"c\"\n"
    "[timeouts]\nheartbeat_interval_ms = 100\nheartbeat_timeout_ms = 300\n"
    "[[nodes]]\nname = \"a\"\nport = 1\n"
    "[[nodes]]\nname = \"b\"\nport = 2\n"
    "[[nodes]]\nname = \"c\"\nport = 3\n",
    "test.toml");
  membership::clock::time_point t0{};
  membership m{cfg, "a", 7, t0};

  heartbeat from(const std::string& node, std::uint64_t inc = 1) {
    return heartbeat{"c", node, inc, 1000};
  }
};

} // namespace

BOOST_FIXTURE_TEST_CASE(peers_start_down_and_self_up, fixture) {
  auto st = m.status(t0 + 1s, {});
  BOOST_REQUIRE_EQUAL(st.nodes.size(), 3u);
  BOOST_CHECK_EQUAL(st.nodes[0].state, "up");
  BOOST_CHECK_CLOSE(st.nodes[0].uptime_s, 1.0, 1e-9);
  BOOST_CHECK_EQUAL(st.nodes[1].state, "down");
  BOOST_CHECK_EQUAL(st.nodes[2].state, "down");
  BOOST_CHECK_EQUAL(st.observer, "a");
}

BOOST_FIXTURE_TEST_CASE(heartbeat_brings_peer_up_once, fixture) {
  auto line = m.on_heard(from("b"), t0);
  BOOST_REQUIRE(line);
  BOOST_CHECK(line->find("peer b (127.0.0.1:2) is UP") != std::string::npos);
  BOOST_CHECK(!m.on_heard(from("b"), t0 + 100ms));
  BOOST_CHECK(m.is_up("b"));
  auto st = m.status(t0 + 500ms, {});
  BOOST_CHECK_EQUAL(st.nodes[1].state, "up");
  BOOST_CHECK_CLOSE(st.nodes[1].uptime_s, 1.4, 1e-9);
}

BOOST_FIXTURE_TEST_CASE(silence_longer_than_timeout_marks_peer_down, fixture) {
  (void)m.on_heard(from("b"), t0);
  BOOST_CHECK(m.on_tick(t0 + 300ms).empty());
  auto lines = m.on_tick(t0 + 301ms);
  BOOST_REQUIRE_EQUAL(lines.size(), 1u);
  BOOST_CHECK(lines[0].find("is DOWN: no heartbeat for 301 ms") !=
              std::string::npos);
  BOOST_CHECK(!m.is_up("b"));
  BOOST_CHECK(m.on_tick(t0 + 1s).empty());
}

BOOST_FIXTURE_TEST_CASE(lost_connection_marks_peer_down_at_once, fixture) {
  (void)m.on_heard(from("c"), t0);
  auto line = m.on_lost("c", "connection lost");
  BOOST_REQUIRE(line);
  BOOST_CHECK(!m.is_up("c"));
  BOOST_CHECK(!m.on_lost("c", "again"));
}

BOOST_FIXTURE_TEST_CASE(new_incarnation_is_reported_as_restart, fixture) {
  (void)m.on_heard(from("b", 1), t0);
  (void)m.on_lost("b", "gone");
  auto line = m.on_heard(from("b", 2), t0 + 1s);
  BOOST_REQUIRE(line);
  BOOST_CHECK(line->find("UP after a restart") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(foreign_unknown_and_own_heartbeats_are_rejected,
                        fixture) {
  BOOST_CHECK(!m.accepts(heartbeat{"other", "b", 1, 0}));
  BOOST_CHECK(!m.accepts(heartbeat{"c", "zz", 1, 0}));
  BOOST_CHECK(!m.accepts(heartbeat{"c", "a", 1, 0}));
  BOOST_CHECK(!m.on_heard(heartbeat{"other", "b", 1, 0}, t0));
  BOOST_CHECK(!m.is_up("b"));
}

BOOST_FIXTURE_TEST_CASE(status_carries_shards, fixture) {
  auto st = m.status(t0, {{"a", {0, 3}}, {"c", {1}}});
  BOOST_CHECK_EQUAL(st.nodes[0].shards.size(), 2u);
  BOOST_CHECK(st.nodes[1].shards.empty());
  BOOST_CHECK_EQUAL(st.nodes[2].shards.at(0), 1u);
}
