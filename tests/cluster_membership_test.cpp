// Real `troupe node` processes on loopback: a 3-node cluster comes up, a
// SIGKILLed node is seen down within the heartbeat timeout and up again
// after a restart, a SIGSTOPped node is seen down by heartbeat silence, and
// SIGTERM stops a node cleanly.
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <filesystem>

#include "cluster_harness.hpp"
#include "run_command.hpp"

using namespace std::chrono_literals;
using troupe::test::local_cluster;
using troupe::test::wait_until;

namespace {

constexpr auto heartbeat_timeout = 1000ms;

} // namespace

BOOST_AUTO_TEST_CASE(killed_node_goes_down_and_comes_back_up) {
  local_cluster c{TROUPE_BIN, 3, troupe::test::fast_timeouts_toml};
  c.start_all();
  BOOST_REQUIRE_MESSAGE(wait_until(20s, [&] { return c.all_up(); }),
                        "cluster did not come up: " << c.status().dump());

  c.signal("n2", SIGKILL);
  auto killed = std::chrono::steady_clock::now();
  // The deadline is the heartbeat timeout plus the time one `troupe status`
  // call takes to start and connect.
  BOOST_REQUIRE(wait_until(heartbeat_timeout + 1s,
                           [&] { return c.states()["n2"] == "down"; }));
  auto seen = std::chrono::duration_cast<std::chrono::milliseconds>(
    std::chrono::steady_clock::now() - killed);
  BOOST_TEST_MESSAGE("n2 seen down " << seen.count() << " ms after SIGKILL");
  BOOST_CHECK_EQUAL(c.states()["n3"], "up");

  c.start("n2");
  BOOST_REQUIRE(wait_until(20s, [&] { return c.all_up(); }));
  BOOST_CHECK(wait_until(5s, [&] {
    return c.log("n1").find(
             "peer n2 (127.0.0.1:" + std::to_string(c.port("n2")) +
             ") is UP after a restart") != std::string::npos;
  }));
  BOOST_CHECK(c.log("n3").find("peer n2") != std::string::npos);
  BOOST_CHECK_MESSAGE(
    c.log("n1").find("peer n2 (127.0.0.1:" + std::to_string(c.port("n2")) +
                     ") is DOWN") != std::string::npos,
    c.log("n1"));
}

BOOST_AUTO_TEST_CASE(stopped_node_is_down_after_heartbeat_silence) {
  local_cluster c{TROUPE_BIN, 3, troupe::test::fast_timeouts_toml};
  c.start_all();
  BOOST_REQUIRE(wait_until(20s, [&] { return c.all_up(); }));
  c.signal("n3", SIGSTOP);
  BOOST_REQUIRE(wait_until(heartbeat_timeout + 2s,
                           [&] { return c.states()["n3"] == "down"; }));
  BOOST_CHECK(c.log("n1").find("is DOWN: no heartbeat for") !=
              std::string::npos);
  c.signal("n3", SIGCONT);
  BOOST_REQUIRE(wait_until(10s, [&] { return c.all_up(); }));
}

BOOST_AUTO_TEST_CASE(sigterm_stops_a_node_cleanly) {
  local_cluster c{TROUPE_BIN, 1};
  c.start_all();
  BOOST_REQUIRE(wait_until(20s, [&] { return c.all_up(); }));
  BOOST_CHECK_EQUAL(c.signal("n1", SIGTERM), 0);
  BOOST_CHECK(c.log("n1").find("[n1] stopped") != std::string::npos);
  BOOST_CHECK(c.states().empty()); // nobody answers any more
}

BOOST_AUTO_TEST_CASE(a_second_copy_of_a_running_node_fails_clearly) {
  local_cluster c{TROUPE_BIN, 1};
  c.start_all();
  BOOST_REQUIRE(wait_until(20s, [&] { return c.all_up(); }));
  BOOST_CHECK(std::filesystem::exists(c.dir() + "/n1/store/CURRENT"));
  auto r = troupe::test::run_command(
    {TROUPE_BIN, "node", "--config", c.config_path(), "--name", "n1"});
  BOOST_CHECK_EQUAL(r.exit_code, 1);
  BOOST_CHECK_MESSAGE(r.err.find("cannot open the store of node n1 at " +
                                 c.dir() + "/n1/store") != std::string::npos,
                      r.err);
  BOOST_CHECK_EQUAL(c.states()["n1"], "up"); // the first copy is unharmed
}
