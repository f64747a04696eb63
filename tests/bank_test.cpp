// Issue 6 acceptance: 3 node processes, 8 concurrent clients doing bank
// transfers across shards for 20 s (`troupe bench bank --cross-shard`).
// The final total equals the initial total, every transfer a client saw
// acknowledged is in both account journals, and no failed one is in
// either. Also: examples/bank runs against the same kind of cluster.
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>

#include "cluster_harness.hpp"
#include "run_command.hpp"

using namespace std::chrono_literals;
using troupe::test::local_cluster;
using troupe::test::run_command;
using troupe::test::wait_until;

BOOST_AUTO_TEST_CASE(cross_shard_transfers_conserve_money_and_journals) {
  local_cluster c{TROUPE_BIN, 3, troupe::test::fast_timeouts_toml};
  c.start_all();
  BOOST_REQUIRE_MESSAGE(wait_until(20s, [&] { return c.all_up(); }),
                        "cluster did not come up: " << c.status().dump());
  auto r = run_command({TROUPE_BIN, "bench", "bank", "--config",
                        c.config_path(), "--clients", "8", "--duration", "20",
                        "--accounts", "64", "--cross-shard", "--json"});
  BOOST_TEST_MESSAGE("bench bank: " << r.out << r.err);
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  BOOST_REQUIRE_MESSAGE(!j.is_discarded(), r.out << r.err);
  BOOST_CHECK_EQUAL(r.exit_code, 0);
  BOOST_CHECK_EQUAL(j["clients"], 8);
  BOOST_CHECK_EQUAL(j["cross_shard"], true);
  BOOST_CHECK_GE(j["seconds"].get<double>(), 20.0);
  // Real work happened, and it was cross-shard (two-phase).
  BOOST_CHECK_GT(j["committed"].get<std::uint64_t>(), 100u);
  BOOST_CHECK_EQUAL(j["one_phase"], 0);
  BOOST_CHECK_GT(j["transfers_per_s"].get<double>(), 0.0);
  BOOST_CHECK_GT(j["p99_ms"].get<double>(), 0.0);
  // The seconds of the run add up to the committed transfers.
  std::uint64_t per_second = 0;
  for (const auto& s : j["per_second"])
    per_second += s["committed"].get<std::uint64_t>();
  BOOST_CHECK_GE(j["per_second"].size(), 20u);
  BOOST_CHECK_EQUAL(per_second, j["committed"].get<std::uint64_t>());
  // The figures name the allocator they were taken on (jemalloc unless
  // configured off), and the nodes run the same binary.
  BOOST_CHECK_EQUAL(
    j["allocator"].get<std::string>().rfind(TROUPE_ALLOCATOR, 0), 0u);
  // The invariants.
  BOOST_CHECK_EQUAL(j["check_error"], "");
  BOOST_CHECK_EQUAL(j["total_ok"], true);
  BOOST_CHECK_EQUAL(j["final_total"], j["expected_total"]);
  BOOST_CHECK_EQUAL(j["acked_missing"], 0);
  BOOST_CHECK_EQUAL(j["failed_present"], 0);
  BOOST_CHECK_EQUAL(j["torn"], 0);
  BOOST_CHECK_EQUAL(j["balance_mismatches"], 0);
  BOOST_CHECK_EQUAL(j["negative"], 0);
  BOOST_CHECK_EQUAL(j["audit_failures"], 0);
  BOOST_CHECK_EQUAL(j["journals_ok"], true);
  // Every attempt is accounted for by reason.
  std::uint64_t by_reason = 0;
  for (const auto& [why, n] : j["aborts_by_reason"].items())
    if (why.rfind("begin: ", 0) != 0) by_reason += n.get<std::uint64_t>();
  BOOST_CHECK_EQUAL(by_reason, j["aborted"].get<std::uint64_t>() +
                                 j["unknown"].get<std::uint64_t>());
}

BOOST_AUTO_TEST_CASE(the_bank_example_runs_and_checks_itself) {
  local_cluster c{TROUPE_BIN, 3, troupe::test::fast_timeouts_toml};
  c.start_all();
  BOOST_REQUIRE(wait_until(20s, [&] { return c.all_up(); }));
  auto r =
    run_command({BANK_EXAMPLE_BIN, "--config", c.config_path(), "--accounts",
                 "16", "--clients", "2", "--seconds", "2"});
  BOOST_TEST_INFO(r.out << r.err);
  BOOST_CHECK_EQUAL(r.exit_code, 0);
  BOOST_CHECK(r.out.find("alice paid bob 30 at timestamp") !=
              std::string::npos);
  BOOST_CHECK(r.out.find("total 16000 of 16000: ok") != std::string::npos);
}
