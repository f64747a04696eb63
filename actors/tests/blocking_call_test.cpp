#include "troupe/actors/blocking_call.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "troupe/actors/errc.hpp"

using namespace std::chrono_literals;
using namespace troupe::actors;

namespace {

struct fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  /// Answers x + 1, or `locked` for a negative x.
  caf::actor echo = sys.spawn([]() -> caf::behavior {
    return {[](int x) -> caf::result<int> {
      if (x < 0) return make_error(errc::locked, "negative");
      return x + 1;
    }};
  });
};

/// Whether `self`'s mailbox gets anything before `deadline` passes (polls a
/// condition with a deadline; waiting for something not to happen needs
/// one).
bool gets_mail_within(caf::scoped_actor& self,
                      std::chrono::milliseconds deadline) {
  auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (self->mailbox().size() > 0) return true;
    std::this_thread::sleep_for(5ms);
  }
  return self->mailbox().size() > 0;
}

struct holder_state {
  std::vector<caf::response_promise> held;
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(blocking_call, fixture)

BOOST_AUTO_TEST_CASE(a_timed_caf_request_leaves_its_timeout_in_the_mailbox) {
  // Why `call` exists: CAF 0.17 delivers the request timer's message even
  // after the answer came, and a blocking actor keeps it for good.
  caf::scoped_actor self{sys};
  int got = 0;
  self->request(echo, 50ms, 1)
    .receive([&](int x) { got = x; }, [](caf::error&) {});
  BOOST_CHECK_EQUAL(got, 2);
  BOOST_CHECK(gets_mail_within(self, 2s));
}

BOOST_AUTO_TEST_CASE(a_call_answers_and_leaves_nothing_behind) {
  caf::scoped_actor self{sys};
  for (int i = 0; i < 3; ++i) {
    int got = 0;
    auto err = call(
      self, echo, 50ms, [&](int x) { got = x; }, i);
    BOOST_CHECK(!err);
    BOOST_CHECK_EQUAL(got, i + 1);
  }
  // Ten times the timeout: a timer message would have come by now.
  BOOST_CHECK(!gets_mail_within(self, 500ms));
}

BOOST_AUTO_TEST_CASE(a_call_returns_the_error_answer) {
  caf::scoped_actor self{sys};
  bool ran = false;
  auto err = call(
    self, echo, 1s, [&](int) { ran = true; }, -1);
  BOOST_CHECK(!ran);
  BOOST_CHECK(is(err, errc::locked));
}

BOOST_AUTO_TEST_CASE(a_call_without_an_answer_times_out) {
  auto silent =
    sys.spawn([](caf::stateful_actor<holder_state>* self) -> caf::behavior {
      return {[self](int) -> caf::result<int> {
        auto rp = self->make_response_promise();
        self->state.held.push_back(rp);
        return caf::delegated<int>{};
      }};
    });
  caf::scoped_actor self{sys};
  bool ran = false;
  auto started = std::chrono::steady_clock::now();
  auto err = call(
    self, silent, 50ms, [&](int) { ran = true; }, 1);
  BOOST_CHECK(!ran);
  BOOST_CHECK(err == caf::sec::request_timeout);
  BOOST_CHECK(std::chrono::steady_clock::now() - started >= 50ms);
  caf::anon_send_exit(silent, caf::exit_reason::user_shutdown);
}

BOOST_AUTO_TEST_SUITE_END()
