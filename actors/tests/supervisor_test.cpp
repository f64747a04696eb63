#include "troupe/actors/supervisor.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "supervisor_test_support.hpp"

using namespace troupe::actors;
using namespace troupe::actors::testing;

BOOST_FIXTURE_TEST_SUITE(supervisor, supervisor_fixture)

BOOST_AUTO_TEST_CASE(starts_children_in_order_and_answers_lookups) {
  start(plain_options(), {worker_spec("a", log), worker_spec("b", log)});
  BOOST_CHECK((*log == std::vector<std::string>{"start:a", "start:b"}));
  auto a = child("a");
  BOOST_REQUIRE(a);
  BOOST_CHECK_EQUAL(request<std::string>(*a, std::string{"hi"}).value(), "hi");
  auto unknown = child("nope");
  BOOST_REQUIRE(!unknown);
  BOOST_CHECK(is(unknown.error(), supervisor_errc::unknown_child));
  auto s = stats();
  BOOST_CHECK_EQUAL(s.name, "test");
  BOOST_REQUIRE_EQUAL(s.children.size(), 2u);
  BOOST_CHECK(s.children[0].status == child_status::running);
  BOOST_CHECK_EQUAL(s.children[0].restarts, 0u);
}

BOOST_AUTO_TEST_CASE(crashed_child_is_restarted_and_counted) {
  start(plain_options(), {worker_spec("a", log)});
  for (std::uint32_t i = 1; i <= 3; ++i) {
    auto before = child("a");
    BOOST_REQUIRE(before);
    crash("a");
    BOOST_CHECK(stats_of("a").status == child_status::restarting);
    advance(1s); // longer than any delay so far
    auto after = child("a");
    BOOST_REQUIRE(after);
    BOOST_CHECK(*after != *before);
    auto s = stats_of("a");
    BOOST_CHECK_EQUAL(s.restarts, i);
    BOOST_CHECK_EQUAL(s.exits, i);
    BOOST_CHECK(s.last_exit == caf::sec::runtime_error);
  }
  BOOST_CHECK_EQUAL(std::count(log->begin(), log->end(), "start:a"), 4);
}

BOOST_AUTO_TEST_CASE(lookup_returns_the_new_handle_after_a_restart) {
  start(plain_options(), {worker_spec("a", log)});
  auto old = child("a").value();
  crash("a");
  auto during = child("a");
  BOOST_REQUIRE(!during);
  BOOST_CHECK(is(during.error(), supervisor_errc::child_not_running));
  advance(100ms);
  auto fresh = child("a");
  BOOST_REQUIRE(fresh);
  BOOST_CHECK(*fresh != old);
  BOOST_CHECK_EQUAL(request<std::string>(*fresh, std::string{"x"}).value(),
                    "x");
  // The old handle is dead: a request to it fails.
  BOOST_CHECK(!request<std::string>(old, std::string{"x"}));
}

BOOST_AUTO_TEST_CASE(restart_waits_for_a_growing_capped_delay) {
  auto options = plain_options();
  options.backoff.max = 300ms; // 100, 200, 300, 300
  start(options, {worker_spec("a", log)});
  for (auto expected : {100ms, 200ms, 300ms, 300ms}) {
    crash("a");
    advance(expected - 1ms);
    BOOST_CHECK_MESSAGE(!running("a"),
                        "restarted before " << expected.count() << "ms");
    advance(1ms);
    BOOST_CHECK_MESSAGE(running("a"),
                        "not restarted after " << expected.count() << "ms");
  }
}

BOOST_AUTO_TEST_CASE(attempts_reset_after_a_child_ran_for_a_window) {
  auto options = plain_options();
  options.window = 1s;
  options.max_restarts = 100;
  start(options, {worker_spec("a", log)});
  crash("a");
  BOOST_CHECK_EQUAL(time_until_running("a").count(),
                    caf::timespan{100ms}.count());
  crash("a");
  BOOST_CHECK_EQUAL(time_until_running("a").count(),
                    caf::timespan{200ms}.count());
  advance(1s); // stable for a window
  crash("a");
  BOOST_CHECK_EQUAL(time_until_running("a").count(),
                    caf::timespan{100ms}.count());
}

BOOST_AUTO_TEST_CASE(jitter_is_deterministic_for_a_seed) {
  auto measure = [](std::uint64_t seed) {
    supervisor_fixture f;
    auto options = plain_options();
    options.backoff.jitter = 0.5;
    options.seed = seed;
    f.start(options, {worker_spec("a", f.log)});
    std::vector<caf::timespan::rep> waits;
    for (int i = 0; i < 4; ++i) {
      f.crash("a");
      waits.push_back(f.time_until_running("a").count());
    }
    return waits;
  };
  auto first = measure(11);
  BOOST_CHECK(first == measure(11));
  BOOST_CHECK(first != measure(12));
  // Each wait is the seeded backoff's delay rounded up to the 1ms step.
  auto options = plain_options();
  options.backoff.jitter = 0.5;
  backoff reference{options.backoff, 11};
  for (std::uint32_t i = 0; i < first.size(); ++i) {
    auto d = reference.delay(i + 1);
    auto ms = std::chrono::ceil<std::chrono::milliseconds>(d);
    BOOST_CHECK_EQUAL(first[i], caf::timespan{ms}.count());
    BOOST_CHECK(d < reference.base_delay(i + 1) || options.backoff.jitter == 0);
  }
}

BOOST_AUTO_TEST_CASE(one_for_one_leaves_siblings_alone) {
  start(plain_options(),
        {worker_spec("a", log), worker_spec("b", log), worker_spec("c", log)});
  auto a = child("a").value();
  auto c = child("c").value();
  crash("b");
  advance(100ms);
  BOOST_CHECK(child("a").value() == a);
  BOOST_CHECK(child("c").value() == c);
  BOOST_CHECK(running("b"));
  BOOST_CHECK_EQUAL(stats_of("a").restarts, 0u);
  BOOST_CHECK_EQUAL(stats_of("b").restarts, 1u);
  BOOST_CHECK_EQUAL(stats_of("c").restarts, 0u);
}

BOOST_AUTO_TEST_CASE(all_for_one_stops_then_restarts_siblings_in_order) {
  start(plain_options(restart_strategy::all_for_one),
        {worker_spec("a", log), worker_spec("b", log), worker_spec("c", log)});
  auto a = child("a").value();
  auto c = child("c").value();
  log->clear();
  crash("b");
  // Siblings are stopped at once, restarted only after the delay.
  BOOST_CHECK(!running("a"));
  BOOST_CHECK(stats_of("a").status == child_status::restarting);
  advance(99ms);
  BOOST_CHECK(!running("b"));
  advance(1ms);
  BOOST_CHECK(child("a").value() != a);
  BOOST_CHECK(child("c").value() != c);
  BOOST_CHECK(running("b"));
  for (auto name : {"a", "b", "c"})
    BOOST_CHECK_EQUAL(stats_of(name).restarts, 1u);
  // Every old instance exited before the first new one started.
  BOOST_REQUIRE_EQUAL(log->size(), 6u);
  auto first_start = std::find(log->begin(), log->end(), "start:a");
  BOOST_CHECK_EQUAL(first_start - log->begin(), 3);
  BOOST_CHECK(std::is_permutation(
    log->begin(), log->begin() + 3,
    std::vector<std::string>{"exit:a", "exit:b", "exit:c"}.begin()));
  BOOST_CHECK((std::vector<std::string>(log->begin() + 3, log->end()) ==
               std::vector<std::string>{"start:a", "start:b", "start:c"}));
}

BOOST_AUTO_TEST_CASE(permanent_child_is_restarted_after_a_normal_exit) {
  start(plain_options(), {worker_spec("a", log, restart_type::permanent)});
  finish("a");
  advance(100ms);
  BOOST_CHECK(running("a"));
  BOOST_CHECK_EQUAL(stats_of("a").restarts, 1u);
}

BOOST_AUTO_TEST_CASE(transient_child_is_restarted_only_after_a_failure) {
  start(plain_options(), {worker_spec("t1", log, restart_type::transient),
                          worker_spec("t2", log, restart_type::transient)});
  crash("t1");
  finish("t2");
  advance(5s);
  BOOST_CHECK(running("t1"));
  BOOST_CHECK_EQUAL(stats_of("t1").restarts, 1u);
  auto t2 = child("t2");
  BOOST_REQUIRE(!t2);
  BOOST_CHECK(is(t2.error(), supervisor_errc::child_not_running));
  BOOST_CHECK(stats_of("t2").status == child_status::stopped);
  BOOST_CHECK_EQUAL(stats_of("t2").restarts, 0u);
}

BOOST_AUTO_TEST_CASE(temporary_child_is_never_restarted) {
  start(plain_options(), {worker_spec("tmp", log, restart_type::temporary),
                          worker_spec("p", log)});
  crash("tmp");
  advance(5s);
  BOOST_CHECK(!running("tmp"));
  BOOST_CHECK(stats_of("tmp").status == child_status::stopped);
  BOOST_CHECK_EQUAL(std::count(log->begin(), log->end(), "start:tmp"), 1);
  BOOST_CHECK(running("p"));
}

BOOST_AUTO_TEST_CASE(recovery_hook_runs_before_the_child_takes_messages) {
  auto spec = worker_spec("a", log);
  auto recoveries = std::make_shared<int>(0);
  spec.recover = [log = log, recoveries]() -> caf::error {
    log->push_back("recover:" + std::to_string(++*recoveries));
    return caf::none;
  };
  start(plain_options(), {spec});
  auto send = [&](const std::string& text) {
    BOOST_CHECK_EQUAL(request<std::string>(child("a").value(), text).value(),
                      text);
  };
  send("first");
  crash("a");
  advance(100ms);
  send("second");
  BOOST_CHECK((*log == std::vector<std::string>{
                         "recover:1", "start:a", "a:first", "exit:a",
                         "recover:2", "start:a", "a:second"}));
}

BOOST_AUTO_TEST_CASE(failing_recovery_hook_is_retried_with_backoff) {
  auto spec = worker_spec("a", log);
  auto failures_left = std::make_shared<int>(0);
  spec.recover = [failures_left]() -> caf::error {
    if (*failures_left == 0) return caf::none;
    --*failures_left;
    return caf::make_error(caf::sec::runtime_error, "store not ready");
  };
  start(plain_options(), {spec});
  *failures_left = 2;
  crash("a");
  // Attempt 1 after 100ms fails, attempt 2 after 200ms more fails,
  // attempt 3 after 400ms more succeeds.
  advance(100ms);
  BOOST_CHECK_EQUAL(stats_of("a").failed_starts, 1u);
  advance(199ms);
  BOOST_CHECK_EQUAL(stats_of("a").failed_starts, 1u);
  advance(1ms);
  BOOST_CHECK_EQUAL(stats_of("a").failed_starts, 2u);
  advance(399ms);
  BOOST_CHECK(!running("a"));
  advance(1ms);
  BOOST_CHECK(running("a"));
  BOOST_CHECK_EQUAL(stats_of("a").restarts, 1u);
  BOOST_CHECK_EQUAL(std::count(log->begin(), log->end(), "start:a"), 2);
}

BOOST_AUTO_TEST_CASE(failing_start_function_counts_as_a_failed_start) {
  auto fail = std::make_shared<bool>(false);
  child_spec spec;
  spec.name = "a";
  spec.start =
    [fail, log = log](caf::actor_system& sys) -> caf::expected<caf::actor> {
    if (*fail)
      return caf::make_error(caf::sec::cannot_spawn_actor_from_arguments);
    return sys.spawn(worker, std::string{"a"}, log);
  };
  start(plain_options(), {spec});
  *fail = true;
  crash("a");
  advance(100ms);
  BOOST_CHECK_EQUAL(stats_of("a").failed_starts, 1u);
  *fail = false;
  advance(200ms);
  BOOST_CHECK(running("a"));
}

BOOST_AUTO_TEST_SUITE_END()
