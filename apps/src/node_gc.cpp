// A node's GC: picks a safe point that trails the oracle by the configured
// lifetime and respects every running transaction, then collects below it
// off the scheduler threads (docs/mvcc.md, "GC").
#include "node_gc.hpp"

#include <algorithm>
#include <deque>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "troupe/actors/errc.hpp"
#include "troupe/actors/type_ids.hpp"

namespace troupe::app {

namespace {

using clock_type = std::chrono::steady_clock;
using actors::timestamp;

struct gc_state {
  /// Oracle timestamps with the time they were taken, oldest first; only
  /// the newest one older than the lifetime and those after it are kept.
  std::deque<std::pair<clock_type::time_point, timestamp>> samples;
  bool collecting = false; ///< a collection runs on its own thread
  static inline const char* name = "troupe.gc";
};

using gc_self = caf::stateful_actor<gc_state>*;

/// The oldest start of a transaction that runs on this node or is prepared
/// in its store: an in-doubt participant may still ask its peers what
/// became of it, so their outcome records must stay. 0 (collect nothing)
/// when the store cannot list its prepared transactions.
timestamp oldest_here(const gc_setup& s) {
  auto oldest = s.running->oldest();
  auto prepared = s.db->list_prepared();
  if (!prepared) return 0;
  for (const auto& p : *prepared)
    oldest = std::min(oldest, p.start_ts);
  return oldest;
}

/// Runs store::gc(sp) on a detached actor's thread and tells `parent`.
void collect(gc_self self, const std::shared_ptr<const gc_setup>& s,
             timestamp sp) {
  self->state.collecting = true;
  auto parent = caf::actor_cast<caf::actor>(self);
  self->spawn<caf::detached>([s, sp, parent](caf::event_based_actor*) {
    auto began = clock_type::now();
    auto r = s->db->gc(sp);
    auto ms =
      std::chrono::duration<double, std::milli>(clock_type::now() - began)
        .count();
    if (r)
      s->log->info("[{}] gc: safe point {}: removed {} version(s), {} "
                   "tombstone(s), {} transaction record(s) in {:.1f} ms",
                   s->node, sp, r->versions_removed, r->tombstones_removed,
                   r->txn_records_removed, ms);
    else
      s->log->warn("[{}] gc: safe point {} failed: {}", s->node, sp,
                   r.error().message);
    caf::anon_send(parent, actors::gc_atom::value, true);
  });
}

/// Lowers `candidate` to the oldest running transaction here and on every
/// peer that answers, then collects if that raises the safe point.
void settle(gc_self self, const std::shared_ptr<const gc_setup>& s,
            timestamp candidate) {
  struct fold {
    timestamp sp;
    std::size_t left; ///< answers to wait for: every peer's and this node's
  };
  auto f = std::make_shared<fold>(fold{candidate, s->peers.size() + 1});
  auto done = [self, s, f](timestamp oldest) {
    f->sp = std::min(f->sp, oldest);
    if (--f->left > 0) return;
    if (f->sp > s->db->safe_point() && !self->state.collecting)
      collect(self, s, f->sp);
  };
  constexpr auto none = std::numeric_limits<timestamp>::max();
  for (const auto& peer : s->peers)
    self
      ->request(s->router, s->request_timeout, actors::resolve_atom::value,
                std::string{"gc"}, peer)
      .then(
        [self, s, done](caf::actor& gc) {
          self->request(gc, s->request_timeout, actors::oldest_atom::value)
            .then([done](timestamp oldest) { done(oldest); },
                  [done](caf::error&) { done(none); });
        },
        [done](caf::error&) { done(none); });
  done(oldest_here(*s)); // the peers' answers come later, as messages
}

/// One round: a new sample, then a safe point if one is old enough.
void gc_round(gc_self self, const std::shared_ptr<const gc_setup>& s) {
  if (self->state.collecting) return;
  self
    ->request(s->tso, s->request_timeout, actors::timestamp_atom::value,
              std::uint32_t{1})
    .then(
      [self, s](std::uint64_t ts) {
        auto now = clock_type::now();
        auto& samples = self->state.samples;
        samples.emplace_back(now, ts);
        auto old_enough = now - s->gc.lifetime;
        while (samples.size() >= 2 && samples[1].first <= old_enough)
          samples.pop_front();
        if (samples.front().first > old_enough) return;
        settle(self, s, samples.front().second);
      },
      [self, s](caf::error& err) {
        s->log->debug("[{}] gc: no timestamp this round: {}", s->node,
                      actors::describe(err));
      });
}

caf::behavior gc_behavior(gc_self self, std::shared_ptr<const gc_setup> s) {
  self->delayed_send(self, s->gc.interval, actors::gc_atom::value);
  return {
    [self, s](actors::gc_atom) {
      self->delayed_send(self, s->gc.interval, actors::gc_atom::value);
      gc_round(self, s);
    },
    [self](actors::gc_atom, bool) { self->state.collecting = false; },
    [s](actors::oldest_atom) -> timestamp { return oldest_here(*s); },
  };
}

} // namespace

caf::actor spawn_node_gc(caf::actor_system& sys, gc_setup s) {
  return sys.spawn(gc_behavior, std::make_shared<const gc_setup>(std::move(s)));
}

} // namespace troupe::app
