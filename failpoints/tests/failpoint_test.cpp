// Sites, actions, modifiers, counters and the registry. Defines
// TROUPE_FAILPOINTS itself so that it runs in every build configuration.
#ifndef TROUPE_FAILPOINTS
#define TROUPE_FAILPOINTS 1
#endif
#include "troupe/failpoints/failpoints.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace fp = troupe::failpoints;

namespace {

/// Starts and ends every test with nothing configured and seed 0.
struct clean {
  clean() { reset(); }
  ~clean() { reset(); }
  static void reset() {
    fp::clear_all();
    fp::set_seed(0);
  }
};

void require_set(const char* name, const char* spec) {
  auto st = fp::set(name, spec);
  BOOST_REQUIRE_MESSAGE(st.ok(), st.reason());
}

bool hit_error() {
  return TROUPE_FAILPOINT("test.error");
}
bool hit_other() {
  return TROUPE_FAILPOINT("test.other");
}
bool hit_prob() {
  return TROUPE_FAILPOINT("test.prob");
}
bool hit_delay() {
  return TROUPE_FAILPOINT("test.delay");
}
// A second site with the same name shares the first one's state.
bool hit_error_again() {
  return TROUPE_FAILPOINT("test.error");
}

/// The decisions of `n` hits of test.prob.
std::vector<bool> draws(int n) {
  std::vector<bool> out;
  for (int i = 0; i < n; ++i)
    out.push_back(hit_prob());
  return out;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(failpoints, clean)

BOOST_AUTO_TEST_CASE(sites_return_false_and_count_nothing_when_unset) {
  BOOST_CHECK(!hit_error());
  BOOST_CHECK_EQUAL(fp::hits("test.error"), 0u);
  BOOST_CHECK(!fp::current("test.error"));
}

BOOST_AUTO_TEST_CASE(error_returns_true_exactly_when_configured) {
  require_set("test.error", "error");
  BOOST_CHECK(hit_error());
  BOOST_CHECK(hit_error_again());
  BOOST_CHECK(!hit_other()); // another name stays quiet
  BOOST_CHECK_EQUAL(fp::hits("test.error"), 2u);
  BOOST_CHECK_EQUAL(fp::fired("test.error"), 2u);
  BOOST_CHECK_EQUAL(fp::to_string(*fp::current("test.error")), "error");
  fp::clear("test.error");
  BOOST_CHECK(!hit_error());
  BOOST_CHECK(!fp::current("test.error"));
  BOOST_CHECK_EQUAL(fp::hits("test.error"), 2u); // kept after clear
}

BOOST_AUTO_TEST_CASE(off_counts_hits_without_injecting) {
  require_set("test.error", "off");
  for (int i = 0; i < 5; ++i)
    BOOST_CHECK(!hit_error());
  BOOST_CHECK_EQUAL(fp::hits("test.error"), 5u);
  BOOST_CHECK_EQUAL(fp::fired("test.error"), 0u);
}

BOOST_AUTO_TEST_CASE(after_n_hits_fires_from_hit_n_plus_1) {
  require_set("test.error", "error@after=3");
  std::vector<bool> seen;
  for (int i = 0; i < 6; ++i)
    seen.push_back(hit_error());
  BOOST_CHECK(
    (seen == std::vector<bool>{false, false, false, true, true, true}));
}

BOOST_AUTO_TEST_CASE(times_caps_how_often_it_fires) {
  require_set("test.error", "error@after=1,times=2");
  std::vector<bool> seen;
  for (int i = 0; i < 5; ++i)
    seen.push_back(hit_error());
  BOOST_CHECK((seen == std::vector<bool>{false, true, true, false, false}));
  BOOST_CHECK_EQUAL(fp::fired("test.error"), 2u);
}

BOOST_AUTO_TEST_CASE(set_again_resets_the_counters) {
  require_set("test.error", "error@times=1");
  BOOST_CHECK(hit_error());
  BOOST_CHECK(!hit_error());
  require_set("test.error", "error@times=1");
  BOOST_CHECK_EQUAL(fp::hits("test.error"), 0u);
  BOOST_CHECK(hit_error());
}

BOOST_AUTO_TEST_CASE(refuses_unknown_names_and_bad_specs) {
  auto st = fp::set("test.no_such_site", "error");
  BOOST_CHECK(!st.ok());
  BOOST_CHECK(st.reason().find("unknown fail point 'test.no_such_site'") !=
              std::string::npos);
  st = fp::set("test.error", "explode");
  BOOST_CHECK(st.reason().find("fail point 'test.error': bad fail-point "
                               "spec 'explode'") != std::string::npos);
  st = fp::set("Test", "error");
  BOOST_CHECK(st.reason().find("invalid fail-point name 'Test'") !=
              std::string::npos);
  // configure() is all or nothing: the good entry is not applied either.
  st = fp::configure("test.error=error;test.no_such_site=crash");
  BOOST_CHECK(!st.ok());
  BOOST_CHECK(!hit_error());
}

BOOST_AUTO_TEST_CASE(configure_applies_every_entry) {
  auto st = fp::configure("test.error=error;test.other=off");
  BOOST_REQUIRE_MESSAGE(st.ok(), st.reason());
  BOOST_CHECK(hit_error());
  BOOST_CHECK(!hit_other());
  BOOST_CHECK_EQUAL(fp::hits("test.other"), 1u);
}

BOOST_AUTO_TEST_CASE(list_names_every_site_in_the_program) {
  auto names = fp::list();
  for (const char* n : {"test.delay", "test.error", "test.other", "test.prob",
                        "test.threads", "test.call"})
    BOOST_CHECK_MESSAGE(std::count(names.begin(), names.end(), n) == 1,
                        n << " missing from list()");
  BOOST_CHECK(std::is_sorted(names.begin(), names.end()));
}

BOOST_AUTO_TEST_CASE(probability_is_near_its_rate_and_replays_by_seed) {
  constexpr int n = 20000;
  fp::set_seed(42);
  require_set("test.prob", "error@p=0.25");
  auto first = draws(n);
  auto rate = static_cast<double>(fp::fired("test.prob")) / n;
  BOOST_TEST_MESSAGE("fired at rate " << rate);
  // 20000 draws at p=0.25: the standard deviation of the rate is 0.003.
  BOOST_CHECK_GT(rate, 0.235);
  BOOST_CHECK_LT(rate, 0.265);
  BOOST_CHECK_EQUAL(std::count(first.begin(), first.end(), true),
                    static_cast<long>(fp::fired("test.prob")));

  require_set("test.prob", "error@p=0.25"); // same seed: same decisions
  BOOST_CHECK(draws(n) == first);
  fp::set_seed(43);
  require_set("test.prob", "error@p=0.25");
  BOOST_CHECK(draws(n) != first);
}

BOOST_AUTO_TEST_CASE(delay_sleeps_at_least_its_time_and_injects_nothing) {
  require_set("test.delay", "delay(30)");
  auto start = std::chrono::steady_clock::now();
  bool injected = hit_delay();
  auto took = std::chrono::steady_clock::now() - start;
  BOOST_CHECK(!injected);
  BOOST_CHECK_GE(
    std::chrono::duration_cast<std::chrono::milliseconds>(took).count(), 30);
  BOOST_CHECK_EQUAL(fp::fired("test.delay"), 1u);
}

BOOST_AUTO_TEST_CASE(call_variant_runs_its_function_only_when_firing) {
  int calls = 0;
  auto hit = [&calls] {
    TROUPE_FAILPOINT_CALL("test.call", [&calls] { ++calls; });
  };
  hit();
  BOOST_CHECK_EQUAL(calls, 0);
  require_set("test.call", "error@after=1");
  hit();
  hit();
  hit();
  BOOST_CHECK_EQUAL(calls, 2);
}

BOOST_AUTO_TEST_CASE(counts_exactly_under_many_threads) {
  constexpr int threads = 4;
  constexpr int per_thread = 20000;
  require_set("test.threads", "error@after=1000,times=500");
  std::atomic<int> injected{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&injected] {
      for (int i = 0; i < per_thread; ++i)
        if (TROUPE_FAILPOINT("test.threads")) ++injected;
    });
  for (auto& th : pool)
    th.join();
  BOOST_CHECK_EQUAL(fp::hits("test.threads"), 80000u);
  BOOST_CHECK_EQUAL(fp::fired("test.threads"), 500u);
  BOOST_CHECK_EQUAL(injected.load(), 500);
}

BOOST_AUTO_TEST_CASE(clear_all_turns_everything_off) {
  require_set("test.error", "error");
  require_set("test.other", "error");
  fp::clear_all();
  BOOST_CHECK(!hit_error());
  BOOST_CHECK(!hit_other());
  BOOST_CHECK_EQUAL(fp::hits("test.error"), 0u);
}

BOOST_AUTO_TEST_SUITE_END()
