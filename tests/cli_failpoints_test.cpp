// `troupe failpoints list` in this build: names when fail points are
// compiled in, a clear message when not, exit 2 on a bad TROUPE_FAILPOINTS.
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <sstream>
#include <string>

#include "run_command.hpp"

using troupe::test::run_command;

namespace {

/// Runs `troupe failpoints list` with TROUPE_FAILPOINTS set to `config`.
troupe::test::command_result list_with(const char* config) {
  ::setenv("TROUPE_FAILPOINTS", config, 1);
  auto r = run_command({TROUPE_BIN, "failpoints", "list"});
  ::unsetenv("TROUPE_FAILPOINTS");
  BOOST_TEST_MESSAGE("exit " << r.exit_code << "\nout: " << r.out
                             << "\nerr: " << r.err);
  return r;
}

bool contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

} // namespace

#ifdef TROUPE_FAILPOINTS

BOOST_AUTO_TEST_CASE(list_prints_one_valid_name_per_line) {
  auto r = list_with("");
  BOOST_REQUIRE_EQUAL(r.exit_code, 0);
  std::istringstream lines{r.out};
  for (std::string line; std::getline(lines, line);)
    BOOST_CHECK_MESSAGE(!line.empty() && line.find_first_not_of(
                                           "abcdefghijklmnopqrstuvwxyz"
                                           "0123456789_.") == std::string::npos,
                        "not a fail-point name: '" << line << "'");
}

BOOST_AUTO_TEST_CASE(malformed_env_exits_2_naming_the_entry) {
  auto r = list_with("shard.x");
  BOOST_CHECK_EQUAL(r.exit_code, 2);
  BOOST_CHECK(contains(r.err, "troupe: TROUPE_FAILPOINTS: entry 'shard.x' "
                              "lacks '=' (expected NAME=SPEC)"));
}

BOOST_AUTO_TEST_CASE(unknown_name_in_env_exits_2) {
  auto r = list_with("no.such_point=crash");
  BOOST_CHECK_EQUAL(r.exit_code, 2);
  BOOST_CHECK(contains(r.err, "unknown fail point 'no.such_point'"));
}

#else

BOOST_AUTO_TEST_CASE(list_says_fail_points_are_compiled_out) {
  auto r = list_with("");
  BOOST_CHECK_EQUAL(r.exit_code, 0);
  BOOST_CHECK(contains(r.out, "fail points are compiled out of this build"));
}

#endif
