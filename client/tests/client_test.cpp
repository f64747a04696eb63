// The client without a cluster: bad configs and unreachable nodes give
// typed errors quickly. With real nodes: tests/client_cluster_test.cpp.
#include "troupe/client/client.hpp"

#include <boost/test/unit_test.hpp>

#include "cluster_harness.hpp"
#include "troupe/actors/errc.hpp"
#include "troupe/config/load.hpp"

using namespace troupe;
using actors::errc;

namespace {

config::cluster_config two_dead_nodes() {
  auto text =
    "[cluster]\nname = \"ghost\"\n[timeouts]\nconnect_ms = 300\n"
    "[retry]\nmax_attempts = 2\ninitial_interval_ms = 10\n"
    "[[nodes]]\nname = \"a\"\nport = " +
    std::to_string(test::free_port()) +
    "\n[[nodes]]\nname = \"b\"\nport = " + std::to_string(test::free_port()) +
    "\n";
  return config::parse(text, "ghost.toml");
}

} // namespace

BOOST_AUTO_TEST_CASE(a_config_without_nodes_is_an_invalid_argument) {
  config::cluster_config empty;
  auto c = client::client::connect(empty);
  BOOST_REQUIRE(!c);
  BOOST_CHECK(actors::is(c.error(), errc::invalid_argument));
}

BOOST_AUTO_TEST_CASE(begin_names_every_node_when_none_answers) {
  auto c = client::client::connect(two_dead_nodes());
  BOOST_REQUIRE(c);
  auto t = c->begin();
  BOOST_REQUIRE(!t);
  BOOST_CHECK(actors::is(t.error(), errc::unavailable));
  BOOST_CHECK_EQUAL(static_cast<int>(actors::retry_class_of(t.error())),
                    static_cast<int>(actors::retry_class::retry_call));
  auto text = actors::describe(t.error());
  BOOST_TEST_INFO(text);
  BOOST_CHECK(text.find("ghost") != std::string::npos);
  BOOST_CHECK(text.find("a (127.0.0.1:") != std::string::npos);
  BOOST_CHECK(text.find("b (127.0.0.1:") != std::string::npos);
  BOOST_CHECK_EQUAL(c->failovers(), 2u);
}

BOOST_AUTO_TEST_CASE(run_gives_up_after_the_policy_attempts) {
  auto c = client::client::connect(two_dead_nodes());
  BOOST_REQUIRE(c);
  int calls = 0;
  auto done = c->run([&](client::transaction&) -> caf::error {
    ++calls;
    return {};
  });
  BOOST_REQUIRE(!done);
  BOOST_CHECK(actors::is(done.error(), errc::unavailable));
  BOOST_CHECK_EQUAL(calls, 0); // no transaction ever began
  // 2 attempts, each asking both nodes (skipped ones in a second round).
  BOOST_CHECK_EQUAL(c->failovers(), 4u);
}
