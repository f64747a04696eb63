// Drives supervisor_core directly, without an actor or scheduler: a fake
// records the effects it asks for.

#include "supervisor_core.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <utility>
#include <vector>

using namespace std::chrono_literals;
using namespace troupe::actors;

namespace {

struct fake_effects : supervisor_effects {
  std::vector<std::pair<std::uint64_t, caf::timespan>> scheduled;
  std::vector<caf::error> quits;
  int spawns = 0;

  caf::expected<caf::actor> spawn(const child_spec&) override {
    ++spawns;
    return caf::make_error(caf::sec::runtime_error, "cannot start");
  }
  void monitor(const caf::actor&) override {}
  void stop(const caf::actor&) override {}
  void schedule(std::uint64_t token, caf::timespan delay) override {
    scheduled.emplace_back(token, delay);
  }
  void quit(caf::error reason) override { quits.push_back(std::move(reason)); }
};

supervisor_options options(std::uint32_t max_restarts) {
  supervisor_options result;
  result.max_restarts = max_restarts;
  result.window = 10s;
  result.backoff.initial = 100ms;
  result.backoff.max = 1s;
  result.backoff.jitter = 0.0;
  return result;
}

std::vector<child_spec> one_child() {
  child_spec spec;
  spec.name = "a";
  spec.start = [](caf::actor_system&) -> caf::expected<caf::actor> {
    return caf::actor{};
  };
  return {spec};
}

} // namespace

BOOST_AUTO_TEST_CASE(failed_starts_back_off_then_escalate) {
  fake_effects fx;
  supervisor_core core{options(2), one_child(), fx};
  caf::actor_clock::time_point t{};
  core.start(t);
  BOOST_REQUIRE_EQUAL(fx.scheduled.size(), 1u);
  BOOST_CHECK(fx.scheduled[0].second == 100ms);
  core.on_restart_due(fx.scheduled[0].first, t + 100ms);
  BOOST_REQUIRE_EQUAL(fx.scheduled.size(), 2u);
  BOOST_CHECK(fx.scheduled[1].second == 200ms);
  BOOST_CHECK(fx.quits.empty());
  core.on_restart_due(fx.scheduled[1].first, t + 300ms);
  BOOST_CHECK_EQUAL(fx.spawns, 3);
  BOOST_REQUIRE_EQUAL(fx.quits.size(), 1u);
  BOOST_CHECK_EQUAL(fx.quits[0].category(), caf::atom("supervisor"));
  BOOST_CHECK_EQUAL(
    fx.quits[0].code(),
    static_cast<std::uint8_t>(supervisor_errc::restart_limit_exceeded));
  BOOST_CHECK_EQUAL(core.stats(t + 300ms).children.at(0).failed_starts, 3u);
}

BOOST_AUTO_TEST_CASE(stale_and_unknown_timer_tokens_are_ignored) {
  fake_effects fx;
  supervisor_core core{options(5), one_child(), fx};
  caf::actor_clock::time_point t{};
  core.start(t);
  auto token = fx.scheduled.at(0).first;
  core.on_restart_due(token + 100, t + 1s);
  BOOST_CHECK_EQUAL(fx.spawns, 1);
  core.on_restart_due(token, t + 1s);
  BOOST_CHECK_EQUAL(fx.spawns, 2);
  core.on_restart_due(token, t + 2s); // already used
  BOOST_CHECK_EQUAL(fx.spawns, 2);
}

BOOST_AUTO_TEST_CASE(invalid_handle_counts_as_a_failed_start) {
  struct null_spawn : fake_effects {
    caf::expected<caf::actor> spawn(const child_spec&) override {
      ++spawns;
      return caf::actor{};
    }
  } fx;
  supervisor_core core{options(5), one_child(), fx};
  core.start(caf::actor_clock::time_point{});
  BOOST_CHECK_EQUAL(fx.scheduled.size(), 1u);
  auto child = core.child("a");
  BOOST_REQUIRE(!child);
  BOOST_CHECK_EQUAL(
    child.error().code(),
    static_cast<std::uint8_t>(supervisor_errc::child_not_running));
}

BOOST_AUTO_TEST_CASE(shutdown_without_running_children_quits_at_once) {
  fake_effects fx;
  supervisor_core core{options(5), one_child(), fx};
  core.start(caf::actor_clock::time_point{});
  core.shutdown(caf::make_error(caf::exit_reason::user_shutdown));
  BOOST_REQUIRE_EQUAL(fx.quits.size(), 1u);
  BOOST_CHECK(fx.quits[0] == caf::exit_reason::user_shutdown);
  BOOST_CHECK(core.terminating());
  core.on_restart_due(fx.scheduled.at(0).first, {});
  BOOST_CHECK_EQUAL(fx.spawns, 1);
}
