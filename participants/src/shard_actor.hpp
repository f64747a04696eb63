#pragma once

// The storage shard actor's state (private): shard_actor.cpp runs the
// protocol and the recovery sweeps, shard_termination.cpp the three-phase
// termination.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <caf/typed_event_based_actor.hpp>

#include "shard_state.hpp"
#include "troupe/participants/shard.hpp"

namespace troupe::participants {

struct shard_actor_state {
  std::unique_ptr<shard_state> core;
  shard_options opts;
  /// Prepared transactions seen by the last sweep.
  struct seen {
    std::string coordinator;
    actors::timestamp start_ts = 0;
    /// Since the first sweep that saw it (or it was precommitted).
    actors::in_doubt_table::clock::time_point since;
    bool asking = false; ///< a question or a termination is running
    bool three_phase = false;
    std::vector<actors::shard_id> peers;
    actors::timestamp precommit_ts = 0;
    /// Found by the first sweep of this incarnation: prepared before a
    /// restart.
    bool recovered = false;
  };
  std::map<actors::txn_id, seen> prepared;
  bool swept = false; ///< the first sweep ran
  static inline const char* name = "troupe.shard";
};

using shard_self = shard_actor::stateful_pointer<shard_actor_state>;

/// Three-phase termination of prepared `txn` (its entry in `prepared` is
/// marked asking until done): asks every peer for its outcome, then
/// carries out `plan_termination`.
void terminate(shard_self self, actors::txn_id txn);

} // namespace troupe::participants
