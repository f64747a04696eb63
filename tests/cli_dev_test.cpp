// `troupe dev --once`: a whole cluster in one process comes up and reports
// every node up; its generated config works with the other commands.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <set>

#include <nlohmann/json.hpp>

#include "run_command.hpp"

using troupe::test::run_command;

BOOST_AUTO_TEST_CASE(dev_once_prints_every_node_up) {
  char tmpl[] = "/tmp/troupe-dev-XXXXXX";
  BOOST_REQUIRE(mkdtemp(tmpl) != nullptr);
  std::string dir = tmpl;
  auto r = run_command(
    {TROUPE_BIN, "dev", "--nodes", "3", "--data", dir, "--once", "--json"});
  BOOST_REQUIRE_EQUAL(r.exit_code, 0);
  auto j = nlohmann::json::parse(r.out);
  BOOST_REQUIRE_EQUAL(j["nodes"].size(), 3u);
  std::set<std::uint32_t> shards;
  std::size_t count = 0;
  for (const auto& n : j["nodes"]) {
    BOOST_CHECK_EQUAL(n["state"], "up");
    for (const auto& s : n["shards"]) {
      shards.insert(s.get<std::uint32_t>());
      ++count;
    }
  }
  // The ring places every one of the 64 default shards on exactly one node.
  BOOST_CHECK_EQUAL(count, 64u);
  BOOST_CHECK_EQUAL(shards.size(), 64u);
  BOOST_CHECK_EQUAL(*shards.rbegin(), 63u);
  auto check = run_command(
    {TROUPE_BIN, "config", "check", dir + "/cluster.toml", "--json"});
  BOOST_CHECK_EQUAL(check.exit_code, 0);
  std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(dev_rejects_zero_nodes) {
  auto r = run_command({TROUPE_BIN, "dev", "--nodes", "0", "--once"});
  BOOST_CHECK_EQUAL(r.exit_code, 2);
  BOOST_CHECK(r.err.find("--nodes must be between 1 and 64") !=
              std::string::npos);
}
