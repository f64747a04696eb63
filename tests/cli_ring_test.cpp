// `troupe ring owner` and `troupe ring simulate` as users and scripts see
// them: output formats, key sources, the JSON fields and exit codes.
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>

#include "run_command.hpp"

using troupe::test::run_command;
using troupe::test::write_temp_file;

namespace {

const std::string example = TROUPE_SOURCE_DIR "/examples/cluster/local-3.toml";

/// Runs `troupe ring <args...>`.
troupe::test::command_result ring(std::vector<std::string> args,
                                  const std::string& input = "") {
  args.insert(args.begin(), {TROUPE_BIN, "ring"});
  return run_command(args, input);
}

} // namespace

BOOST_AUTO_TEST_CASE(owner_prints_key_shard_node_per_line) {
  auto r = ring({"owner", "--config", example, "alice", "bob", "account/42"});
  BOOST_REQUIRE_EQUAL(r.exit_code, 0);
  // The fixed vectors of ring/tests/placement_test.cpp.
  BOOST_CHECK_EQUAL(r.out, "alice\t56\tn1\nbob\t1\tn3\naccount/42\t31\tn3\n");
  BOOST_CHECK(r.err.empty());
}

BOOST_AUTO_TEST_CASE(owner_reads_keys_from_stdin_and_prints_json) {
  auto r = ring({"owner", "--config", example, "--keys-from", "-", "--json"},
                "alice\r\n\nbob\n");
  BOOST_REQUIRE_EQUAL(r.exit_code, 0);
  auto j = nlohmann::json::parse(r.out);
  BOOST_REQUIRE_EQUAL(j.size(), 2u);
  BOOST_CHECK_EQUAL(j[0]["key"], "alice");
  BOOST_CHECK_EQUAL(j[0]["shard"], 56);
  BOOST_CHECK_EQUAL(j[0]["node"], "n1");
  BOOST_CHECK_EQUAL(j[1]["key"], "bob");
  BOOST_CHECK_EQUAL(j[1]["node"], "n3");
}

BOOST_AUTO_TEST_CASE(owner_reads_keys_from_a_file_after_arguments) {
  auto keys = write_temp_file("keys.txt", "order:1001\ntroupe\n");
  auto r = ring({"owner", "--config", example, "--keys-from", keys, "a"});
  BOOST_REQUIRE_EQUAL(r.exit_code, 0);
  BOOST_CHECK_EQUAL(r.out, "a\t3\tn1\norder:1001\t35\tn2\ntroupe\t32\tn2\n");
}

BOOST_AUTO_TEST_CASE(owner_bad_config_exits_2_with_file_line_column) {
  auto path =
    write_temp_file("bad.toml", "[[nodes]]\nname = \"a\"\nport = 0\n");
  auto r = ring({"owner", "--config", path, "k"});
  BOOST_CHECK_EQUAL(r.exit_code, 2);
  BOOST_CHECK_EQUAL(r.err.rfind(path + ":3:8: ", 0), 0u);
  BOOST_CHECK(r.out.empty());
}

BOOST_AUTO_TEST_CASE(owner_without_keys_or_with_unreadable_file_exits_2) {
  auto none = ring({"owner", "--config", example});
  BOOST_CHECK_EQUAL(none.exit_code, 2);
  BOOST_CHECK(none.err.find("no keys") != std::string::npos);
  auto missing = ring(
    {"owner", "--config", example, "--keys-from", "/nonexistent/keys.txt"});
  BOOST_CHECK_EQUAL(missing.exit_code, 2);
  BOOST_CHECK(missing.err.find("/nonexistent/keys.txt: cannot read keys") !=
              std::string::npos);
  BOOST_CHECK_EQUAL(ring({"owner", "k"}).exit_code, 2); // --config missing
}

BOOST_AUTO_TEST_CASE(simulate_json_has_the_documented_fields) {
  auto r = ring({"simulate", "--nodes", "10", "--vnodes", "256", "--keys",
                 "100000", "--add", "1", "--json"});
  BOOST_REQUIRE_EQUAL(r.exit_code, 0);
  auto j = nlohmann::json::parse(r.out);
  BOOST_CHECK(j["load"]["min"].is_number());
  BOOST_CHECK_CLOSE(j["load"]["mean"].get<double>(), 10000.0, 1e-9);
  BOOST_CHECK_GE(j["load"]["max"].get<double>(), 10000.0);
  double moved = j["moved_fraction"];
  BOOST_CHECK_GE(moved, 0.8 / 11);
  BOOST_CHECK_LE(moved, 1.2 / 11);
  BOOST_CHECK_EQUAL(j["moved_to_new_only"], true);
  BOOST_CHECK_GT(j["modulo"]["moved_fraction"].get<double>(), 0.85);
  BOOST_CHECK(j["shards_moved_fraction"].is_number());
  BOOST_CHECK_EQUAL(j["nodes_after"], 11);
}

BOOST_AUTO_TEST_CASE(simulate_prints_a_table_by_default) {
  auto r = ring({"simulate", "--nodes", "4", "--vnodes", "64", "--keys",
                 "10000", "--remove", "1"});
  BOOST_REQUIRE_EQUAL(r.exit_code, 0);
  BOOST_CHECK(r.out.find("4 -> 3 node(s)") != std::string::npos);
  BOOST_CHECK(r.out.find("keys moved") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(simulate_rejects_bad_arguments_with_exit_2) {
  auto zero =
    ring({"simulate", "--nodes", "0", "--vnodes", "8", "--keys", "10"});
  BOOST_CHECK_EQUAL(zero.exit_code, 2);
  BOOST_CHECK_EQUAL(zero.err, "troupe ring simulate: --nodes must be between "
                              "1 and 100000, got 0\n");
  auto all_gone = ring({"simulate", "--nodes", "3", "--vnodes", "8", "--keys",
                        "10", "--remove", "3"});
  BOOST_CHECK_EQUAL(all_gone.exit_code, 2);
  BOOST_CHECK(all_gone.err.find("--remove") != std::string::npos);
  BOOST_CHECK_EQUAL(
    ring({"simulate", "--nodes", "x", "--vnodes", "8", "--keys", "1"})
      .exit_code,
    2);
  BOOST_CHECK_EQUAL(ring({"simulate", "--nodes", "3"}).exit_code, 2);
}
