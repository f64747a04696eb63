// Issue 7 acceptance (fail points): for each fail point of the commit
// protocol, a node crashes there (TROUPE_FAILPOINTS=<point>=crash) while
// `troupe bench bank --cross-shard` runs against 3 node processes; the
// test restarts it and checks: total conserved, every acknowledged
// transfer present, no failed transfer present, and within 10 s of the
// restart zero in-doubt transactions (so zero intents) on every node.
#include <boost/test/results_collector.hpp>
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "cluster_harness.hpp"
#include "run_command.hpp"
#include "troupe/ring/hash.hpp"

using namespace std::chrono_literals;
using troupe::test::child_process;
using troupe::test::local_cluster;
using troupe::test::wait_until;

namespace {

long long ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::steady_clock::now() - t)
    .count();
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

/// One line of `troupe bench bank --json` output: the counts a reader of
/// the test log wants (the whole output only when a check fails, so that a
/// failure stays near the top of a long log).
std::string summary(const nlohmann::json& j) {
  std::ostringstream out;
  out << "committed " << j["committed"] << ", aborted " << j["aborted"]
      << ", unknown " << j["unknown"] << " (committed "
      << j["unknown_committed"] << "), p99 " << j["p99_ms"] << " ms";
  return out.str();
}

/// The bank's invariants in `troupe bench bank --json` output.
void check_invariants(const nlohmann::json& j) {
  auto failures =
    boost::unit_test::results_collector
      .results(boost::unit_test::framework::current_test_case().p_id)
      .p_assertions_failed.get();
  BOOST_CHECK_EQUAL(j["check_error"], "");
  BOOST_CHECK_EQUAL(j["total_ok"], true);
  BOOST_CHECK_EQUAL(j["acked_missing"], 0);
  BOOST_CHECK_EQUAL(j["failed_present"], 0);
  BOOST_CHECK_EQUAL(j["torn"], 0);
  BOOST_CHECK_EQUAL(j["balance_mismatches"], 0);
  BOOST_CHECK_EQUAL(j["journals_ok"], true);
  BOOST_CHECK_GT(j["committed"].get<std::uint64_t>(), 0u);
  auto now = boost::unit_test::results_collector
               .results(boost::unit_test::framework::current_test_case().p_id)
               .p_assertions_failed.get();
  if (now != failures) std::cout << "bench output: " << j.dump(2) << std::endl;
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
  auto victim = c.oracle_node(on_oracle_node);
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
  if (!wait_until(20s, [&] { return !c.running(victim); }))
    BOOST_FAIL(victim << " did not reach " << point << ": "
                      << c.diagnose(victim));
  BOOST_CHECK_EQUAL(c.exit_code(victim).value_or(-1), 86);
  auto restarted = std::chrono::steady_clock::now();
  c.start(victim);
  std::string last;
  BOOST_CHECK_MESSAGE(wait_until(10s, [&] { return settled(c, last); }),
                      "not settled 10 s after the restart: " << last);
  BOOST_TEST_MESSAGE("settled after " << ms_since(restarted) << " ms");
  BOOST_REQUIRE(wait_until(120s, [&] { return !bench.running(); }));
  auto j = last_json_object(bench.log());
  BOOST_REQUIRE_MESSAGE(j.is_object(), bench.log());
  BOOST_TEST_MESSAGE("bench: " << summary(j));
  check_invariants(j);
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

namespace {

/// In-doubt entries on `node` per `status --json` (-1: unknown).
int in_doubt_on(local_cluster& c, const std::string& node) {
  auto st = c.status();
  if (!st.is_object()) return -1;
  for (const auto& n : st["nodes"])
    if (n["name"] == node)
      return n["in_doubt"].is_array() ? static_cast<int>(n["in_doubt"].size())
                                      : -1;
  return -1;
}

/// Three nodes; n1 restarted with `failpoints`, then one transaction
/// (`troupe txn` with `flags`) that n1 coordinates (it begins on the first
/// node of the config), putting x on a key of n2 and y on a key of n3.
struct coordinated_by_n1 {
  local_cluster c;
  std::map<std::string, std::string> keys;
  troupe::test::command_result txn;

  coordinated_by_n1(const std::string& toml, const std::string& failpoints,
                    const std::vector<std::string>& flags)
    : c{TROUPE_BIN, 3, toml} {
    c.start_all();
    BOOST_REQUIRE(wait_until(20s, [&] { return c.all_up(); }));
    keys = c.key_per_node("n1c");
    BOOST_REQUIRE_EQUAL(keys.size(), 3u);
    c.signal("n1", SIGTERM);
    c.start("n1", {{"TROUPE_FAILPOINTS", failpoints}});
    BOOST_REQUIRE(wait_until(20s, [&] { return c.all_up(); }));
    std::vector<std::string> argv{TROUPE_BIN, "txn"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    argv.insert(argv.end(),
                {"--config", c.config_path(),
                 "put " + keys["n2"] + " x; put " + keys["n3"] + " y"});
    txn = troupe::test::run_command(argv);
  }

  /// n2 and n3 each report `n` in-doubt transactions.
  bool in_doubt_on_both(int n) {
    return in_doubt_on(c, "n2") == n && in_doubt_on(c, "n3") == n;
  }

  /// `troupe get` shows `v2` for n2's key and `v3` for n3's ("(none)":
  /// absent).
  void expect(const std::string& v2, const std::string& v3) {
    auto after = troupe::test::run_command(
      {TROUPE_BIN, "get", "--config", c.config_path(), keys["n2"], keys["n3"]});
    BOOST_CHECK_MESSAGE(after.exit_code == 0, after.err);
    BOOST_CHECK_MESSAGE(
      after.out.find(keys["n2"] + " = " + v2) != std::string::npos, after.out);
    BOOST_CHECK_MESSAGE(
      after.out.find(keys["n3"] + " = " + v3) != std::string::npos, after.out);
  }
};

} // namespace

BOOST_AUTO_TEST_CASE(two_phase_commit_blocks_while_the_coordinator_is_down) {
  // n1 dies once the COMMIT decision is durable, before any participant
  // hears.
  coordinated_by_n1 t{troupe::test::fast_timeouts_toml,
                      "coordinator.after_commit_durable=crash",
                      {}};
  auto& c = t.c;
  BOOST_CHECK_NE(t.txn.exit_code, 0); // the coordinator died under it
  BOOST_REQUIRE(wait_until(10s, [&] { return !c.running("n1"); }));
  // Blocked: n2 and n3 hold the prepared transaction and cannot decide
  // without n1's log; it stays in doubt, and readers of its keys wait.
  BOOST_REQUIRE(wait_until(5s, [&] { return t.in_doubt_on_both(1); }));
  auto blocked_since = std::chrono::steady_clock::now();
  BOOST_CHECK(!wait_until(3s, [&] { return in_doubt_on(c, "n2") == 0; }));
  auto read = troupe::test::run_command(
    {TROUPE_BIN, "get", "--config", c.config_path(), t.keys["n2"]});
  BOOST_CHECK_NE(read.exit_code, 0);
  BOOST_TEST_MESSAGE("read while blocked: " << read.err);
  // n1 returns: its log says COMMIT, so both participants commit.
  c.start("n1");
  std::string last;
  BOOST_CHECK_MESSAGE(wait_until(10s, [&] { return settled(c, last); }), last);
  BOOST_TEST_MESSAGE("blocked for " << ms_since(blocked_since) << " ms");
  t.expect("x", "y");
}

namespace {

/// Three-phase commit without its coordinator: n1 coordinates a
/// transaction writing on n2 and n3, goes silent at fail point `point`
/// (as if it died there), and is then killed for good. The participants
/// terminate the transaction among themselves: both keys committed, or
/// neither.
void three_phase_without_the_coordinator(const std::string& point,
                                         bool commits) {
  BOOST_TEST_MESSAGE("three-phase, coordinator silent at " << point);
  auto toml = troupe::test::fast_timeouts_toml;
  toml.replace(toml.find("[timeouts]\n"), 11,
               "[timeouts]\nprepare_ms = 1000\nthree_phase_ms = 2000\n");
  coordinated_by_n1 t{toml, point + "=error", {"--3pc"}};
  auto& c = t.c;
  BOOST_CHECK_NE(t.txn.exit_code, 0);
  BOOST_CHECK_MESSAGE(t.txn.err.find("outcome_unknown") != std::string::npos,
                      t.txn.err);
  c.signal("n1", SIGKILL);
  auto killed = std::chrono::steady_clock::now();
  BOOST_REQUIRE(wait_until(10s, [&] { return !c.running("n1"); }));
  // n2 and n3 hold the transaction (in doubt once their sweep sees it);
  // with n1 gone for good they settle it among themselves.
  BOOST_REQUIRE(wait_until(5s, [&] { return t.in_doubt_on_both(1); }));
  BOOST_CHECK(wait_until(15s, [&] { return t.in_doubt_on_both(0); }));
  BOOST_TEST_MESSAGE("terminated " << ms_since(killed)
                                   << " ms after the coordinator's node died");
  if (commits)
    t.expect("x", "y");
  else
    t.expect("(none)", "(none)");
}

} // namespace

BOOST_AUTO_TEST_CASE(three_phase_participants_commit_without_the_coordinator) {
  // One participant got PreCommit: every participant voted YES, so the
  // survivors precommit the other and commit.
  three_phase_without_the_coordinator("coordinator.after_some_precommits_sent",
                                      true);
}

BOOST_AUTO_TEST_CASE(three_phase_participants_abort_without_the_coordinator) {
  // Nobody got PreCommit: the survivors cannot know all voted YES; abort.
  three_phase_without_the_coordinator("coordinator.before_precommit", false);
}

BOOST_AUTO_TEST_CASE(random_kills_keep_the_bank_invariants) {
  // CI: 20 s; people: TROUPE_RANDOM_KILL_SECONDS=60 (or more).
  int seconds = 20;
  if (const char* s = std::getenv("TROUPE_RANDOM_KILL_SECONDS"))
    seconds = std::max(5, std::atoi(s));
  std::uint64_t seed = 7;
  if (const char* s = std::getenv("TROUPE_RANDOM_KILL_SEED"))
    seed = std::strtoull(s, nullptr, 10);
  BOOST_TEST_MESSAGE("random kills: " << seconds << " s, seed " << seed);
  local_cluster c{TROUPE_BIN, 3, troupe::test::fast_timeouts_toml};
  c.start_all();
  BOOST_REQUIRE(wait_until(20s, [&] { return c.all_up(); }));
  auto out = c.dir() + "/bench-random.out";
  child_process bench({TROUPE_BIN, "bench", "bank", "--config", c.config_path(),
                       "--clients", "4", "--duration", std::to_string(seconds),
                       "--accounts", "32", "--cross-shard", "--json"},
                      out);
  std::mt19937_64 rng{seed};
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds{seconds};
  int kills = 0;
  // Every 2-4 s: SIGKILL a random node, restart it once the others see it
  // down (a new incarnation), repeat until the run ends.
  while (std::chrono::steady_clock::now() + 4s < end) {
    auto pause = std::chrono::milliseconds{2000 + rng() % 2000};
    std::this_thread::sleep_for(pause); // the fault schedule's pace
    const auto& victim = c.names()[rng() % c.names().size()];
    BOOST_TEST_MESSAGE("kill " << victim);
    c.signal(victim, SIGKILL);
    ++kills;
    c.start(victim);
  }
  BOOST_REQUIRE(wait_until(std::chrono::seconds{seconds + 120},
                           [&] { return !bench.running(); }));
  std::string last;
  bool settled_ok = wait_until(10s, [&] { return settled(c, last); });
  auto j = last_json_object(bench.log());
  BOOST_REQUIRE_MESSAGE(j.is_object(), bench.log());
  int left = 0;
  auto st = c.status();
  for (const auto& n : st["nodes"])
    if (n["in_doubt"].is_array())
      left += static_cast<int>(n["in_doubt"].size());
  std::cout << "random-kill run (" << seconds << " s, seed " << seed
            << "): transfers ok " << j["committed"] << ", failed "
            << j["aborted"] << ", unknown " << j["unknown"] << " ("
            << j["unknown_committed"] << " of them committed), recoveries "
            << kills << ", in-doubt left " << left << std::endl;
  BOOST_CHECK_GE(kills, 1);
  check_invariants(j);
  BOOST_CHECK_MESSAGE(settled_ok, "in doubt 10 s after the run: " << last);
  BOOST_CHECK_EQUAL(left, 0);
}

BOOST_AUTO_TEST_CASE(a_shard_that_fails_to_start_is_restarted_and_serves) {
  local_cluster c{TROUPE_BIN, 3, troupe::test::fast_timeouts_toml};
  // n3's shards fail their first two starts; the supervisor retries with
  // backoff, within its limit, and the node serves.
  c.start("n1");
  c.start("n2");
  c.start("n3", {{"TROUPE_FAILPOINTS", "shard.start=error@times=2"}});
  BOOST_REQUIRE(wait_until(20s, [&] { return c.all_up(); }));
  auto key = c.key_per_node("sup").at("n3");
  bool served = wait_until(10s, [&] {
    auto r = troupe::test::run_command(
      {TROUPE_BIN, "put", "--config", c.config_path(), key, "v"});
    return r.exit_code == 0;
  });
  BOOST_CHECK_MESSAGE(served, c.log("n3"));
  BOOST_CHECK(c.running("n3"));
}

BOOST_AUTO_TEST_CASE(a_node_whose_shutdown_hangs_exits_anyway) {
  local_cluster c{TROUPE_BIN, 3, troupe::test::fast_timeouts_toml};
  c.start("n1", {{"TROUPE_FAILPOINTS", "node.stop=error"}});
  BOOST_REQUIRE(wait_until(20s, [&] { return c.running("n1"); }));
  BOOST_REQUIRE(wait_until(20s, [&] {
    return c.log("n1").find("listening on") != std::string::npos;
  }));
  auto asked = std::chrono::steady_clock::now();
  BOOST_CHECK_EQUAL(c.signal("n1", SIGTERM), 0);
  auto took = std::chrono::steady_clock::now() - asked;
  BOOST_CHECK_MESSAGE(took >= 10s && took < 20s,
                      "stopped after "
                        << std::chrono::duration<double>(took).count() << " s");
  BOOST_CHECK_MESSAGE(c.log("n1").find("did not stop within 10 s") !=
                        std::string::npos,
                      c.log("n1"));
}

BOOST_AUTO_TEST_CASE(a_crash_loop_escalates_and_stops_the_node) {
  local_cluster c{TROUPE_BIN, 3, troupe::test::fast_timeouts_toml};
  c.start("n1");
  c.start("n2");
  // Every start of n3's shards fails: past the supervisor's restart limit
  // the node stops (exit 1) instead of spinning.
  c.start("n3", {{"TROUPE_FAILPOINTS", "shard.start=error"}});
  if (!wait_until(20s, [&] { return !c.running("n3"); }))
    BOOST_FAIL("n3 still runs after 20 s: " << c.diagnose("n3"));
  BOOST_CHECK_EQUAL(c.exit_code("n3").value_or(-1), 1);
  BOOST_CHECK_MESSAGE(
    c.log("n3").find("gave up restarting") != std::string::npos, c.log("n3"));
  // The others see it down and keep serving.
  BOOST_CHECK(wait_until(5s, [&] { return c.states()["n3"] == "down"; }));
}
