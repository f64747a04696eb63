// Acceptance tests of issue 6 (point 1): the coordinator with real storage
// shards over a real store, on the deterministic scheduler (seeded, the
// clock moves only when a test advances it).
#include <boost/test/unit_test.hpp>

#include <caf/default_attachable.hpp>

#include "txn_fixture.hpp"

using namespace troupe::actors;
using namespace troupe::coordinator;
using troupe::coordinator::test::silent_state;
using troupe::coordinator::test::spawn_silent;
using troupe::coordinator::test::txn_fixture;

BOOST_FIXTURE_TEST_CASE(all_yes_commits_every_key_at_one_timestamp,
                        txn_fixture) {
  auto x = begin();
  put(x, "0a", "A");
  put(x, "1b", "B");
  put(x, "2c", "C");
  auto c = commit(x);
  BOOST_REQUIRE_MESSAGE(c, (c ? std::string{} : describe(c.error())));
  BOOST_CHECK(!c->one_phase);
  BOOST_CHECK_GT(c->commit_ts, x.id.start_ts);
  BOOST_REQUIRE(decisions_cleared()); // all ACKs in: the record is garbage
  for (auto [k, v] : {std::pair{"0a", "A"}, {"1b", "B"}, {"2c", "C"}}) {
    BOOST_CHECK_EQUAL(read_at(k, c->commit_ts), v);
    BOOST_CHECK_EQUAL(read_at(k, c->commit_ts - 1), "<none>");
  }
  auto y = begin();
  BOOST_CHECK_EQUAL(get(y, "1b"), "B");
}

BOOST_FIXTURE_TEST_CASE(a_finished_transaction_leaves_no_monitor_behind,
                        txn_fixture) {
  // A transaction monitors its participants until they vote. A monitor
  // lives on the monitored actor (here the shard actors, which outlive
  // every transaction) until it is removed, so one left there per
  // transaction would grow without bound.
  auto x = begin();
  put(x, "0a", "A");
  put(x, "1b", "B");
  auto c = commit(x);
  BOOST_REQUIRE_MESSAGE(c, (c ? std::string{} : describe(c.error())));
  BOOST_REQUIRE(decisions_cleared());
  t.run(); // the transaction ends through its mailbox
  caf::default_attachable::observe_token tk{x.handle.address(),
                                            caf::default_attachable::monitor};
  for (shard_id s : {0u, 1u})
    BOOST_CHECK_EQUAL(shards[s]->detach(tk), 0u);
}

BOOST_FIXTURE_TEST_CASE(the_decision_is_durable_before_the_client_hears,
                        txn_fixture) {
  auto x = begin();
  put(x, "0a", "A");
  put(x, "1b", "B");
  auto slot = start_commit(x);
  decision_log log{*db};
  // When the reply arrives, the decision is durable, and it stays until
  // the participants' ACKs (still in the hand-off queue) are delivered.
  BOOST_REQUIRE(t.run_until([&] {
    if (!slot->has_value()) return false;
    auto found = log.find(x.id.txn);
    BOOST_REQUIRE(found);
    BOOST_CHECK(found->has_value());
    if (*found)
      BOOST_CHECK_EQUAL((*found)->commit_ts, (*slot)->value().commit_ts);
    return true;
  }));
  BOOST_REQUIRE(slot->value());
  BOOST_REQUIRE(decisions_cleared());
}

BOOST_FIXTURE_TEST_CASE(one_no_vote_makes_nothing_visible, txn_fixture) {
  auto first = load({{"1b", "old"}});
  auto x = begin();
  auto y = begin();
  put(y, "1b", "newer");
  BOOST_REQUIRE(commit(y)); // 1b now has a version after x's start
  put(x, "0a", "A");
  put(x, "1b", "B");
  put(x, "2c", "C");
  auto c = commit(x);
  BOOST_REQUIRE(!c);
  BOOST_CHECK(is(c.error(), errc::write_conflict));
  BOOST_CHECK(retry_class_of(c.error()) == retry_class::retry_transaction);
  auto z = begin();
  BOOST_CHECK_EQUAL(get(z, "0a"), "<none>"); // abort delivered
  BOOST_CHECK_EQUAL(get(z, "2c"), "<none>");
  BOOST_CHECK_EQUAL(get(z, "1b"), "newer");
  decision_log log{*db};
  BOOST_CHECK(log.list()->empty()); // presumed abort: nothing logged
  BOOST_CHECK_GT(first.commit_ts, 0u);
}

BOOST_FIXTURE_TEST_CASE(a_begin_with_prefetch_reads_at_its_snapshot,
                        txn_fixture) {
  auto w = begin();
  put(w, "0a", "A");
  put(w, "2c", "C");
  BOOST_REQUIRE(commit(w));
  auto x = begin_with(
    txn_begin{isolation_level::snapshot, false, {"2c", "1missing", "0a"}});
  BOOST_REQUIRE_MESSAGE(x, (x ? std::string{} : describe(x.error())));
  BOOST_CHECK_GT(x->id.start_ts, 0u);
  BOOST_REQUIRE_EQUAL(x->id.values.size(), 3u);
  BOOST_CHECK(x->id.values[0].value == std::optional<std::string>{"C"});
  BOOST_CHECK(!x->id.values[1].value);
  BOOST_CHECK(x->id.values[2].value == std::optional<std::string>{"A"});
  // A later write is not in the snapshot the prefetch read.
  auto y = begin();
  put(y, "0a", "newer");
  BOOST_REQUIRE(commit(y));
  BOOST_CHECK_EQUAL(get(*x, "0a"), "A");
  // A read that fails fails the begin, with the read's error.
  auto bad = begin_with(txn_begin{
    isolation_level::snapshot, false, {"0a", std::string(100000, 'k')}});
  BOOST_REQUIRE(!bad);
  BOOST_CHECK_MESSAGE(is(bad.error(), errc::too_large), describe(bad.error()));
}

BOOST_FIXTURE_TEST_CASE(an_idle_transaction_aborts_counting_from_its_last_call,
                        txn_fixture) {
  using std::chrono::seconds;
  auto x = begin();
  auto half = std::chrono::duration_cast<caf::timespan>(cfg.idle_timeout / 2);
  t.advance(half);
  t.run();
  BOOST_CHECK_EQUAL(get(x, "0k"), "<none>"); // a call restarts the wait
  // Past begin + timeout, not past the call + timeout: still active.
  t.advance(half + seconds{1});
  t.run();
  BOOST_CHECK_EQUAL(get(x, "0k"), "<none>");
  // Silent for a whole timeout: aborted.
  t.advance(std::chrono::duration_cast<caf::timespan>(cfg.idle_timeout) +
            seconds{1});
  t.run();
  BOOST_CHECK_EQUAL(get(x, "0k").rfind("<E:", 0), 0u);
}

BOOST_FIXTURE_TEST_CASE(a_commit_larger_than_a_message_fails_before_sending,
                        txn_fixture) {
  cfg.max_message_bytes = 8192;
  replace({}); // the service again, with the smaller limit
  // ~9 KB of writes on shard 0: more than one request to its participant.
  auto x = begin();
  put(x, "0w", std::string(9000, 'v'));
  put(x, "1w", "v");
  auto r = commit(x);
  BOOST_REQUIRE(!r);
  BOOST_CHECK_MESSAGE(is(r.error(), errc::too_large), describe(r.error()));
  BOOST_CHECK(retry_class_of(r.error()) == retry_class::do_not_retry);
  // Nothing was sent: nothing visible, nothing logged, no intent left.
  auto y = begin();
  BOOST_CHECK_EQUAL(get(y, "0w"), "<none>");
  BOOST_CHECK_EQUAL(get(y, "1w"), "<none>");
  decision_log log{*db};
  BOOST_CHECK(log.list()->empty());
  // Smaller writes fit.
  put(y, "0w", std::string(1000, 'v'));
  put(y, "1w", "v");
  BOOST_CHECK(commit(y));
}

BOOST_FIXTURE_TEST_CASE(
  serializable_reads_beyond_a_message_are_validated_in_parts, txn_fixture) {
  cfg.max_message_bytes = 8192;
  replace({});
  // 300 reads on shard 0 (~7 KB with their overhead, besides the 4 KB a
  // message keeps for its framing): validated in two requests of their
  // own, not sent with the prepare.
  auto reads_300 = [&](const txn& x) {
    for (int i = 0; i < 300; ++i)
      BOOST_REQUIRE_EQUAL(get(x, "0key/" + std::to_string(i)), "<none>");
  };
  auto x = begin(isolation_level::serializable);
  reads_300(x);
  put(x, "0w", "v");
  put(x, "1w", "v");
  auto c = commit(x);
  BOOST_REQUIRE_MESSAGE(c, (c ? std::string{} : describe(c.error())));
  BOOST_CHECK(!c->one_phase);
  BOOST_REQUIRE(decisions_cleared());
  BOOST_CHECK_EQUAL(read_at("0w", c->commit_ts), "v");
  BOOST_CHECK_EQUAL(read_at("1w", c->commit_ts), "v");
  // On one shard too: two phases then, since one request cannot hold the
  // reads of a one-phase commit.
  auto z = begin(isolation_level::serializable);
  reads_300(z);
  put(z, "0v", "v");
  auto one = commit(z);
  BOOST_REQUIRE_MESSAGE(one, (one ? std::string{} : describe(one.error())));
  BOOST_CHECK(!one->one_phase);
  BOOST_REQUIRE(decisions_cleared());
  BOOST_CHECK_EQUAL(read_at("0v", one->commit_ts), "v");
  // A read validated in parts still fails on a write committed after the
  // snapshot.
  auto late = begin(isolation_level::serializable);
  reads_300(late);
  load({{"0key/299", "now"}});
  put(late, "1u", "v");
  auto conflict = commit(late);
  BOOST_REQUIRE(!conflict);
  BOOST_CHECK(retry_class_of(conflict.error()) ==
              retry_class::retry_transaction);
}

BOOST_AUTO_TEST_CASE(participant_down_before_its_vote_aborts) {
  txn_fixture f;
  auto st = std::make_shared<silent_state>(); // dies before the system
  auto silent = spawn_silent(f.t.sys, st);
  f.replace({{2, silent}});
  auto x = f.begin();
  f.put(x, "0a", "A");
  f.put(x, "2c", "C");
  auto slot = f.start_commit(x);
  BOOST_REQUIRE(f.t.run_until([&] { return !st->held.empty(); }));
  BOOST_CHECK(!slot->has_value());
  caf::anon_send_exit(silent, caf::exit_reason::kill);
  BOOST_REQUIRE(f.t.run_until([&] { return slot->has_value(); }));
  BOOST_REQUIRE(!slot->value());
  BOOST_CHECK(is(slot->value().error(), errc::aborted));
  // Shard 0 prepared and was told to abort: its intent is gone.
  auto y = f.begin();
  BOOST_CHECK_EQUAL(f.get(y, "0a"), "<none>");
  BOOST_CHECK(f.db->list_prepared()->empty());
}

BOOST_AUTO_TEST_CASE(prepare_timeout_aborts) {
  txn_fixture f;
  auto st = std::make_shared<silent_state>(); // dies before the system
  auto silent = spawn_silent(f.t.sys, st);
  f.cfg.prepare_timeout = std::chrono::milliseconds{2000};
  f.replace({{2, silent}});
  auto x = f.begin();
  f.put(x, "0a", "A");
  f.put(x, "2c", "C");
  auto slot = f.start_commit(x);
  BOOST_REQUIRE(f.t.run_until([&] { return !st->held.empty(); }));
  BOOST_REQUIRE(
    f.t.run_until([&] { return f.db->list_prepared().value().size() == 1; }));
  f.t.advance(std::chrono::milliseconds{1999});
  BOOST_CHECK(!slot->has_value()); // still waiting for the vote
  f.t.advance(std::chrono::milliseconds{1});
  BOOST_REQUIRE(f.t.run_until([&] { return slot->has_value(); }));
  BOOST_REQUIRE(!slot->value());
  BOOST_CHECK(is(slot->value().error(), errc::aborted));
  BOOST_CHECK(f.t.run_until([&] { return f.db->list_prepared()->empty(); }));
  BOOST_CHECK_GE(st->aborts, 1);
}

BOOST_FIXTURE_TEST_CASE(duplicate_and_late_commit_and_abort_are_harmless,
                        txn_fixture) {
  auto x = begin();
  put(x, "0a", "A");
  put(x, "1b", "B");
  auto c = commit(x);
  BOOST_REQUIRE(c);
  BOOST_REQUIRE(decisions_cleared());
  auto p0 = caf::actor_cast<participant_actor>(shards[0]);
  // A duplicate COMMIT (e.g. a retry whose first ack was lost) acks again.
  auto again = t.await<ack>(p0, commit_request{x.id.txn, 0, c->commit_ts});
  BOOST_CHECK(again);
  // A late ABORT of the committed transaction is refused, changes nothing.
  auto late = t.await<ack>(p0, abort_request{x.id.txn, 0, x.id.start_ts});
  BOOST_REQUIRE(!late);
  BOOST_CHECK_EQUAL(read_at("0a", c->commit_ts), "A");
  // Client-side: commit again and abort after commit are refused.
  auto y = begin();
  put(y, "2c", "C");
  BOOST_CHECK(!send_void(y, txn_abort{}));
  // A second abort either acks or finds the transaction gone.
  auto second = send_void(y, txn_abort{});
  BOOST_CHECK(!second || second == caf::sec::request_receiver_down);
  BOOST_CHECK_EQUAL(read_at("2c", c->commit_ts + 100), "<none>");
}

BOOST_FIXTURE_TEST_CASE(single_shard_commits_in_one_phase_without_a_record,
                        txn_fixture) {
  auto x = begin();
  put(x, "1a", "A");
  put(x, "1b", "B");
  auto before = db->stats().requests;
  auto c = commit(x);
  BOOST_REQUIRE(c);
  BOOST_CHECK(c->one_phase);
  // One durable write: the versions (the oracle's batch covered the ts).
  BOOST_CHECK_EQUAL(db->stats().requests - before, 1u);
  BOOST_CHECK(decision_log{*db}.list()->empty());
  auto out =
    t.request<txn_outcome>(caf::actor_cast<participant_actor>(shards[1]),
                           outcome_request{x.id.txn, 1});
  BOOST_REQUIRE(out);
  BOOST_CHECK(out->state == outcome_state::unknown); // no txn record
  BOOST_CHECK_EQUAL(read_at("1a", c->commit_ts), "A");
  BOOST_CHECK_EQUAL(read_at("1b", c->commit_ts), "B");
}

BOOST_FIXTURE_TEST_CASE(second_writer_of_a_key_gets_retry_transaction,
                        txn_fixture) {
  // Single shard (1PC) and cross shard (2PC).
  for (auto keys :
       {std::vector<std::string>{"0k"}, std::vector<std::string>{"0m", "1m"}}) {
    auto a = begin();
    auto b = begin();
    for (auto& k : keys) {
      put(a, k, "a");
      put(b, k, "b");
    }
    BOOST_REQUIRE(commit(a));
    BOOST_REQUIRE(decisions_cleared()); // a's intents resolved
    auto c = commit(b);
    BOOST_REQUIRE(!c);
    BOOST_CHECK(is(c.error(), errc::write_conflict));
    BOOST_CHECK(retry_class_of(c.error()) == retry_class::retry_transaction);
    auto r = begin();
    for (auto& k : keys)
      BOOST_CHECK_EQUAL(get(r, k), "a");
  }
}

BOOST_FIXTURE_TEST_CASE(a_read_waits_out_an_undecided_intent_then_sees_it,
                        txn_fixture) {
  auto x = begin();
  put(x, "0a", "A");
  put(x, "1b", "B");
  auto slot = start_commit(x);
  BOOST_REQUIRE(t.run_until([&] { return slot->has_value(); }));
  BOOST_REQUIRE(slot->value());
  auto y = begin();
  BOOST_CHECK_EQUAL(get(y, "1b"), "B"); // retried until the commit landed
}

BOOST_FIXTURE_TEST_CASE(a_scan_waits_out_an_undecided_intent_then_sees_it,
                        txn_fixture) {
  auto x = begin();
  put(x, "0s/a", "A");
  put(x, "1s/b", "B");
  auto slot = start_commit(x);
  BOOST_REQUIRE(t.run_until([&] { return slot->has_value(); }));
  BOOST_REQUIRE(slot->value());
  auto y = begin();
  auto rows = call<scan_reply>(y.handle, txn_scan{"", 0, {}, 0});
  BOOST_REQUIRE_MESSAGE(rows, (rows ? "" : describe(rows.error())));
  BOOST_REQUIRE_EQUAL(rows->rows.size(), 2u);
  BOOST_CHECK_EQUAL(rows->rows[1].value, "B");
}

namespace {

/// Two doctors on call ("0x" and "1y" on different shards, both 1); each
/// transaction reads both and takes one off call if the other is on.
/// Returns how many of the two committed.
int run_write_skew(txn_fixture& f, isolation_level level, int other_reads = 0) {
  f.load({{"0x", "1"}, {"1y", "1"}});
  auto t1 = f.begin(level);
  auto t2 = f.begin(level);
  for (auto* x : {&t1, &t2}) {
    BOOST_REQUIRE_EQUAL(f.get(*x, "0x"), "1");
    BOOST_REQUIRE_EQUAL(f.get(*x, "1y"), "1");
    for (int i = 0; i < other_reads; ++i)
      for (const char* shard : {"0", "1"})
        BOOST_REQUIRE_EQUAL(f.get(*x, shard + ("key/" + std::to_string(i))),
                            "<none>");
  }
  f.put(t1, "0x", "0");
  f.put(t2, "1y", "0");
  auto c1 = f.start_commit(t1);
  auto c2 = f.start_commit(t2);
  BOOST_REQUIRE(
    f.t.run_until([&] { return c1->has_value() && c2->has_value(); }));
  int committed = 0;
  for (auto* c : {c1.get(), c2.get()}) {
    if (c->value())
      ++committed;
    else
      BOOST_CHECK(retry_class_of(c->value().error()) ==
                  retry_class::retry_transaction);
  }
  return committed;
}

} // namespace

BOOST_FIXTURE_TEST_CASE(write_skew_is_prevented_under_serializable,
                        txn_fixture) {
  BOOST_CHECK_LE(run_write_skew(*this, isolation_level::serializable), 1);
  auto r = begin();
  BOOST_CHECK(get(r, "0x") == "1" || get(r, "1y") == "1");
}

BOOST_FIXTURE_TEST_CASE(write_skew_is_prevented_with_reads_validated_in_parts,
                        txn_fixture) {
  cfg.max_message_bytes = 8192;
  replace({});
  // Each reads 300 more keys on shards 0 and 1: no prepare carries its
  // reads, only the validation in parts does.
  BOOST_CHECK_LE(run_write_skew(*this, isolation_level::serializable, 300), 1);
  auto r = begin();
  BOOST_CHECK(get(r, "0x") == "1" || get(r, "1y") == "1");
}

BOOST_FIXTURE_TEST_CASE(write_skew_is_allowed_under_snapshot_isolation,
                        txn_fixture) {
  BOOST_CHECK_EQUAL(run_write_skew(*this, isolation_level::snapshot), 2);
}

BOOST_FIXTURE_TEST_CASE(reads_see_own_writes_and_scans_merge_shards,
                        txn_fixture) {
  load({{"0p/1", "a"}, {"1p/2", "b"}, {"2p/3", "c"}, {"0q", "z"}});
  auto x = begin();
  put(x, "1p/0", "own");
  BOOST_REQUIRE(!send_void(x, txn_erase{"2p/3"}));
  BOOST_CHECK_EQUAL(get(x, "1p/0"), "own");
  BOOST_CHECK_EQUAL(get(x, "2p/3"), "<none>");
  auto rows = call<scan_reply>(x.handle, txn_scan{"", 0, {}, 0});
  BOOST_REQUIRE(rows);
  // Shard-merged scan of every key, own writes applied, in key order.
  std::vector<std::string> keys;
  for (auto& kv : rows->rows)
    keys.push_back(kv.key);
  BOOST_CHECK((keys == std::vector<std::string>{"0p/1", "0q", "1p/0", "1p/2"}));
  auto two = call<scan_reply>(x.handle, txn_scan{"1p/", 1, {}, 0});
  BOOST_REQUIRE(two);
  BOOST_REQUIRE_EQUAL(two->rows.size(), 1u);
  BOOST_CHECK_EQUAL(two->rows[0].value, "own");
  BOOST_CHECK(two->truncated);
  auto big = send_void(x, txn_put{std::string(5000, 'k'), "v"});
  BOOST_CHECK(is(big, errc::too_large));
}

BOOST_FIXTURE_TEST_CASE(a_scan_reads_a_few_shards_at_a_time, txn_fixture) {
  load({{"0a", "1"}, {"1b", "2"}, {"2c", "3"}, {"0d", "4"}, {"1e", "5"}});
  for (std::uint32_t width : {1u, 2u}) {
    cfg.scan_parallelism = width;
    replace({}); // the service, and its transactions, with the new width
    auto x = begin();
    auto rows = call<scan_reply>(x.handle, txn_scan{"", 0, {}, 0});
    BOOST_REQUIRE(rows);
    std::string got;
    for (auto& kv : rows->rows)
      got += kv.key + "=" + kv.value + ";";
    BOOST_CHECK_EQUAL(got, "0a=1;0d=4;1b=2;1e=5;2c=3;");
  }
}

BOOST_FIXTURE_TEST_CASE(a_scan_comes_in_pages_that_add_up_to_the_whole,
                        txn_fixture) {
  // 3 shards x 8 keys, own writes in between: every page size gives the
  // same rows, once each, in key order; small pages take many requests.
  std::vector<std::pair<std::string, std::string>> rows;
  for (char shard : {'0', '1', '2'})
    for (int i = 0; i < 8; ++i)
      rows.emplace_back(std::string{shard} + "k" + std::to_string(i), "v");
  load(rows);
  std::string want;
  for (const auto& [k, v] : rows)
    if (k != "2k3") want += k + "=" + (k == "1k5" ? "own" : v) + ";";
  want.insert(want.find("1k0"), "0k9=own;");
  for (std::uint32_t page : {1u, 40u, 100u, 1u << 20}) {
    cfg.scan_page_bytes = page;
    replace({});
    auto x = begin();
    put(x, "1k5", "own");
    put(x, "0k9", "own");
    BOOST_REQUIRE(!send_void(x, txn_erase{"2k3"}));
    std::string got;
    int requests = 0;
    txn_scan req{"", 0, {}, 0};
    for (bool more = true; more && requests < 100; ++requests) {
      auto r = call<scan_reply>(x.handle, req);
      BOOST_REQUIRE(r);
      for (auto& kv : r->rows)
        got += kv.key + "=" + kv.value + ";";
      more = r->truncated;
      if (more) BOOST_REQUIRE(r->resume > req.after);
      req.after = r->resume;
    }
    BOOST_CHECK_EQUAL(got, want);
    if (page <= 40)
      BOOST_CHECK_GE(requests, 10); // about one row per shard per page
    else if (page == 1u << 20)
      BOOST_CHECK_EQUAL(requests, 1);
    // A client may ask for less than the node's page, not more.
    auto small = call<scan_reply>(x.handle, txn_scan{"", 0, {}, 1});
    BOOST_REQUIRE(small);
    BOOST_CHECK(small->truncated);
    BOOST_CHECK_LE(small->rows.size(), 3u);
    // With a limit, the last page ends at the limit's row.
    auto limited = call<scan_reply>(x.handle, txn_scan{"1k", 3, "1k4", 0});
    BOOST_REQUIRE(limited);
    std::string cut;
    for (auto& kv : limited->rows)
      cut += kv.key + ";";
    if (page >= 100) { // the three rows fit one page
      BOOST_CHECK_EQUAL(cut, "1k5;1k6;1k7;");
      BOOST_CHECK(!limited->truncated);
    } else {
      BOOST_CHECK(limited->truncated);
      BOOST_CHECK_EQUAL(limited->resume, limited->rows.back().key);
    }
  }
}

BOOST_FIXTURE_TEST_CASE(writes_sent_with_the_commit_apply_after_buffered_ones,
                        txn_fixture) {
  load({{"0w", "old"}, {"2w", "gone"}});
  auto x = begin();
  put(x, "1w", "first");
  auto c = commit(x, {write_op::put("1w", "second"), write_op::put("0w", "new"),
                      write_op::erase("2w")});
  BOOST_REQUIRE_MESSAGE(c, (c ? std::string{} : describe(c.error())));
  BOOST_CHECK(!c->one_phase);
  BOOST_REQUIRE(decisions_cleared());
  BOOST_CHECK_EQUAL(read_at("0w", c->commit_ts), "new");
  BOOST_CHECK_EQUAL(read_at("1w", c->commit_ts), "second");
  BOOST_CHECK_EQUAL(read_at("2w", c->commit_ts), "<none>");
}

BOOST_FIXTURE_TEST_CASE(an_oversized_write_sent_with_the_commit_aborts_it,
                        txn_fixture) {
  auto x = begin();
  put(x, "0z", "kept?");
  auto c = commit(x, {write_op::put("1z", std::string(2u << 20, 'v'))});
  BOOST_REQUIRE(!c);
  BOOST_CHECK(is(c.error(), errc::too_large));
  BOOST_CHECK_EQUAL(read_at("0z", x.id.start_ts + 1000), "<none>");
}

BOOST_AUTO_TEST_CASE(a_prefix_with_a_whole_hash_tag_scans_one_shard) {
  shard_map m{64, {}};
  BOOST_REQUIRE(m.of_prefix("journal/{alice}/").has_value());
  BOOST_CHECK_EQUAL(*m.of_prefix("journal/{alice}/"), m("alice"));
  BOOST_CHECK_EQUAL(*m.of_prefix("{alice}"), m("journal/{alice}/t1"));
  BOOST_CHECK(!m.of_prefix("journal/{alice").has_value()); // tag not closed
  BOOST_CHECK(!m.of_prefix("journal/").has_value());
  BOOST_CHECK(!m.of_prefix("").has_value());
  shard_map custom{4, [](const std::string&) { return shard_id{2}; }};
  BOOST_CHECK(!custom.of_prefix("{alice}").has_value());
}

BOOST_FIXTURE_TEST_CASE(get_many_reads_every_shard_in_order_with_own_writes,
                        txn_fixture) {
  load({{"0m", "a"}, {"1m", "b"}, {"2m", "c"}});
  auto x = begin();
  put(x, "1m", "own");
  auto v =
    call<txn_values>(x.handle, txn_get_many{{"2m", "1m", "9none", "0m"}});
  BOOST_REQUIRE_MESSAGE(v, (v ? "" : describe(v.error())));
  BOOST_REQUIRE_EQUAL(v->values.size(), 4u);
  BOOST_CHECK(v->values[0].value == std::optional<std::string>{"c"});
  BOOST_CHECK(v->values[1].value == std::optional<std::string>{"own"});
  BOOST_CHECK(!v->values[2].value.has_value());
  BOOST_CHECK(v->values[3].value == std::optional<std::string>{"a"});
  auto none = call<txn_values>(x.handle, txn_get_many{});
  BOOST_REQUIRE(none);
  BOOST_CHECK(none->values.empty());
}

BOOST_FIXTURE_TEST_CASE(the_service_redrives_logged_commits_and_resolves,
                        txn_fixture) {
  // What a coordinator that crashed after its decision leaves behind:
  // intents on shards 0 and 1 and a logged COMMIT at ts 4.
  for (shard_id s : {0u, 1u}) {
    prepare_request p;
    p.txn = 3;
    p.shard = s;
    p.start_ts = 3;
    p.writes = {write_op::put(std::to_string(s) + "r", "v")};
    p.primary_key = "0r";
    p.coordinator = "n1";
    auto v = call<vote>(caf::actor_cast<participant_actor>(shards[s]), p);
    BOOST_REQUIRE(v);
    BOOST_REQUIRE_MESSAGE(v->yes, v->reason);
  }
  std::atomic<bool> logged{false};
  decision_log log{*db};
  log.record_async(decision{3, 3, 4, {0, 1}}, [&](troupe::mvcc::status st) {
    logged = static_cast<bool>(st);
  });
  BOOST_REQUIRE(t.run_until([&] { return logged.load(); }));

  // Resolution: logged -> committed; unknown -> aborted; running -> pending.
  auto r = t.request<txn_resolution>(service, txn_resolve{3});
  BOOST_REQUIRE(r);
  BOOST_CHECK(r->state == resolution::committed);
  BOOST_CHECK_EQUAL(r->commit_ts, 4u);
  auto gone = t.request<txn_resolution>(service, txn_resolve{77});
  BOOST_REQUIRE(gone);
  BOOST_CHECK(gone->state == resolution::aborted);
  auto x = begin();
  auto live = t.request<txn_resolution>(service, txn_resolve{x.id.txn});
  BOOST_REQUIRE(live);
  BOOST_CHECK(live->state == resolution::pending);

  // The next sweep sends the COMMITs and erases the decision.
  t.advance(cfg.recovery_interval);
  BOOST_REQUIRE(decisions_cleared());
  BOOST_CHECK_EQUAL(read_at("0r", 4), "v");
  BOOST_CHECK_EQUAL(read_at("1r", 4), "v");
  BOOST_CHECK_EQUAL(read_at("1r", 3), "<none>");
}

namespace {

/// A three-phase participant that votes YES and holds every PreCommit
/// (answered by the test: ack, or refused as aborted); counts DoCommits
/// and aborts.
struct precommit_state {
  std::vector<caf::typed_response_promise<ack>> held;
  std::vector<precommit_request> precommits;
  int commits = 0;
  int aborts = 0;
};

caf::actor spawn_precommit_holder(caf::actor_system& sys,
                                  std::shared_ptr<precommit_state> st) {
  return sys.spawn([st](caf::event_based_actor* self) -> caf::behavior {
    return {
      [=](const prepare_request& req) {
        BOOST_CHECK(req.three_phase);
        BOOST_CHECK_EQUAL(req.peers.size(), 1u);
        return vote{req.txn, req.shard, true, errc::internal, {}, {}, 0, 0, 0};
      },
      [=](const precommit_request& req) -> caf::result<ack> {
        st->precommits.push_back(req);
        auto rp = self->make_response_promise<ack>();
        st->held.push_back(rp);
        return rp;
      },
      [=](const commit_request& req) {
        ++st->commits;
        return ack{req.txn, req.shard};
      },
      [=](const abort_request& req) {
        ++st->aborts;
        return ack{req.txn, req.shard};
      },
      // From the test: answer the held PreCommits (promises are delivered
      // from the actor's own context).
      [=](caf::ok_atom) {
        for (std::size_t i = 0; i < st->held.size(); ++i)
          st->held[i].deliver(
            ack{st->precommits[i].txn, st->precommits[i].shard});
        st->held.clear();
      },
      [=](caf::delete_atom) {
        for (auto& rp : st->held)
          rp.deliver(make_error(errc::aborted, "aborted by termination"));
        st->held.clear();
      },
    };
  });
}

using txn_state = troupe::mvcc::txn_outcome::state;

/// Whether `shard` of the real store reaches `state` for `txn`.
bool reaches(txn_fixture& f, shard_id shard, txn_id txn, txn_state state) {
  return f.t.run_until([&] {
    auto o = f.db->outcome(shard, txn);
    return o && o->status == state;
  });
}

} // namespace

/// A three-phase transaction writing on shard 0 (real) and shard 2 (a
/// precommit holder), with its commit started and waiting for shard 2's
/// PreCommit ack; shard 0 is precommitted.
struct precommit_fixture : txn_fixture {
  std::shared_ptr<precommit_state> st = std::make_shared<precommit_state>();
  caf::actor holder = spawn_precommit_holder(t.sys, st);
  txn x;
  std::shared_ptr<std::optional<caf::expected<txn_committed>>> slot;

  precommit_fixture() {
    replace({{2, holder}});
    x = begin(isolation_level::snapshot, true);
    put(x, "0a", "A");
    put(x, "2c", "C");
    slot = start_commit(x);
    BOOST_REQUIRE(t.run_until([&] { return !st->held.empty(); }));
    BOOST_REQUIRE(reaches(*this, 0, x.id.txn, txn_state::precommitted));
  }
};

BOOST_FIXTURE_TEST_CASE(three_phase_commit_answers_after_every_precommit,
                        precommit_fixture) {
  // Shard 0 is precommitted at the ts shard 2 got; the client waits for
  // shard 2's ack.
  auto ts = st->precommits.at(0).commit_ts;
  BOOST_CHECK_EQUAL(db->outcome(0, x.id.txn)->commit_ts, ts);
  BOOST_CHECK(!slot->has_value());
  caf::anon_send(holder, caf::ok_atom::value);
  BOOST_REQUIRE(t.run_until([&] { return slot->has_value(); }));
  BOOST_REQUIRE(slot->value());
  BOOST_CHECK_EQUAL(slot->value()->commit_ts, ts);
  // DoCommit everywhere; no decision was ever logged.
  BOOST_REQUIRE(t.run_until([&] { return st->commits == 1; }));
  BOOST_CHECK(reaches(*this, 0, x.id.txn, txn_state::committed));
  BOOST_CHECK_EQUAL(read_at("0a", ts), "A");
  decision_log log{*db};
  BOOST_CHECK(log.list()->empty());
}

BOOST_FIXTURE_TEST_CASE(a_refused_precommit_aborts_everywhere,
                        precommit_fixture) {
  // Shard 2 terminated the transaction on its own meanwhile (aborted).
  caf::anon_send(holder, caf::delete_atom::value);
  BOOST_REQUIRE(t.run_until([&] { return slot->has_value(); }));
  BOOST_REQUIRE(!slot->value());
  BOOST_CHECK(is(slot->value().error(), errc::aborted));
  BOOST_CHECK_EQUAL(st->aborts, 1);
  BOOST_CHECK(t.run_until([&] { return db->list_prepared()->empty(); }));
  BOOST_CHECK(reaches(*this, 0, x.id.txn, txn_state::aborted));
}
