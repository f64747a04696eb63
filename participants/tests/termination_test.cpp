// Three-phase commit termination: the pure decision (plan_termination) and
// shard actors that terminate a transaction without its coordinator, on
// the deterministic scheduler with a real store.
#include <boost/test/unit_test.hpp>

#include <caf/event_based_actor.hpp>

#include "shard_fixture.hpp"
#include "termination.hpp"

using namespace troupe::actors;
using namespace std::chrono_literals;
using troupe::participants::peer_answer;
using troupe::participants::plan_termination;
using troupe::participants::termination_step;

namespace {

txn_outcome state(outcome_state s, timestamp commit_ts = 0) {
  txn_outcome o;
  o.txn = 7;
  o.state = s;
  o.start_ts = 5;
  o.commit_ts = commit_ts;
  return o;
}

peer_answer answer(shard_id shard, outcome_state s, timestamp commit_ts = 0) {
  return {shard, state(s, commit_ts)};
}

peer_answer silent(shard_id shard) {
  return {shard, std::nullopt};
}

} // namespace

BOOST_AUTO_TEST_CASE(a_committed_peer_decides_commit) {
  auto plan = plan_termination(state(outcome_state::prepared), false,
                               {answer(2, outcome_state::prepared),
                                answer(3, outcome_state::committed, 40)});
  BOOST_CHECK(plan.step == termination_step::commit);
  BOOST_CHECK_EQUAL(plan.commit_ts, 40u);
}

BOOST_AUTO_TEST_CASE(an_aborted_or_unprepared_peer_decides_abort) {
  for (auto s : {outcome_state::aborted, outcome_state::unknown}) {
    auto plan = plan_termination(
      state(outcome_state::precommitted, 40), false,
      {answer(2, outcome_state::precommitted, 40), answer(3, s)});
    BOOST_CHECK(plan.step == termination_step::abort);
  }
}

BOOST_AUTO_TEST_CASE(anyone_precommitted_precommits_the_rest_then_commits) {
  auto plan = plan_termination(state(outcome_state::prepared), false,
                               {answer(2, outcome_state::precommitted, 40),
                                answer(3, outcome_state::prepared), silent(4)});
  BOOST_CHECK(plan.step == termination_step::precommit);
  BOOST_CHECK_EQUAL(plan.commit_ts, 40u);
  BOOST_CHECK((plan.to_precommit == std::vector<shard_id>{3}));
  auto own = plan_termination(state(outcome_state::precommitted, 40), false,
                              {answer(2, outcome_state::precommitted, 40)});
  BOOST_CHECK(own.step == termination_step::commit);
  BOOST_CHECK_EQUAL(own.commit_ts, 40u);
}

BOOST_AUTO_TEST_CASE(nobody_precommitted_aborts_even_with_silent_peers) {
  auto plan = plan_termination(state(outcome_state::prepared), false,
                               {answer(2, outcome_state::prepared), silent(3)});
  BOOST_CHECK(plan.step == termination_step::abort);
}

BOOST_AUTO_TEST_CASE(a_restarted_participant_waits_for_silent_peers) {
  auto plan = plan_termination(state(outcome_state::precommitted, 40), true,
                               {answer(2, outcome_state::prepared), silent(3)});
  BOOST_CHECK(plan.step == termination_step::wait);
  // ...but a committed or aborted peer settles it at once.
  auto known = plan_termination(state(outcome_state::prepared), true,
                                {answer(2, outcome_state::aborted), silent(3)});
  BOOST_CHECK(known.step == termination_step::abort);
}

BOOST_AUTO_TEST_CASE(a_decided_participant_has_nothing_to_do) {
  for (auto s : {outcome_state::committed, outcome_state::aborted,
                 outcome_state::unknown})
    BOOST_CHECK(plan_termination(state(s), false,
                                 {answer(2, outcome_state::precommitted, 40)})
                  .step == termination_step::nothing);
}

namespace {

/// Shards of one store that find each other through a resolver table; a
/// shard left out of the table is "crashed" for its peers.
struct termination_fixture : troupe::participants::test::shard_fixture {
  std::shared_ptr<std::map<shard_id, caf::actor>> table =
    std::make_shared<std::map<shard_id, caf::actor>>();

  termination_fixture() {
    auto known = table;
    options.resolver =
      t.sys.spawn([known](caf::event_based_actor*) -> caf::behavior {
        return {[known](resolve_atom, const std::string& kind,
                        const std::string& id) -> caf::result<caf::actor> {
          if (kind == "shard")
            if (auto i = known->find(static_cast<shard_id>(std::stoul(id)));
                i != known->end())
              return i->second;
          return make_error(errc::not_found, kind + " " + id + " is down");
        }};
      });
    options.recovery_interval = 1s;
    options.three_phase_timeout = 5s;
  }

  /// Spawns `id` and makes it reachable for its peers.
  void up(shard_id id) {
    (*table)[id] = caf::actor_cast<caf::actor>(shard(id));
  }

  /// Prepares txn 7 for three-phase commit on `id` (peers: `all` but
  /// `id`), writing `key` = `value`.
  void prepare3(shard_id id, const std::vector<shard_id>& all,
                const std::string& key, const std::string& value) {
    prepare_request req;
    req.txn = 7;
    req.shard = id;
    req.start_ts = 5;
    req.writes = {write_op::put(key, value)};
    req.primary_key = key;
    req.coordinator = "gone";
    req.three_phase = true;
    for (auto peer : all)
      if (peer != id) req.peers.push_back(peer);
    auto v = t.await<vote>(shard(id), req);
    BOOST_REQUIRE(v);
    BOOST_REQUIRE_MESSAGE(v->yes, v->reason);
  }

  outcome_state outcome(shard_id id) {
    auto o = t.await<txn_outcome>(shard(id), outcome_request{7, id});
    BOOST_REQUIRE(o);
    return o->state;
  }

  /// Shards 1 and 2 up, txn 7 prepared on both (a = x, b = y).
  void two_prepared() {
    up(1);
    up(2);
    prepare3(1, {1, 2}, "a", "x");
    prepare3(2, {1, 2}, "b", "y");
  }

  /// Lets `seconds` of test time pass one second at a time, finishing
  /// the durable writes each step starts.
  void pass(int seconds) {
    for (int i = 0; i < seconds; ++i) {
      t.advance(1s);
      t.run_until([] { return false; }, 50ms);
    }
  }
};

} // namespace

BOOST_FIXTURE_TEST_CASE(a_precommit_on_one_participant_commits_everywhere,
                        termination_fixture) {
  two_prepared();
  // The coordinator reached PreCommit on shard 1 only, then died.
  auto acked = t.await<ack>(shard(1), precommit_request{7, 1, 50});
  BOOST_REQUIRE(acked);
  pass(4);
  BOOST_CHECK(outcome(1) == outcome_state::precommitted); // still waiting
  BOOST_CHECK(outcome(2) == outcome_state::prepared);
  pass(4); // past the three-phase timeout
  BOOST_CHECK(outcome(1) == outcome_state::committed);
  BOOST_CHECK(outcome(2) == outcome_state::committed);
  BOOST_CHECK_EQUAL(read(1, "a", 60), "x");
  BOOST_CHECK_EQUAL(read(2, "b", 60), "y");
  BOOST_CHECK_EQUAL(read(2, "b", 49), "<none>"); // at the precommit ts
}

BOOST_FIXTURE_TEST_CASE(participants_that_never_precommitted_abort,
                        termination_fixture) {
  two_prepared();
  pass(8);
  BOOST_CHECK(outcome(1) == outcome_state::aborted);
  BOOST_CHECK(outcome(2) == outcome_state::aborted);
  BOOST_CHECK_EQUAL(read(1, "a", 60), "<none>");
  BOOST_CHECK_EQUAL(read(2, "b", 60), "<none>");
}

BOOST_FIXTURE_TEST_CASE(a_crashed_peer_catches_up_after_its_restart,
                        termination_fixture) {
  up(1);
  up(2);
  prepare3(1, {1, 2, 3}, "a", "x");
  prepare3(2, {1, 2, 3}, "b", "y");
  // Shard 3 crashed right after its vote: its prepare is on disk, no
  // actor serves it. Shard 2 got PreCommit.
  troupe::mvcc::prepare_request crashed;
  crashed.shard = 3;
  crashed.txn = 7;
  crashed.start_ts = 5;
  crashed.writes = {troupe::mvcc::mutation::put("c", "z")};
  crashed.primary_key = "c";
  crashed.three_phase = true;
  crashed.peers = {1, 2};
  BOOST_REQUIRE(db->prepare(crashed));
  BOOST_REQUIRE(t.await<ack>(shard(2), precommit_request{7, 2, 50}));
  pass(8);
  BOOST_CHECK(outcome(1) == outcome_state::committed);
  BOOST_CHECK(outcome(2) == outcome_state::committed);
  BOOST_CHECK(outcome(3) == outcome_state::prepared); // nobody reached it
  // Back (a restarted shard waits for every peer; both answer): commit.
  up(3);
  pass(8);
  BOOST_CHECK(outcome(3) == outcome_state::committed);
  BOOST_CHECK_EQUAL(read(3, "c", 60), "z");
}

BOOST_FIXTURE_TEST_CASE(a_late_precommit_after_an_abort_is_refused,
                        termination_fixture) {
  two_prepared();
  pass(8); // both abort by termination
  auto late = t.await<ack>(shard(1), precommit_request{7, 1, 50});
  BOOST_REQUIRE(!late);
  BOOST_CHECK(is(late.error(), errc::aborted));
}
