// `troupe txn|get|put|del` against real `troupe node` processes: single-key
// and cross-shard transactions commit and read back, typed errors exit 1
// with their retry class, bad statements exit 2 naming the position, and
// `troupe dev` serves transactions in one process.
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <filesystem>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "cluster_harness.hpp"
#include "run_command.hpp"
#include "troupe/ring/hash.hpp"

using namespace std::chrono_literals;
using troupe::test::command_result;
using troupe::test::local_cluster;
using troupe::test::run_command;
using troupe::test::wait_until;

namespace {

command_result cli(const std::string& config, std::vector<std::string> args) {
  std::vector<std::string> argv{TROUPE_BIN, args[0], "--config", config};
  argv.insert(argv.end(), args.begin() + 1, args.end());
  return run_command(argv);
}

nlohmann::json json_of(const command_result& r) {
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  BOOST_TEST_INFO("stdout: " << r.out << "\nstderr: " << r.err);
  BOOST_CHECK(!j.is_discarded());
  return j;
}

} // namespace

BOOST_AUTO_TEST_CASE(put_get_and_cross_shard_transactions_commit) {
  local_cluster c{TROUPE_BIN, 3, troupe::test::fast_timeouts_toml};
  c.start_all();
  BOOST_REQUIRE_MESSAGE(wait_until(20s, [&] { return c.all_up(); }),
                        "cluster did not come up: " << c.status().dump());
  const auto& cfg = c.config_path();

  auto put = cli(cfg, {"put", "greeting", "hello"});
  BOOST_REQUIRE_MESSAGE(put.exit_code == 0, put.err);
  BOOST_CHECK(put.out.find("(1PC)") != std::string::npos);
  auto get = cli(cfg, {"get", "greeting", "missing"});
  BOOST_REQUIRE_MESSAGE(get.exit_code == 0, get.err);
  BOOST_CHECK(get.out.find("greeting = hello\n") != std::string::npos);
  BOOST_CHECK(get.out.find("missing = (none)\n") != std::string::npos);

  auto keys = c.key_per_node("key");
  BOOST_REQUIRE_EQUAL(keys.size(), 3u);
  std::string writes, reads;
  for (const auto& [node, key] : keys) {
    writes += "put " + key + " v-" + node + "; ";
    reads += "get " + key + "; ";
  }
  auto w = json_of(cli(cfg, {"txn", writes + "get greeting", "--json"}));
  BOOST_CHECK_EQUAL(w["one_phase"], false);
  BOOST_CHECK_EQUAL(w["reads"]["greeting"], "hello");
  auto r = json_of(cli(cfg, {"txn", reads, "--serializable", "--json"}));
  for (const auto& [node, key] : keys)
    BOOST_CHECK_EQUAL(r["reads"][key], "v-" + node);
  BOOST_CHECK_GT(r["commit_ts"].get<std::uint64_t>(),
                 w["commit_ts"].get<std::uint64_t>());

  auto del = cli(cfg, {"del", keys.begin()->second});
  BOOST_REQUIRE_MESSAGE(del.exit_code == 0, del.err);
  auto gone = json_of(cli(cfg, {"get", keys.begin()->second, "--json"}));
  BOOST_CHECK(gone["reads"][keys.begin()->second].is_null());
}

BOOST_AUTO_TEST_CASE(failures_are_typed_errors_with_exit_1) {
  local_cluster c{TROUPE_BIN, 3, troupe::test::fast_timeouts_toml};
  c.start_all();
  BOOST_REQUIRE(wait_until(20s, [&] { return c.all_up(); }));
  const auto& cfg = c.config_path();

  auto big = cli(cfg, {"put", std::string(5000, 'k'), "v", "--json"});
  BOOST_CHECK_EQUAL(big.exit_code, 1);
  auto e = json_of(big)["error"];
  BOOST_CHECK_EQUAL(e["code"], "too_large");
  BOOST_CHECK_EQUAL(e["retry"], "do_not_retry");

  // A key whose shard lives on a killed node: a read fails with
  // unavailable (retry the call); a commit aborts (retry the transaction).
  auto keys = c.key_per_node("key");
  c.signal("n3", SIGKILL);
  BOOST_REQUIRE(wait_until(5s, [&] { return c.states()["n3"] == "down"; }));
  auto t0 = std::chrono::steady_clock::now();
  auto down = cli(cfg, {"txn", "put " + keys.at("n3") + " x", "--json"});
  BOOST_CHECK_EQUAL(down.exit_code, 1);
  // At once, not after the request timeout (5 s): the down owner is known.
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
    std::chrono::steady_clock::now() - t0);
  BOOST_CHECK_LT(took.count(), 2000);
  auto d = json_of(down)["error"];
  BOOST_TEST_MESSAGE("commit on a down shard: " << d.dump());
  BOOST_CHECK_EQUAL(d["code"], "aborted");
  BOOST_CHECK_EQUAL(d["retry"], "retry_transaction");
  // The message carries no other retry class than the error's own.
  BOOST_CHECK_MESSAGE(d["message"].get<std::string>().find("(retry_") ==
                        std::string::npos,
                      d["message"]);
  auto text = cli(cfg, {"get", keys.at("n3")});
  BOOST_CHECK_EQUAL(text.exit_code, 1);
  BOOST_CHECK_MESSAGE(text.err.find("unavailable: ") != std::string::npos &&
                        text.err.find("(retry_call)") != std::string::npos,
                      text.err);
  // The other nodes still commit.
  auto ok = cli(cfg, {"put", keys.at("n1"), "still"});
  BOOST_CHECK_MESSAGE(ok.exit_code == 0, ok.err);
}

BOOST_AUTO_TEST_CASE(bad_statements_exit_2_naming_the_position) {
  auto cfg = troupe::test::write_temp_file(
    "txn.toml", "[cluster]\nname = \"x\"\n[[nodes]]\nname = \"a\"\n"
                "port = 1\ndata_dir = \"/tmp/none\"\n");
  auto r = cli(cfg, {"txn", "put a 1; put b"});
  BOOST_CHECK_EQUAL(r.exit_code, 2);
  BOOST_CHECK_MESSAGE(r.err.find("statement 2 (column 10): put takes a key "
                                 "and a value") != std::string::npos,
                      r.err);
  auto verb = cli(cfg, {"txn", "get a;  scan b"});
  BOOST_CHECK_EQUAL(verb.exit_code, 2);
  BOOST_CHECK(verb.err.find("statement 2 (column 9): unknown operation "
                            "'scan'") != std::string::npos);
  BOOST_CHECK_EQUAL(cli(cfg, {"txn", " ; "}).exit_code, 2);
  BOOST_CHECK_EQUAL(cli("/nonexistent.toml", {"get", "a"}).exit_code, 2);
}

BOOST_AUTO_TEST_CASE(dev_cluster_serves_transactions) {
  char tmpl[] = "/tmp/troupe-devtxn-XXXXXX";
  BOOST_REQUIRE(mkdtemp(tmpl) != nullptr);
  std::string dir = tmpl;
  {
    troupe::test::child_process dev{{TROUPE_BIN, "dev", "--data", dir},
                                    dir + "/dev.log"};
    BOOST_REQUIRE_MESSAGE(wait_until(20s,
                                     [&] {
                                       return dev.log().find(
                                                "is up; config in") !=
                                              std::string::npos;
                                     }),
                          dev.log());
    auto cfg = dir + "/cluster.toml";
    auto r = cli(cfg, {"txn", "put a 1; put b 2; get a", "--json"});
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    auto j = json_of(r);
    BOOST_CHECK_EQUAL(j["reads"]["a"], "1");
    BOOST_CHECK_EQUAL(dev.stop(SIGINT), 0);
  }
  std::filesystem::remove_all(dir);
}
