// `troupe config check` as users and scripts see it: exit codes, the
// FILE:LINE:COL prefix on stderr and the JSON shape.
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>

#include "run_command.hpp"

using troupe::test::run_command;
using troupe::test::write_temp_file;

namespace {

const std::string example = TROUPE_SOURCE_DIR "/examples/cluster/local-3.toml";

} // namespace

BOOST_AUTO_TEST_CASE(check_prints_filled_in_config_as_json) {
  auto r = run_command({TROUPE_BIN, "config", "check", example, "--json"});
  BOOST_REQUIRE_EQUAL(r.exit_code, 0);
  auto j = nlohmann::json::parse(r.out);
  BOOST_CHECK_EQUAL(j["cluster"]["name"], "local-3");
  BOOST_CHECK_EQUAL(j["cluster"]["shards"], 64);
  BOOST_REQUIRE_EQUAL(j["nodes"].size(), 3u);
  BOOST_CHECK_EQUAL(j["nodes"][1]["address"], "127.0.0.1:7102");
  BOOST_CHECK_EQUAL(j["nodes"][2]["data_dir"], "data/n3");
  BOOST_CHECK_EQUAL(j["retry"]["max_attempts"], 5);
  BOOST_CHECK_EQUAL(j["durability"]["sync"], true);
}

BOOST_AUTO_TEST_CASE(check_prints_text_by_default) {
  auto r = run_command({TROUPE_BIN, "config", "check", example});
  BOOST_REQUIRE_EQUAL(r.exit_code, 0);
  BOOST_CHECK(r.out.find("cluster local-3: 3 node(s)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(bad_config_exits_2_with_file_line_column) {
  auto path =
    write_temp_file("bad.toml", "[[nodes]]\nname = \"a\"\nport = 0\n");
  auto r = run_command({TROUPE_BIN, "config", "check", path});
  BOOST_CHECK_EQUAL(r.exit_code, 2);
  BOOST_CHECK_EQUAL(r.err, path + ":3:8: 'port' in nodes[0] must be between 1 "
                                  "and 65535, got 0\n");
  BOOST_CHECK(r.out.empty());
}

BOOST_AUTO_TEST_CASE(bad_config_with_json_prints_error_object) {
  auto path = write_temp_file("empty.toml", "");
  auto r = run_command({TROUPE_BIN, "config", "check", path, "--json"});
  BOOST_CHECK_EQUAL(r.exit_code, 2);
  auto j = nlohmann::json::parse(r.out);
  BOOST_CHECK_EQUAL(j["error"]["line"], 1);
  BOOST_CHECK_EQUAL(j["error"]["column"], 1);
  BOOST_CHECK_EQUAL(j["error"]["file"], path);
}

BOOST_AUTO_TEST_CASE(usage_errors_exit_2) {
  BOOST_CHECK_EQUAL(run_command({TROUPE_BIN, "config", "check"}).exit_code, 2);
  BOOST_CHECK_EQUAL(run_command({TROUPE_BIN}).exit_code, 2);
}

BOOST_AUTO_TEST_CASE(version_and_help_exit_0) {
  auto v = run_command({TROUPE_BIN, "--version"});
  BOOST_CHECK_EQUAL(v.exit_code, 0);
  BOOST_CHECK(v.out.rfind("troupe ", 0) == 0);
  auto h = run_command({TROUPE_BIN, "config", "check", "--help"});
  BOOST_CHECK_EQUAL(h.exit_code, 0);
  BOOST_CHECK(h.out.find("--json") != std::string::npos);
}
