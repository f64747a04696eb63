#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>

#include <caf/actor_system.hpp>
#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "troupe/actors/handoff.hpp"
#include "troupe/actors/participant_messages.hpp"
#include "troupe/actors/type_ids.hpp"
#include "troupe/mvcc/store.hpp"

namespace troupe::coordinator {

/// The timestamp oracle (TiKV PD style): one per cluster.
///
/// - `(timestamp_atom, n) -> first`: `n` consecutive timestamps
///   [first, first + n), each greater than every timestamp this oracle
///   handed out before, also before a restart. The reply comes only after
///   a high-water mark covering them is durable (the store's group-commit
///   writer), so a restarted oracle, which starts above the persisted mark,
///   never reissues one. Errors: invalid_argument (n is 0 or above
///   `tso_options::max_request`), unavailable (the mark could not be made
///   durable; retry_call).
/// - `(durable_atom, mark, error)`: internal: a high-water mark write
///   finished (sent by the oracle to itself through its handoff).
///
/// Timestamps are handed out in batches: a write raises the mark by
/// `batch` at a time, so one fsync covers many requests; requests that
/// arrive while a write is in flight wait for it.
using tso_actor = caf::typed_actor<
  caf::replies_to<actors::timestamp_atom, std::uint32_t>::with<std::uint64_t>,
  caf::reacts_to<actors::durable_atom, std::uint64_t, caf::error>>;

struct tso_options {
  std::uint64_t batch = 10000;       ///< mark step; >= 1
  std::uint32_t max_request = 65536; ///< largest `n`
  actors::handoff handoff = actors::direct_handoff();
};

/// The metadata key of the high-water mark.
inline constexpr const char* tso_mark_key = "tso/high_water";

/// Reads the persisted high-water mark (0 when none). Errors: corrupt (not
/// 8 bytes), unavailable (the store failed).
[[nodiscard]] caf::expected<actors::timestamp> load_high_water(mvcc::store& db);

/// The oracle's logic, without a scheduler or a store: which timestamps to
/// hand out and when the mark must grow first.
class tso_state {
 public:
  /// Starts above `persisted` (the mark loaded at start).
  tso_state(actors::timestamp persisted, std::uint64_t batch);

  /// Returns the first of `n` timestamps if the durable mark covers them.
  [[nodiscard]] std::optional<actors::timestamp> take(std::uint32_t n);

  /// Returns the mark to persist so that `n` more fit, unless a write is
  /// in flight already (then nullopt: wait for it). Marks it in flight.
  [[nodiscard]] std::optional<actors::timestamp> grow(std::uint32_t n);

  /// Records that `mark` is durable (or, on failure, that no write is in
  /// flight any more).
  void persisted(actors::timestamp mark, bool ok);

  [[nodiscard]] actors::timestamp next() const { return next_; }
  [[nodiscard]] actors::timestamp durable() const { return durable_; }
  [[nodiscard]] bool writing() const { return writing_; }

 private:
  actors::timestamp next_;
  actors::timestamp durable_;
  std::uint64_t batch_;
  bool writing_ = false;
};

/// Loads the mark from `db` and spawns the oracle. `db` must outlive the
/// actor system (see participants::spawn_shard). Errors: those of
/// `load_high_water`.
[[nodiscard]] caf::expected<tso_actor>
spawn_tso(caf::actor_system& sys, mvcc::store& db, tso_options opts = {});

} // namespace troupe::coordinator
