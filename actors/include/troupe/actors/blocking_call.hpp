#pragma once

// A request from a blocking (scoped) actor that waits for its answer with a
// deadline of its own instead of CAF's request timer.
//
// `self->request(dest, timeout, ...)` makes CAF 0.17's clock deliver a
// request_timeout message at the deadline even when the answer came first.
// A blocking actor keeps every response it is not waiting for in its
// mailbox, and each later receive steps over all of them again: an actor
// that makes many calls (the client reuses its actors across transactions)
// gets slower with every call. `call` sends the request without a timer and
// waits on the mailbox's own deadline, so nothing is left behind when the
// answer comes in time. After a timeout the answer may still arrive: do
// not reuse the actor for other calls then.

#include <chrono>
#include <utility>

#include <caf/after.hpp>
#include <caf/blocking_actor.hpp>
#include <caf/error.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/sec.hpp>

namespace troupe::actors {

/// Sends `xs...` to `dest` as a request from `self` and waits up to
/// `timeout` for the answer. CAF 0.17 restarts a receive's timeout when
/// another message (e.g. a late answer to an earlier call) comes in
/// meanwhile, so the wait can be longer than `timeout` by the time until
/// the last such message. `on_value` runs with the answer's elements;
/// otherwise the error answer is returned, or sec::request_timeout when
/// nothing came in time. Returns an empty error after `on_value` ran.
template <class Dest, class OnValue, class... Ts>
caf::error call(caf::scoped_actor& self, const Dest& dest,
                caf::timespan timeout, OnValue on_value, Ts&&... xs) {
  auto handle = self->request(dest, caf::infinite, std::forward<Ts>(xs)...);
  caf::error failed;
  caf::blocking_actor::accept_one_cond one;
  self->varargs_receive(
    one, handle.id(), std::move(on_value),
    [&failed](caf::error& err) { failed = std::move(err); },
    caf::after(timeout) >>
      [&failed] { failed = caf::make_error(caf::sec::request_timeout); });
  return failed;
}

} // namespace troupe::actors
