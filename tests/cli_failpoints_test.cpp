// `troupe failpoints list` in this build: names when fail points are
// compiled in, a clear message when not; and every command exits 2 at start
// on a bad TROUPE_FAILPOINTS.
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "run_command.hpp"

using troupe::test::run_command;

namespace {

const std::vector<std::string> list_args{"failpoints", "list"};
const std::vector<std::string> other_args{
  "ring", "simulate", "--nodes", "2", "--vnodes", "4", "--keys", "10"};

/// Runs `troupe ARGS...` with TROUPE_FAILPOINTS set to `config`.
troupe::test::command_result run_with(const char* config,
                                      const std::vector<std::string>& args) {
  std::vector<std::string> argv{TROUPE_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  ::setenv("TROUPE_FAILPOINTS", config, 1);
  auto r = run_command(argv);
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
  auto r = run_with("", list_args);
  BOOST_REQUIRE_EQUAL(r.exit_code, 0);
  std::istringstream lines{r.out};
  for (std::string line; std::getline(lines, line);)
    BOOST_CHECK_MESSAGE(!line.empty() && line.find_first_not_of(
                                           "abcdefghijklmnopqrstuvwxyz"
                                           "0123456789_.") == std::string::npos,
                        "not a fail-point name: '" << line << "'");
}

BOOST_AUTO_TEST_CASE(malformed_env_exits_2_naming_the_entry) {
  auto r = run_with("shard.x", list_args);
  BOOST_CHECK_EQUAL(r.exit_code, 2);
  BOOST_CHECK(contains(r.err, "troupe: TROUPE_FAILPOINTS: entry 'shard.x' "
                              "lacks '=' (expected NAME=SPEC)"));
}

BOOST_AUTO_TEST_CASE(any_command_refuses_an_unknown_name_at_start) {
  auto r = run_with("no.such_point=crash", other_args);
  BOOST_CHECK_EQUAL(r.exit_code, 2);
  BOOST_CHECK(contains(r.err, "unknown fail point 'no.such_point'"));
}

#else

BOOST_AUTO_TEST_CASE(list_says_fail_points_are_compiled_out) {
  auto r = run_with("", list_args);
  BOOST_CHECK_EQUAL(r.exit_code, 0);
  BOOST_CHECK(contains(r.out, "fail points are compiled out of this build"));
}

BOOST_AUTO_TEST_CASE(any_command_refuses_the_variable_when_compiled_out) {
  auto r = run_with("shard.after_prepare_durable=crash", other_args);
  BOOST_CHECK_EQUAL(r.exit_code, 2);
  BOOST_CHECK(contains(r.err, "troupe: TROUPE_FAILPOINTS: fail points are "
                              "compiled out of this build"));
}

#endif
