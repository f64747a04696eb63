// Issue 7 acceptance (fail points): for each fail point of the commit
// protocol, a node crashes there (TROUPE_FAILPOINTS=<point>=crash) while
// `troupe bench bank --cross-shard` runs against 3 node processes; the
// test restarts it and checks: total conserved, every acknowledged
// transfer present, no failed transfer present, and within 10 s of the
// restart zero in-doubt transactions (so zero intents) on every node.
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cluster_harness.hpp"
#include "run_command.hpp"

using namespace std::chrono_literals;
using troupe::test::child_process;
using troupe::test::local_cluster;
using troupe::test::wait_until;

namespace {

/// Returns the node whose log says it runs the timestamp oracle (or not).
std::string pick_node(local_cluster& c, bool with_oracle) {
  for (const auto& n : c.names())
    if ((c.log(n).find("timestamp oracle") != std::string::npos) == with_oracle)
      return n;
  return {};
}

/// Every node up and reporting no in-doubt transaction.
bool settled(local_cluster& c, std::string& last) {
  auto st = c.status();
  last = st.dump();
  if (!st.is_object() || !st["nodes"].is_array()) return false;
  for (const auto& n : st["nodes"])
    if (n["state"] != "up" || !n["in_doubt"].is_array() ||
        !n["in_doubt"].empty())
      return false;
  return true;
}

nlohmann::json last_json_object(const std::string& text) {
  auto at = text.find("{\n");
  if (at == std::string::npos) return nlohmann::json{};
  return nlohmann::json::parse(text.substr(at), nullptr, false);
}

void crash_at(const std::string& point, bool on_oracle_node,
              const std::string& modifiers) {
  BOOST_TEST_MESSAGE("fail point " << point);
  // Small oracle batches: a mark write every 200 timestamps.
  local_cluster c{TROUPE_BIN, 3,
                  troupe::test::fast_timeouts_toml +
                    "[durability]\ntimestamp_batch = 200\n"};
  c.start_all();
  BOOST_REQUIRE(wait_until(20s, [&] { return c.all_up(); }));
  auto victim = pick_node(c, on_oracle_node);
  BOOST_REQUIRE(!victim.empty());
  // Restart the victim with the fail point armed.
  c.signal(victim, SIGTERM);
  c.start(victim, {{"TROUPE_FAILPOINTS", point + "=crash" + modifiers}});
  BOOST_REQUIRE(wait_until(20s, [&] { return c.all_up(); }));

  auto out = c.dir() + "/bench-" + point + ".out";
  child_process bench({TROUPE_BIN, "bench", "bank", "--config", c.config_path(),
                       "--clients", "4", "--duration", "8", "--accounts", "32",
                       "--cross-shard", "--json"},
                      out);
  // The victim dies at the fail point (exit 86), and comes back.
  BOOST_REQUIRE_MESSAGE(wait_until(20s, [&] { return !c.running(victim); }),
                        victim << " did not reach " << point);
  BOOST_CHECK_EQUAL(c.exit_code(victim).value_or(-1), 86);
  auto restarted = std::chrono::steady_clock::now();
  c.start(victim);
  std::string last;
  BOOST_CHECK_MESSAGE(wait_until(10s, [&] { return settled(c, last); }),
                      "not settled 10 s after the restart: " << last);
  BOOST_TEST_MESSAGE("settled after "
                     << std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - restarted)
                          .count()
                     << " ms");
  BOOST_REQUIRE(wait_until(120s, [&] { return !bench.running(); }));
  auto j = last_json_object(bench.log());
  BOOST_TEST_MESSAGE("bench: " << bench.log());
  BOOST_REQUIRE_MESSAGE(j.is_object(), bench.log());
  BOOST_CHECK_EQUAL(j["check_error"], "");
  BOOST_CHECK_EQUAL(j["total_ok"], true);
  BOOST_CHECK_EQUAL(j["acked_missing"], 0);
  BOOST_CHECK_EQUAL(j["failed_present"], 0);
  BOOST_CHECK_EQUAL(j["torn"], 0);
  BOOST_CHECK_EQUAL(j["balance_mismatches"], 0);
  BOOST_CHECK_EQUAL(j["journals_ok"], true);
  BOOST_CHECK_GT(j["committed"].get<std::uint64_t>(), 0u);
  // After the run, once more: nothing left in doubt.
  BOOST_CHECK_MESSAGE(wait_until(10s, [&] { return settled(c, last); }), last);
}

} // namespace

BOOST_AUTO_TEST_CASE(crash_after_prepare_is_durable) {
  crash_at("shard.after_prepare_durable", false, "@after=20");
}

BOOST_AUTO_TEST_CASE(crash_after_the_commit_decision_is_durable) {
  crash_at("coordinator.after_commit_durable", false, "@after=20");
}

BOOST_AUTO_TEST_CASE(crash_after_some_commits_are_sent) {
  crash_at("coordinator.after_some_commits_sent", false, "@after=20");
}

BOOST_AUTO_TEST_CASE(crash_before_a_shard_applies_a_commit) {
  crash_at("shard.before_apply_commit", false, "@after=20");
}

BOOST_AUTO_TEST_CASE(crash_while_persisting_a_timestamp_batch) {
  crash_at("timestamp.during_batch_persist", true, "@after=3");
}
