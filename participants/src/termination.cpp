#include "termination.hpp"

namespace troupe::participants {

using actors::outcome_state;

termination_plan plan_termination(const actors::txn_outcome& own,
                                  bool recovered,
                                  const std::vector<peer_answer>& peers) {
  termination_plan plan;
  if (own.state != outcome_state::prepared &&
      own.state != outcome_state::precommitted) {
    plan.step = termination_step::nothing;
    return plan;
  }
  bool silent = false;
  for (const auto& p : peers) {
    if (!p.outcome) {
      silent = true;
      continue;
    }
    if (p.outcome->state == outcome_state::committed) {
      plan.step = termination_step::commit;
      plan.commit_ts = p.outcome->commit_ts;
      return plan;
    }
  }
  for (const auto& p : peers)
    if (p.outcome && (p.outcome->state == outcome_state::aborted ||
                      p.outcome->state == outcome_state::unknown)) {
      plan.step = termination_step::abort;
      return plan;
    }
  if (silent && recovered) return plan; // wait
  if (own.state == outcome_state::precommitted) plan.commit_ts = own.commit_ts;
  for (const auto& p : peers)
    if (plan.commit_ts == 0 && p.outcome &&
        p.outcome->state == outcome_state::precommitted)
      plan.commit_ts = p.outcome->commit_ts;
  if (plan.commit_ts == 0) {
    plan.step = termination_step::abort;
    return plan;
  }
  for (const auto& p : peers)
    if (p.outcome && p.outcome->state == outcome_state::prepared)
      plan.to_precommit.push_back(p.shard);
  plan.step =
    plan.to_precommit.empty() && own.state == outcome_state::precommitted
      ? termination_step::commit
      : termination_step::precommit;
  return plan;
}

} // namespace troupe::participants
