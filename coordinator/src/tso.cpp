#include "troupe/coordinator/tso.hpp"

#include <caf/actor_cast.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "troupe/actors/errc.hpp"
#include "troupe/failpoints/failpoints.hpp"

namespace troupe::coordinator {

using actors::errc;
using actors::timestamp;

namespace {

std::string encode_mark(timestamp mark) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, mark >>= 8)
    out[i] = static_cast<char>(mark & 0xff);
  return out;
}

} // namespace

caf::expected<timestamp> load_high_water(mvcc::store& db) {
  auto r = db.get_meta(tso_mark_key);
  if (!r)
    return actors::make_error(errc::unavailable,
                              "read timestamp mark: " + r.error().message);
  if (!*r) return timestamp{0};
  const auto& bytes = **r;
  if (bytes.size() != 8)
    return actors::make_error(errc::corrupt, "timestamp mark of " +
                                               std::to_string(bytes.size()) +
                                               " bytes");
  timestamp mark = 0;
  for (unsigned char c : bytes)
    mark = (mark << 8) | c;
  return mark;
}

tso_state::tso_state(timestamp persisted, std::uint64_t batch)
  : next_(persisted + 1), durable_(persisted), batch_(batch < 1 ? 1 : batch) {}

std::optional<timestamp> tso_state::take(std::uint32_t n) {
  if (n == 0 || next_ + n - 1 > durable_) return std::nullopt;
  auto first = next_;
  next_ += n;
  return first;
}

std::optional<timestamp> tso_state::grow(std::uint32_t n) {
  if (writing_) return std::nullopt;
  writing_ = true;
  // The request plus batch - 1 more: one write serves many requests.
  return next_ + n - 1 + (batch_ - 1);
}

void tso_state::persisted(timestamp mark, bool ok) {
  writing_ = false;
  if (ok && mark > durable_) durable_ = mark;
}

namespace {

struct waiting {
  std::uint32_t n;
  caf::typed_response_promise<std::uint64_t> rp;
};

struct tso_actor_state {
  std::unique_ptr<tso_state> core;
  std::deque<waiting> queue; ///< in arrival order
  static inline const char* name = "troupe.tso";
};

using self_ptr = tso_actor::stateful_pointer<tso_actor_state>;

/// Starts a mark write if none is in flight. The completion runs on the
/// writer thread and only hands the result back to the oracle.
void persist(self_ptr self, mvcc::store& db, const actors::handoff& to_actor,
             std::uint32_t n) {
  auto mark = self->state.core->grow(n);
  if (!mark) return;
  auto weak = caf::actor_cast<caf::weak_actor_ptr>(self);
  db.put_meta_async(
    tso_mark_key, encode_mark(*mark),
    [weak, to_actor, m = *mark](mvcc::status st) {
      caf::error err;
      // Between the mark's write and its use: crash here and the restarted
      // oracle must start above this mark or the one before it.
      if (TROUPE_FAILPOINT("timestamp.during_batch_persist"))
        st = mvcc::error{mvcc::errc::io_error, "fail point", {}};
      if (!st)
        err = actors::make_error(errc::unavailable, "persist timestamp mark: " +
                                                      st.error().message);
      to_actor(weak, caf::make_message(actors::durable_atom::value, m,
                                       std::move(err)));
    });
}

/// Serves waiting requests in order while the mark covers them.
void drain(self_ptr self) {
  auto& q = self->state.queue;
  while (!q.empty()) {
    auto first = self->state.core->take(q.front().n);
    if (!first) return;
    q.front().rp.deliver(std::uint64_t{*first});
    q.pop_front();
  }
}

tso_actor::behavior_type tso_behavior(self_ptr self, mvcc::store* db,
                                      timestamp mark, tso_options opts) {
  self->state.core = std::make_unique<tso_state>(mark, opts.batch);
  return {
    [=](actors::timestamp_atom, std::uint32_t n) -> caf::result<std::uint64_t> {
      if (n == 0 || n > opts.max_request)
        return actors::make_error(errc::invalid_argument,
                                  "timestamp count " + std::to_string(n));
      if (self->state.queue.empty())
        if (auto first = self->state.core->take(n)) return *first;
      auto rp = self->make_response_promise<std::uint64_t>();
      self->state.queue.push_back({n, rp});
      persist(self, *db, opts.handoff, n);
      return rp;
    },
    [=](actors::durable_atom, std::uint64_t m, const caf::error& err) {
      self->state.core->persisted(m, !err);
      if (err) {
        // Nothing durable: fail the waiting callers; the next request
        // tries again.
        for (auto& w : self->state.queue)
          w.rp.deliver(err);
        self->state.queue.clear();
        return;
      }
      drain(self);
      if (!self->state.queue.empty())
        persist(self, *db, opts.handoff, self->state.queue.front().n);
    },
  };
}

} // namespace

caf::expected<tso_actor> spawn_tso(caf::actor_system& sys, mvcc::store& db,
                                   tso_options opts) {
  auto mark = load_high_water(db);
  if (!mark) return std::move(mark.error());
  return sys.spawn(tso_behavior, &db, *mark, std::move(opts));
}

} // namespace troupe::coordinator
