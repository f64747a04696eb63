#pragma once

// A CAF actor system on the deterministic `test_coordinator` scheduler, for
// Boost.Test (CAF's own test_coordinator_fixture needs CAF's test runner).
//
// Nothing runs until the test says so: `run()` delivers messages until every
// mailbox is empty; the clock stands still until `advance(d)` moves it,
// which fires due timers (delayed_send, request timeouts) and runs again.
// One thread, no sleeps, same result on every run.
//
//   troupe::test::deterministic_system t;
//   auto worker = t.sys.spawn(my_actor);
//   t.run();                                   // init and messages
//   auto reply = t.request<int>(worker, get_atom_v);
//   t.advance(std::chrono::seconds{1});        // fire timers due by then
//
// Code under test whose completions run on a foreign thread (the mvcc
// group-commit writer) gets `t.handoff()`: the test scheduler is single-
// threaded, so such messages wait in a queue until `run_until` / `await`
// deliver them from the test thread.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/detail/test_actor_clock.hpp>
#include <caf/error.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/expected.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/sec.hpp>
#include <caf/send.hpp>
#include <caf/unit.hpp>

#include "troupe/actors/handoff.hpp"
#include "troupe/actors/type_ids.hpp"

namespace troupe::test {

class deterministic_system {
 public:
  using configure_fn = std::function<void(caf::actor_system_config&)>;

  /// Builds the system with the testing scheduler and troupe's type-id
  /// block; `configure` may change `cfg` (add more types, settings) first.
  explicit deterministic_system(const configure_fn& configure = {})
    : sys(prepare(cfg, configure)),
      sched(dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())) {}

  /// Delivers what is left, then drops pending timers and does not await
  /// actors still alive: the scheduler's shutdown would otherwise fire
  /// timers until none is left, forever for an actor that re-arms one.
  ~deterministic_system() {
    run();
    {
      // Late hand-offs (a write finishing after the test) are dropped: the
      // actors they name must not outlive the system.
      std::lock_guard<std::mutex> guard{inbox_->mtx};
      inbox_->closed = true;
      inbox_->queue.clear();
    }
    sched.clock().cancel_all();
    sys.await_actors_before_shutdown(false);
  }

  deterministic_system(const deterministic_system&) = delete;
  deterministic_system& operator=(const deterministic_system&) = delete;

  /// Delivers messages until no actor has one left; the clock does not move
  /// and timers do not fire. Returns the number of messages delivered.
  std::size_t run() {
    std::size_t n = 0;
    while (sched.try_run_once())
      ++n;
    return n;
  }

  /// Moves the clock forward by `d`, fires every timer due by then and runs.
  /// Returns the number of timers fired.
  std::size_t advance(caf::timespan d) {
    auto fired = sched.advance_time(d);
    run();
    return fired;
  }

  /// Repeats `run()` and firing the earliest pending timer (moving the clock
  /// to it) until nothing is left, at most `max_timers` timers. Returns the
  /// number of timers fired. For tests that do not care about time.
  std::size_t run_all(std::size_t max_timers = 1000) {
    std::size_t fired = 0;
    run();
    while (fired < max_timers && sched.trigger_timeout()) {
      ++fired;
      run();
    }
    return fired;
  }

  /// The test clock's current time (what `self->clock().now()` returns).
  [[nodiscard]] caf::actor_clock::time_point now() const {
    return sched.clock().now();
  }

  /// Whether a timer (delayed message, timeout) is waiting.
  [[nodiscard]] bool has_pending_timer() const {
    return sched.has_pending_timeout();
  }

  /// Sends a request `xs...` to `dest` from a helper actor, runs, and
  /// returns the reply of type `T` or the error. Fails with
  /// `caf::sec::request_timeout` when no reply arrived once idle (e.g. the
  /// receiver waits for a timer).
  template <class T, class Handle, class... Ts>
  caf::expected<T> request(const Handle& dest, Ts... xs) {
    auto result = ask<T>(dest, xs...);
    run();
    if (!result->has_value())
      return caf::make_error(caf::sec::request_timeout, "no reply when idle");
    return std::move(**result);
  }

  /// Sends a request `xs...` to `dest` from a helper actor without running:
  /// the returned slot holds the reply of type `T` (or the error) once it
  /// came, for replies that wait for something else (a timer, a message).
  template <class T, class Handle, class... Ts>
  std::shared_ptr<std::optional<caf::expected<T>>> ask(const Handle& dest,
                                                       Ts... xs) {
    auto result = std::make_shared<std::optional<caf::expected<T>>>();
    sys.spawn([=](caf::event_based_actor* self) {
      self->request(dest, caf::infinite, xs...)
        .then([=](T& value) { *result = std::move(value); },
              [=](caf::error& err) { *result = std::move(err); });
    });
    return result;
  }

  /// Monitors `whom` from a helper actor. The returned slot is empty while
  /// `whom` lives and holds its exit reason afterwards; `on_down` (optional)
  /// runs at that moment, e.g. to log the order of events.
  template <class Handle>
  std::shared_ptr<std::optional<caf::error>>
  watch(const Handle& whom,
        std::function<void(const caf::error&)> on_down = {}) {
    auto reason = std::make_shared<std::optional<caf::error>>();
    auto target = caf::actor_cast<caf::actor>(whom);
    // CAF terminates an idle actor nobody holds a handle to (exit reason
    // "unreachable"), monitors notwithstanding: keep the watcher referenced.
    watchers_.push_back(
      sys.spawn([=](caf::event_based_actor* self) -> caf::behavior {
        self->monitor(target);
        self->set_down_handler([=](caf::down_msg& msg) {
          *reason = msg.reason;
          if (on_down) on_down(msg.reason);
          self->quit();
        });
        return {[](caf::unit_t) {}};
      }));
    run();
    return reason;
  }

  /// A hand-off for code under test: messages from foreign threads queue
  /// here until `deliver_handoffs` (or `run_until`, `await`) sends them
  /// from the test thread.
  [[nodiscard]] troupe::actors::handoff handoff() {
    return [in = inbox_](const caf::weak_actor_ptr& dest, caf::message msg) {
      {
        std::lock_guard<std::mutex> guard{in->mtx};
        if (in->closed) return;
        in->queue.emplace_back(dest, std::move(msg));
      }
      in->cv.notify_all();
    };
  }

  /// Sends every queued hand-off message, then runs. Returns how many.
  std::size_t deliver_handoffs() {
    std::deque<std::pair<caf::weak_actor_ptr, caf::message>> batch;
    {
      std::lock_guard<std::mutex> guard{inbox_->mtx};
      batch.swap(inbox_->queue);
    }
    for (auto& [dest, msg] : batch)
      if (auto strong = dest.lock())
        caf::anon_send(caf::actor_cast<caf::actor>(strong), std::move(msg));
    run();
    return batch.size();
  }

  /// Runs and delivers hand-offs until `pred` holds or `deadline` passed,
  /// waiting on the hand-off queue (not sleeping) in between. The clock
  /// does not move. Returns `pred()`.
  bool run_until(const std::function<bool()>& pred,
                 std::chrono::milliseconds deadline = std::chrono::seconds{
                   10}) {
    auto until = std::chrono::steady_clock::now() + deadline;
    for (;;) {
      run();
      deliver_handoffs();
      if (pred()) return true;
      std::unique_lock<std::mutex> lock{inbox_->mtx};
      if (!inbox_->cv.wait_until(lock, until,
                                 [&] { return !inbox_->queue.empty(); }))
        return pred();
    }
  }

  /// Like `request`, but keeps running and delivering hand-offs until the
  /// reply arrives (durable writes finish on the writer thread), at most
  /// `deadline`. Fails with `caf::sec::request_timeout` after it.
  template <class T, class Handle, class... Ts>
  caf::expected<T> await(const Handle& dest, Ts... xs) {
    auto result = std::make_shared<std::optional<caf::expected<T>>>();
    sys.spawn([=](caf::event_based_actor* self) {
      self->request(dest, caf::infinite, xs...)
        .then([=](T& value) { *result = std::move(value); },
              [=](caf::error& err) { *result = std::move(err); });
    });
    if (!run_until([&] { return result->has_value(); }))
      return caf::make_error(caf::sec::request_timeout, "no reply in time");
    return std::move(**result);
  }

  caf::actor_system_config cfg;
  caf::actor_system sys;
  caf::scheduler::test_coordinator& sched;

 private:
  struct inbox {
    std::mutex mtx;
    std::condition_variable cv;
    std::deque<std::pair<caf::weak_actor_ptr, caf::message>> queue;
    bool closed = false;
  };

  std::shared_ptr<inbox> inbox_ = std::make_shared<inbox>();
  std::vector<caf::actor> watchers_;

  static caf::actor_system_config& prepare(caf::actor_system_config& cfg,
                                           const configure_fn& configure) {
    cfg.set("scheduler.policy", caf::atom("testing"));
    cfg.set("logger.file-verbosity", caf::atom("quiet"));
    cfg.set("logger.console-verbosity", caf::atom("quiet"));
    troupe::actors::add_message_types(cfg);
    if (configure) configure(cfg);
    return cfg;
  }
};

} // namespace troupe::test
