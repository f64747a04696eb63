#include "troupe/actors/supervisor.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "supervisor_test_support.hpp"

using namespace troupe::actors;
using namespace troupe::actors::testing;

namespace {

supervisor_options limited(std::uint32_t max_restarts, caf::timespan window) {
  auto options = plain_options();
  options.max_restarts = max_restarts;
  options.window = window;
  return options;
}

long count(const event_log& log, const std::string& event) {
  return std::count(log->begin(), log->end(), event);
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(supervisor_escalation, supervisor_fixture)

BOOST_AUTO_TEST_CASE(exceeding_the_restart_limit_escalates) {
  start(limited(2, 10s), {worker_spec("a", log), worker_spec("b", log)});
  auto reason = watch(sup);
  crash("a");
  advance(100ms);
  crash("a");
  advance(200ms);
  BOOST_CHECK(!reason->has_value());
  BOOST_CHECK_EQUAL(stats().recent_restarts, 2u);
  crash("a"); // third restart within 10s
  BOOST_REQUIRE(reason->has_value());
  BOOST_CHECK_MESSAGE(is(**reason, supervisor_errc::restart_limit_exceeded),
                      sys.render(**reason));
  // The sibling was stopped before the supervisor went down.
  BOOST_CHECK_EQUAL(log->back(), "down:watched");
  BOOST_CHECK_EQUAL(count(log, "exit:b"), 1);
}

BOOST_AUTO_TEST_CASE(restarts_outside_the_window_do_not_count) {
  start(limited(2, 1s), {worker_spec("a", log)});
  auto reason = watch(sup);
  crash("a");
  advance(100ms);
  crash("a");
  advance(200ms);
  advance(1s); // both restarts leave the window
  BOOST_CHECK_EQUAL(stats().recent_restarts, 0u);
  crash("a");
  advance(100ms);
  crash("a");
  advance(200ms);
  BOOST_CHECK(!reason->has_value());
  BOOST_CHECK(running("a"));
  BOOST_CHECK_EQUAL(stats_of("a").restarts, 4u);
  crash("a"); // the limit still holds within the new window
  BOOST_REQUIRE(reason->has_value());
  BOOST_CHECK(is(**reason, supervisor_errc::restart_limit_exceeded));
}

BOOST_AUTO_TEST_CASE(failing_recovery_hook_counts_toward_the_limit) {
  auto spec = worker_spec("a", log);
  auto broken = std::make_shared<bool>(false);
  spec.recover = [broken]() -> caf::error {
    if (*broken) return caf::make_error(caf::sec::runtime_error, "no store");
    return caf::none;
  };
  start(limited(2, 10s), {spec});
  auto reason = watch(sup);
  *broken = true;
  crash("a");     // restart 1
  advance(100ms); // restart 2: the hook fails
  advance(199ms);
  BOOST_CHECK(!reason->has_value());
  advance(1ms); // restart 3: the hook fails again, over the limit
  BOOST_REQUIRE(reason->has_value());
  BOOST_CHECK(is(**reason, supervisor_errc::restart_limit_exceeded));
  BOOST_CHECK_EQUAL(count(log, "start:a"), 1);
}

BOOST_AUTO_TEST_CASE(parent_restarts_an_escalating_child_supervisor) {
  auto inner_options = limited(1, 10s);
  inner_options.name = "inner";
  start(plain_options(),
        {supervisor_child("inner", inner_options, {worker_spec("a", log)}),
         worker_spec("sibling", log)});
  auto sibling = child("sibling").value();
  auto inner = caf::actor_cast<supervisor_actor>(child("inner").value());
  crash("a", inner);
  advance(100ms);
  BOOST_CHECK(child("a", inner));
  crash("a", inner); // inner gives up
  BOOST_CHECK(!child("inner"));
  auto parent_view = stats_of("inner");
  BOOST_CHECK(parent_view.status == child_status::restarting);
  BOOST_CHECK(
    is(parent_view.last_exit, supervisor_errc::restart_limit_exceeded));
  advance(100ms); // the parent's backoff
  auto fresh = child("inner");
  BOOST_REQUIRE(fresh);
  auto fresh_inner = caf::actor_cast<supervisor_actor>(*fresh);
  BOOST_CHECK(fresh_inner != inner);
  BOOST_CHECK(child("a", fresh_inner));
  BOOST_CHECK_EQUAL(stats(fresh_inner).children.at(0).restarts, 0u);
  BOOST_CHECK_EQUAL(stats_of("inner").restarts, 1u);
  BOOST_CHECK(child("sibling").value() == sibling);
  BOOST_CHECK_EQUAL(count(log, "start:a"), 3);
}

BOOST_AUTO_TEST_CASE(exit_message_stops_children_before_the_supervisor) {
  start(plain_options(), {worker_spec("a", log), worker_spec("b", log)});
  auto reason = watch(sup);
  caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
  run();
  BOOST_REQUIRE(reason->has_value());
  BOOST_CHECK(**reason == caf::exit_reason::user_shutdown);
  BOOST_REQUIRE_EQUAL(log->size(), 5u);
  BOOST_CHECK(
    std::is_permutation(log->begin() + 2, log->begin() + 4,
                        std::vector<std::string>{"exit:a", "exit:b"}.begin()));
  BOOST_CHECK_EQUAL(log->back(), "down:watched");
}

BOOST_AUTO_TEST_CASE(killed_supervisor_still_stops_its_children) {
  start(plain_options(), {worker_spec("a", log)});
  auto a = child("a").value();
  auto reason = watch(a);
  caf::anon_send_exit(sup, caf::exit_reason::kill);
  run();
  BOOST_REQUIRE(reason->has_value());
  BOOST_CHECK(**reason == caf::exit_reason::user_shutdown);
}

BOOST_AUTO_TEST_CASE(normal_exit_message_is_ignored) {
  start(plain_options(), {worker_spec("a", log)});
  caf::anon_send_exit(sup, caf::exit_reason::normal);
  run();
  BOOST_CHECK(running("a"));
}

BOOST_AUTO_TEST_CASE(invalid_child_specs_are_rejected) {
  auto expect_invalid = [&](std::vector<child_spec> children) {
    auto result = spawn_supervisor(sys, plain_options(), std::move(children));
    BOOST_REQUIRE(!result);
    BOOST_CHECK(is(result.error(), supervisor_errc::invalid_child_spec));
  };
  expect_invalid({worker_spec("a", log), worker_spec("a", log)});
  expect_invalid({worker_spec("", log)});
  auto no_start = worker_spec("a", log);
  no_start.start = nullptr;
  expect_invalid({no_start});
  BOOST_CHECK(log->empty());
}

BOOST_AUTO_TEST_SUITE_END()
