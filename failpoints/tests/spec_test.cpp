#include "troupe/failpoints/spec.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

using namespace troupe::failpoints;

namespace {

spec parse_ok(const std::string& text) {
  spec s;
  auto st = parse_spec(text, s);
  BOOST_REQUIRE_MESSAGE(st.ok(), text << ": " << st.reason());
  return s;
}

/// Checks that `st`, the result for `text`, is a refusal containing
/// `needle`.
void check_refused(const status& st, const std::string& text,
                   const std::string& needle) {
  BOOST_TEST_MESSAGE(st.reason());
  BOOST_REQUIRE_MESSAGE(!st.ok(), "accepted '" << text << "'");
  BOOST_CHECK_MESSAGE(st.reason().find(needle) != std::string::npos,
                      "reason '" << st.reason() << "' lacks '" << needle
                                 << "'");
}

/// Expects `text` to be refused with a reason quoting it and containing
/// `needle`.
void expect_bad(const std::string& text, const std::string& needle) {
  spec s;
  s.delay_ms = 77;
  auto st = parse_spec(text, s);
  check_refused(st, text, needle);
  BOOST_CHECK(st.reason().rfind("bad fail-point spec '", 0) == 0);
  BOOST_CHECK_EQUAL(s.delay_ms, 77u); // untouched
}

} // namespace

BOOST_AUTO_TEST_CASE(parses_every_action) {
  BOOST_CHECK(parse_ok("off").what == action::off);
  BOOST_CHECK(parse_ok("crash").what == action::crash);
  BOOST_CHECK(parse_ok("error").what == action::error);
  auto d = parse_ok(" delay(250) ");
  BOOST_CHECK(d.what == action::delay);
  BOOST_CHECK_EQUAL(d.delay_ms, 250u);
  BOOST_CHECK_EQUAL(parse_ok("delay(0)").delay_ms, 0u);
  BOOST_CHECK_EQUAL(parse_ok("delay(3600000)").delay_ms, max_delay_ms);
}

BOOST_AUTO_TEST_CASE(parses_modifiers_in_any_order) {
  auto s = parse_ok("error@times=2,p=0.25,after=3");
  BOOST_CHECK(s.what == action::error);
  BOOST_CHECK_EQUAL(s.probability, 0.25);
  BOOST_CHECK_EQUAL(s.after, 3u);
  BOOST_CHECK_EQUAL(s.times, 2u);
  auto d = parse_ok("delay(5)@p=1");
  BOOST_CHECK_EQUAL(d.probability, 1.0);
  BOOST_CHECK_EQUAL(d.after, 0u);
  BOOST_CHECK_EQUAL(d.times, 0u);
  BOOST_CHECK_EQUAL(parse_ok("crash@p=1e-3").probability, 0.001);
}

BOOST_AUTO_TEST_CASE(refuses_malformed_specs_naming_the_rule) {
  expect_bad("", "no action");
  expect_bad("panic", "unknown action 'panic'");
  expect_bad("Crash", "unknown action 'Crash'");
  expect_bad("delay", "unknown action 'delay'");
  expect_bad("delay()", "delay takes whole milliseconds");
  expect_bad("delay(-1)", "got '-1'");
  expect_bad("delay(1.5)", "got '1.5'");
  expect_bad("delay(3600001)", "from 0 to 3600000");
  expect_bad("crash@", "'@' must be followed by modifiers");
  expect_bad("crash@p=0.5,", "empty modifier");
  expect_bad("crash@p=0", "p must be a decimal number in (0, 1]");
  expect_bad("crash@p=1.5", "got '1.5'");
  expect_bad("crash@p=-0.5", "got '-0.5'");
  expect_bad("crash@p=nan", "got 'nan'");
  expect_bad("crash@p=50%", "got '50%'");
  expect_bad("error@after=x", "after must be an unsigned integer");
  expect_bad("error@after=-1", "got '-1'");
  expect_bad("error@after", "after must be an unsigned integer, got ''");
  expect_bad("error@times=0", "times must be at least 1");
  expect_bad("error@after=1,after=2", "modifier 'after' given twice");
  expect_bad("error@every=2", "unknown modifier 'every=2'");
  expect_bad("off@after=2", "'off' takes no modifiers");
  expect_bad("error @after=2", "unknown action 'error '");
}

BOOST_AUTO_TEST_CASE(to_string_round_trips) {
  for (std::string text :
       {"off", "crash", "error", "delay(20)", "crash@p=0.1", "error@after=3",
        "error@times=1", "delay(7)@p=0.33,after=2,times=9"}) {
    auto s = parse_ok(text);
    BOOST_CHECK_EQUAL(to_string(s), text);
    auto again = parse_ok(to_string(s));
    BOOST_CHECK_EQUAL(again.probability, s.probability);
  }
  // Canonical order: p, after, times.
  BOOST_CHECK_EQUAL(to_string(parse_ok("error@times=2,after=1")),
                    "error@after=1,times=2");
}

BOOST_AUTO_TEST_CASE(parses_a_config_string) {
  std::vector<config_entry> out;
  auto st = parse_config(
    " ; shard.after_prepare_durable = crash@after=2 ;;coordinator.x=error; ",
    out);
  BOOST_REQUIRE_MESSAGE(st.ok(), st.reason());
  BOOST_REQUIRE_EQUAL(out.size(), 2u);
  BOOST_CHECK_EQUAL(out[0].first, "shard.after_prepare_durable");
  BOOST_CHECK(out[0].second.what == action::crash);
  BOOST_CHECK_EQUAL(out[0].second.after, 2u);
  BOOST_CHECK_EQUAL(out[1].first, "coordinator.x");
  BOOST_CHECK(out[1].second.what == action::error);
  BOOST_CHECK(parse_config("", out).ok());
  BOOST_CHECK(out.empty());
}

BOOST_AUTO_TEST_CASE(refuses_a_bad_config_all_or_nothing) {
  const std::vector<std::pair<std::string, std::string>> cases = {
    {"a.b=crash;c.d", "entry 'c.d' lacks '=' (expected NAME=SPEC)"},
    {"A.b=crash", "invalid fail-point name 'A.b'"},
    {"=crash", "invalid fail-point name ''"},
    {"a..b=crash", "invalid fail-point name 'a..b'"},
    {"a.b=crash;a.b=error", "fail point 'a.b' given twice"},
    {"a.b=crash;c.d=boom",
     "fail point 'c.d': bad fail-point spec 'boom': unknown action 'boom'"},
  };
  for (const auto& [text, needle] : cases) {
    std::vector<config_entry> out{{"keep.me", spec{}}};
    check_refused(parse_config(text, out), text, needle);
    BOOST_REQUIRE_EQUAL(out.size(), 1u);
    BOOST_CHECK_EQUAL(out[0].first, "keep.me");
  }
}

BOOST_AUTO_TEST_CASE(names_are_dot_separated_lowercase_words) {
  static_assert(is_valid_name("shard.after_prepare_durable"));
  static_assert(is_valid_name("tso2"));
  static_assert(!is_valid_name(""));
  static_assert(!is_valid_name(".a"));
  static_assert(!is_valid_name("a."));
  static_assert(!is_valid_name("a..b"));
  static_assert(!is_valid_name("a-b"));
  static_assert(!is_valid_name("a b"));
  BOOST_CHECK(is_valid_name(std::string(128, 'a')));
  BOOST_CHECK(!is_valid_name(std::string(129, 'a')));
}
