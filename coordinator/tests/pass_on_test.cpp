// Requests passed on by a long-lived actor (actors/pass_on.hpp): a
// transaction addressed by id through its service, and a participant
// reached through a relay; and participants resolved once per service
// (participant_cache.hpp). On the deterministic scheduler, with real shards.
#include <boost/test/unit_test.hpp>

#include "txn_fixture.hpp"

using namespace troupe::actors;
using namespace troupe::coordinator;
using troupe::coordinator::test::silent_state;
using troupe::coordinator::test::spawn_silent;
using troupe::coordinator::test::txn_fixture;

namespace {

/// The shards a resolver answers with (the test may change them), and how
/// often it was asked.
struct resolver_table {
  std::map<shard_id, caf::actor> shards;
  int asked = 0;
};

caf::actor spawn_table_resolver(caf::actor_system& sys,
                                std::shared_ptr<resolver_table> tab) {
  return sys.spawn([tab](caf::event_based_actor*) -> caf::behavior {
    return {
      [=](resolve_atom, const std::string&,
          const std::string& id) -> caf::result<caf::actor> {
        ++tab->asked;
        for (const auto& [s, handle] : tab->shards)
          if (std::to_string(s) == id) return handle;
        return make_error(errc::not_found, "shard " + id + " is unknown");
      },
    };
  });
}

} // namespace

BOOST_FIXTURE_TEST_CASE(a_transaction_addressed_by_id_runs_through_its_service,
                        txn_fixture) {
  load({{"0a", "1"}, {"1b", "2"}});
  auto x = begin_with(
    txn_begin{isolation_level::snapshot, false, {"0a"}, /*by_id=*/true});
  BOOST_REQUIRE(x);
  BOOST_CHECK(!x->handle); // the asker never learns of the actor
  BOOST_REQUIRE_EQUAL(x->id.values.size(), 1u);
  BOOST_CHECK(x->id.values[0].value == std::optional<std::string>{"1"});
  txn_ref ref{x->id.txn};
  auto b = call<read_reply>(service, ref, txn_get{"1b"});
  BOOST_REQUIRE(b);
  BOOST_CHECK(b->value == std::optional<std::string>{"2"});
  auto c = call<txn_committed>(
    service, ref,
    txn_commit{{write_op::put("0a", "5"), write_op::put("2c", "3")}});
  BOOST_REQUIRE_MESSAGE(c, (c ? std::string{} : describe(c.error())));
  BOOST_CHECK(!c->one_phase);
  // Once every participant acked, the transaction is over: asking for it
  // by id is a typed error that says to run it again.
  BOOST_REQUIRE(decisions_cleared());
  t.run();
  BOOST_CHECK_EQUAL(read_at("0a", c->commit_ts), "5");
  BOOST_CHECK_EQUAL(read_at("2c", c->commit_ts), "3");
  auto late = call<read_reply>(service, ref, txn_get{"1b"});
  BOOST_REQUIRE(!late);
  BOOST_CHECK(is(late.error(), errc::aborted));
  BOOST_CHECK(retry_class_of(late.error()) == retry_class::retry_transaction);
  auto unknown = call<read_reply>(service, txn_ref{987654321}, txn_get{"0a"});
  BOOST_REQUIRE(!unknown);
  BOOST_CHECK(is(unknown.error(), errc::aborted));
}

BOOST_AUTO_TEST_CASE(a_call_by_id_fails_when_its_transaction_ends_unanswered) {
  txn_fixture f;
  auto st = std::make_shared<silent_state>();
  f.replace({{2, spawn_silent(f.t.sys, st)}});
  auto x = f.begin(); // with the handle, to end the actor below
  txn_ref ref{x.id.txn};
  auto service_down = f.t.watch(f.service);
  auto commit = f.t.ask<txn_committed>(
    f.service, ref,
    txn_commit{{write_op::put("0a", "A"), write_op::put("2c", "C")}});
  BOOST_REQUIRE(f.t.run_until([&] { return !st->held.empty(); }));
  BOOST_CHECK(!commit->has_value());
  // Not `kill`: CAF ends every actor linked to a killed one (the service).
  caf::anon_send_exit(x.handle, caf::exit_reason::user_shutdown);
  BOOST_REQUIRE(f.t.run_until([&] { return commit->has_value(); }));
  BOOST_REQUIRE(!commit->value());
  BOOST_CHECK(commit->value().error() == caf::sec::request_receiver_down);
  BOOST_CHECK(!service_down->has_value()); // the service lives on
}

BOOST_FIXTURE_TEST_CASE(a_relay_answers_as_its_participant_does, txn_fixture) {
  auto c = load({{"0a", "1"}});
  auto owner = t.sys.spawn(
    [](caf::event_based_actor*) -> caf::behavior { return {[](int) {}}; });
  auto relay = spawn_participant_relay(
    t.sys, caf::actor_cast<participant_actor>(shards[0]), owner);
  auto r = call<read_reply>(relay, read_request{0, "0a", c.commit_ts});
  BOOST_REQUIRE(r);
  BOOST_CHECK(r->value == std::optional<std::string>{"1"});
  // An error answer passes through as the error.
  auto wrong = call<read_reply>(relay, read_request{1, "0a", c.commit_ts});
  auto direct = call<read_reply>(caf::actor_cast<participant_actor>(shards[0]),
                                 read_request{1, "0a", c.commit_ts});
  BOOST_REQUIRE(!direct);
  BOOST_REQUIRE(!wrong);
  BOOST_CHECK(wrong.error() == direct.error());
  // The relay ends with its owner (the node actor that made it).
  auto down = t.watch(relay);
  caf::anon_send_exit(owner, caf::exit_reason::kill);
  BOOST_CHECK(t.run_until([&] { return down->has_value(); }));
  auto after = call<ack>(relay, commit_request{1, 0, 2});
  BOOST_REQUIRE(!after);
  BOOST_CHECK(after.error() == caf::sec::request_receiver_down);
}

BOOST_FIXTURE_TEST_CASE(a_relay_fails_what_it_passed_on_when_its_target_ends,
                        txn_fixture) {
  auto st = std::make_shared<silent_state>();
  auto holding = spawn_silent(t.sys, st);
  auto owner = t.sys.spawn(
    [](caf::event_based_actor*) -> caf::behavior { return {[](int) {}}; });
  auto relay = spawn_participant_relay(
    t.sys, caf::actor_cast<participant_actor>(holding), owner);
  prepare_request p;
  p.txn = 5;
  p.shard = 2;
  p.start_ts = 5;
  auto down = t.watch(relay);
  auto held = t.ask<vote>(relay, p);
  BOOST_REQUIRE(t.run_until([&] { return !st->held.empty(); }));
  BOOST_CHECK(!held->has_value());
  caf::anon_send_exit(holding, caf::exit_reason::kill);
  BOOST_REQUIRE(t.run_until([&] { return down->has_value(); }));
  BOOST_REQUIRE(held->has_value());
  BOOST_REQUIRE(!held->value());
  BOOST_CHECK(held->value().error() == caf::sec::request_receiver_down);
  caf::anon_send_exit(owner, caf::exit_reason::kill);
}

BOOST_FIXTURE_TEST_CASE(
  a_service_resolves_a_participant_again_only_after_it_ended, txn_fixture) {
  auto tab = std::make_shared<resolver_table>();
  tab->shards = shards;
  caf::anon_send_exit(service, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(cfg.resolver, caf::exit_reason::user_shutdown);
  cfg.resolver = spawn_table_resolver(t.sys, tab);
  service = spawn_txn_service(t.sys, cfg);
  t.run();
  auto transfer = [&](const std::string& a, const std::string& b) {
    auto x = begin();
    auto c = commit(x, {write_op::put(a, "A"), write_op::put(b, "B")});
    BOOST_REQUIRE_MESSAGE(c, (c ? std::string{} : describe(c.error())));
    BOOST_CHECK(!c->one_phase);
    BOOST_REQUIRE(decisions_cleared());
    return c->commit_ts;
  };
  transfer("0a", "1b");
  BOOST_CHECK_EQUAL(tab->asked, 2);
  transfer("0c", "1d");
  BOOST_CHECK_EQUAL(tab->asked, 2); // the second transaction asked no one
  // Shard 1 ends and starts again (as its supervisor would restart it):
  // the next transaction must reach the new one, not the ended one.
  auto down = t.watch(shards[1]);
  caf::anon_send_exit(shards[1], caf::exit_reason::user_shutdown);
  BOOST_REQUIRE(t.run_until([&] { return down->has_value(); }));
  troupe::participants::shard_options sopts;
  sopts.handoff = t.handoff();
  shards[1] = caf::actor_cast<caf::actor>(
    troupe::participants::spawn_shard(t.sys, *db, 1, sopts));
  tab->shards[1] = shards[1];
  t.run();
  auto ts = transfer("0e", "1f");
  BOOST_CHECK_EQUAL(tab->asked, 3); // shard 1 once more, shard 0 not
  BOOST_CHECK_EQUAL(read_at("1f", ts), "B");
  BOOST_CHECK_EQUAL(read_at("1d", ts), "B");
}
