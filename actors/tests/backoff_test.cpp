#include "troupe/actors/backoff.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <vector>

using namespace std::chrono_literals;
using troupe::actors::backoff;
using troupe::actors::backoff_policy;
using troupe::actors::restart_intensity;
using time_point = restart_intensity::time_point;

namespace {

backoff_policy policy(double jitter) {
  backoff_policy p;
  p.initial = 100ms;
  p.multiplier = 2.0;
  p.max = 1s;
  p.jitter = jitter;
  return p;
}

std::vector<std::chrono::nanoseconds> delays(backoff b, int n) {
  std::vector<std::chrono::nanoseconds> result;
  for (int i = 1; i <= n; ++i)
    result.push_back(b.delay(static_cast<std::uint32_t>(i)));
  return result;
}

} // namespace

BOOST_AUTO_TEST_CASE(delays_grow_exponentially_up_to_the_cap) {
  backoff b{policy(0.0)};
  BOOST_CHECK(b.delay(1) == 100ms);
  BOOST_CHECK(b.delay(2) == 200ms);
  BOOST_CHECK(b.delay(3) == 400ms);
  BOOST_CHECK(b.delay(4) == 800ms);
  BOOST_CHECK(b.delay(5) == 1s);
  BOOST_CHECK(b.delay(6) == 1s);
  BOOST_CHECK(b.delay(1000) == 1s); // pow overflows to inf, still capped
}

BOOST_AUTO_TEST_CASE(attempt_zero_is_treated_as_the_first) {
  backoff b{policy(0.0)};
  BOOST_CHECK(b.delay(0) == 100ms);
}

BOOST_AUTO_TEST_CASE(jitter_stays_within_its_fraction_below_the_base) {
  backoff b{policy(0.5), 42};
  bool any_below_base = false;
  for (std::uint32_t attempt = 1; attempt <= 200; ++attempt) {
    auto base = b.base_delay(attempt);
    auto d = b.delay(attempt);
    BOOST_TEST_REQUIRE(d.count() <= base.count());
    BOOST_TEST_REQUIRE(d.count() >= base.count() / 2);
    BOOST_TEST_REQUIRE(d.count() <= std::chrono::nanoseconds{1s}.count());
    any_below_base = any_below_base || d < base;
  }
  BOOST_CHECK(any_below_base);
}

BOOST_AUTO_TEST_CASE(jitter_is_deterministic_for_a_seed) {
  auto a = delays(backoff{policy(0.3), 7}, 20);
  auto b = delays(backoff{policy(0.3), 7}, 20);
  auto c = delays(backoff{policy(0.3), 8}, 20);
  BOOST_CHECK(a == b);
  BOOST_CHECK(a != c);
}

BOOST_AUTO_TEST_CASE(bad_policy_values_are_clamped) {
  backoff_policy p;
  p.initial = 100ms;
  p.multiplier = 0.5; // would shrink
  p.max = 10ms;       // below initial
  p.jitter = 3.0;     // above 1
  backoff b{p};
  BOOST_CHECK(b.policy().multiplier == 1.0);
  BOOST_CHECK(b.policy().max == 100ms);
  BOOST_CHECK(b.policy().jitter == 1.0);
  BOOST_CHECK(b.base_delay(5) == 100ms);
}

BOOST_AUTO_TEST_CASE(policy_from_retry_policy_copies_intervals) {
  troupe::config::retry_policy retry;
  retry.initial_interval = std::chrono::milliseconds{50};
  retry.multiplier = 3.0;
  retry.max_interval = std::chrono::milliseconds{2000};
  auto p = backoff_policy::from(retry, 0.1);
  BOOST_CHECK(p.initial == 50ms);
  BOOST_CHECK(p.multiplier == 3.0);
  BOOST_CHECK(p.max == 2s);
  BOOST_CHECK(p.jitter == 0.1);
  BOOST_CHECK(backoff{p}.base_delay(3) == 450ms);
}

BOOST_AUTO_TEST_CASE(intensity_allows_max_restarts_within_the_window) {
  restart_intensity limit{3, 10s};
  time_point t0{};
  BOOST_CHECK(limit.record(t0));
  BOOST_CHECK(limit.record(t0 + 1s));
  BOOST_CHECK(limit.record(t0 + 2s));
  BOOST_CHECK_EQUAL(limit.count(t0 + 2s), 3u);
  BOOST_CHECK(!limit.record(t0 + 3s)); // fourth within 10s
}

BOOST_AUTO_TEST_CASE(restarts_older_than_the_window_do_not_count) {
  restart_intensity limit{2, 10s};
  time_point t0{};
  BOOST_CHECK(limit.record(t0));
  BOOST_CHECK(limit.record(t0 + 5s));
  // t0 leaves the window at exactly t0 + 10s.
  BOOST_CHECK(limit.record(t0 + 10s));
  BOOST_CHECK_EQUAL(limit.count(t0 + 10s), 2u);
  BOOST_CHECK_EQUAL(limit.count(t0 + 30s), 0u);
  BOOST_CHECK(limit.record(t0 + 30s));
  BOOST_CHECK(limit.record(t0 + 31s));
  BOOST_CHECK(!limit.record(t0 + 32s));
}

BOOST_AUTO_TEST_CASE(zero_max_restarts_refuses_the_first) {
  restart_intensity limit{0, 10s};
  BOOST_CHECK(!limit.record(time_point{}));
}
