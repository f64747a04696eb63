#pragma once

// Three-phase commit termination (docs/recovery.md, "Three-phase commit"):
// what a participant whose coordinator went silent does, given what it and
// its peers know. Pure: the shard actor gathers the answers and carries
// the plan out.

#include <optional>
#include <vector>

#include "troupe/actors/participant_messages.hpp"

namespace troupe::participants {

/// One peer's answer to an `outcome_request`; nullopt: it did not answer
/// (taken as crashed).
struct peer_answer {
  actors::shard_id shard = 0;
  std::optional<actors::txn_outcome> outcome;
};

enum class termination_step {
  nothing,   ///< this participant already decided (or never prepared)
  wait,      ///< not safe to decide yet: ask again next sweep
  commit,    ///< commit at `commit_ts` (every reachable peer precommitted)
  precommit, ///< precommit at `commit_ts` here (if not yet) and on
             ///< `to_precommit`, then commit
  abort,
};

struct termination_plan {
  termination_step step = termination_step::wait;
  actors::timestamp commit_ts = 0;
  std::vector<actors::shard_id> to_precommit; ///< peers still prepared
};

/// Decides from this participant's own state `own` and its peers'
/// answers. A committed peer wins (commit at its ts); an aborted peer, or
/// one that never prepared (so the coordinator never had every YES),
/// means abort; else, when anyone is precommitted, every reachable peer
/// is precommitted before the commit; else nobody got past CanCommit:
/// abort. A participant `recovered` from a restart waits while any peer
/// is silent: that peer may have decided while this one was down.
[[nodiscard]] termination_plan
plan_termination(const actors::txn_outcome& own, bool recovered,
                 const std::vector<peer_answer>& peers);

} // namespace troupe::participants
