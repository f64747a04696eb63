#pragma once

// The coordinator of one transaction (private): state and the steps of the
// commit protocol, split over transaction_actor.cpp (client requests,
// reads) and commit_flow.cpp (1PC, 2PC, delivery).

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <caf/actor_clock.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "troupe/actors/backoff.hpp"
#include "troupe/coordinator/coordinator.hpp"
#include "troupe/coordinator/decision_log.hpp"
#include "txn_state.hpp"

namespace troupe::coordinator {

/// The transaction actor's full interface: the client protocol plus its
/// own timers and decision-log completions.
using txn_impl_actor = actors::transaction_actor::extend<
  caf::reacts_to<actors::txn_timer_atom, std::uint64_t>,
  caf::reacts_to<actors::durable_atom, std::uint64_t, caf::error>>;

/// What a page of a scan read past its end: the next page (the same
/// prefix, after `resume`) starts from `rows` and reads on only the shards
/// in `open`, each after its key.
struct scan_cursor {
  std::string prefix;
  std::string resume;
  std::vector<actors::key_value> rows;
  std::map<actors::shard_id, std::string> open;
};

struct txn_actor_state;
using txn_self = txn_impl_actor::stateful_pointer<txn_actor_state>;

struct txn_actor_state {
  std::shared_ptr<const coordinator_config> cfg;
  std::unique_ptr<txn_state> txn;
  std::unique_ptr<decision_log> log;
  std::unique_ptr<actors::backoff> delays;
  std::map<actors::shard_id, actors::participant_actor> shards; ///< resolved
  std::map<actors::shard_id, participant_plan> plan;
  std::set<actors::shard_id> prepared_to; ///< sent a prepare (abort these)
  std::set<caf::actor_addr> voters;       ///< monitored until they vote
  std::map<caf::actor_addr, actors::shard_id> shard_of_addr;
  std::size_t unacked = 0;  ///< commit/abort deliveries still running
  bool three_phase = false; ///< commit with PreCommit instead of a log
  actors::timestamp commit_ts = 0;
  caf::typed_response_promise<actors::txn_committed> commit_rp;
  bool commit_pending = false; ///< commit_rp not yet delivered
  /// Timers and durable completions by token: run once on arrival.
  std::uint64_t next_token = 1;
  std::map<std::uint64_t, std::function<void()>> timers;
  std::map<std::uint64_t, std::function<void(const caf::error&)>> durables;
  /// The idle timer: at most one armed; it re-arms itself for the rest of
  /// the timeout when a client call came since (a call costs no timer).
  bool idle_armed = false;
  caf::actor_clock::time_point last_call;
  std::optional<scan_cursor>
    cursor; ///< of the last scan page, if it ended short
  static inline const char* name = "troupe.transaction";
};

/// Runs `f` after `delay` (test clock in deterministic tests).
void after(txn_self self, caf::timespan delay, std::function<void()> f);

/// Runs `f` with the handle of `shard`'s participant: the one this
/// transaction used before, else the service's (participant_cache), else
/// the resolver's answer.
void with_shard(
  txn_self self, actors::shard_id shard,
  std::function<void(caf::expected<actors::participant_actor>)> f);

/// Forgets the handle of `shard`'s participant, here and in the service's
/// cache, so that the next with_shard resolves it anew.
void forget_shard(txn_self self, actors::shard_id shard);

/// Starts the commit: read-only, 1PC, 2PC or 3PC.
void start_commit(txn_self self);

/// Aborts: tells every prepared participant (bounded retries), fails the
/// pending commit with `why`, quits when done.
void abort_all(txn_self self, caf::error why);

/// Quits once no delivery is running.
void maybe_quit(txn_self self);

/// Quits now. A monitor stays attached to the monitored actor until it is
/// removed or that actor ends, whatever becomes of its observer; so the
/// participants this transaction monitored (long-lived shard actors, or
/// proxies of remote ones) are demonitored first, or each would keep one
/// entry per transaction it ever took part in.
void quit_now(txn_self self);

} // namespace troupe::coordinator
