#pragma once

// Passing a request on to another actor and its answer back, as the one
// that was asked: the asker then only ever talks to the passing actor.
//
// Why: CAF 0.17 makes a node that learns of an actor of another node (as a
// message's sender, or a handle in a message) announce a proxy for it to
// the actor's node, which retracts it when the actor ends: two BASP
// messages per short-lived actor per node that saw it. A long-lived actor
// that passes requests on (the transaction service for clients, a
// participant relay for coordinators) is announced once.
//
// `caf::actor::delegate` is no substitute: the answer would come from the
// actor delegated to, which the asker's node then learns of.

#include <algorithm>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include <caf/error.hpp>
#include <caf/response_promise.hpp>
#include <caf/result.hpp>
#include <caf/unit.hpp>

namespace troupe::actors {

/// The requests an actor passed on and that are not answered yet. CAF 0.17
/// answers nothing when an actor ends with a request it took unanswered:
/// `fail_all` answers them then (the answers the ended actor sent come
/// before its exit or down message: one sender, in order).
class open_calls {
 public:
  using promise_ptr = std::shared_ptr<caf::response_promise>;

  void add(promise_ptr rp) { calls_.push_back(std::move(rp)); }

  /// Takes `rp` off the list (it is being answered).
  void remove(const promise_ptr& rp) {
    calls_.erase(std::remove(calls_.begin(), calls_.end(), rp), calls_.end());
  }

  /// Answers every open call with `err`.
  void fail_all(const caf::error& err) {
    auto calls = std::move(calls_);
    calls_.clear();
    for (auto& rp : calls)
      rp->deliver(err);
  }

  [[nodiscard]] std::size_t size() const noexcept { return calls_.size(); }

 private:
  std::vector<promise_ptr> calls_;
};

/// Sends `req` from `self` to `dest` and answers the request `self` is
/// handling with `dest`'s answer (a value of type `Reply`, nothing for
/// void, or its error). No timer: the asker keeps its own deadline, and
/// `open` (shared with whatever sees `dest` end) fails the call if `dest`
/// ends without answering. Return the result from the handler.
template <class Reply, class Self, class Dest, class Request>
caf::result<Reply> pass_on(Self* self, const std::shared_ptr<open_calls>& open,
                           const Dest& dest, Request req) {
  auto rp =
    std::make_shared<caf::response_promise>(self->make_response_promise());
  open->add(rp);
  auto failed = [open, rp](caf::error& err) {
    open->remove(rp);
    rp->deliver(std::move(err));
  };
  auto sent = self->request(dest, caf::infinite, std::move(req));
  if constexpr (std::is_void_v<Reply>)
    sent.then(
      [open, rp] {
        open->remove(rp);
        rp->deliver(caf::unit);
      },
      failed);
  else
    sent.then(
      [open, rp](Reply& x) {
        open->remove(rp);
        rp->deliver(std::move(x));
      },
      failed);
  return *rp;
}

} // namespace troupe::actors
