// The storage shard actor on the deterministic scheduler over a real store:
// votes, idempotent commit/abort, one-phase commit, reads and scans, outcome
// queries.
#include <boost/test/unit_test.hpp>

#include "shard_fixture.hpp"

using namespace troupe::actors;
using troupe::participants::test::shard_fixture;

namespace {

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

} // namespace

BOOST_FIXTURE_TEST_CASE(prepare_then_commit_shows_all_writes_at_commit_ts,
                        shard_fixture) {
  auto v =
    prepare(1, 100, 10, {write_op::put("a", "1"), write_op::put("b", "2")});
  BOOST_REQUIRE(v.yes);
  BOOST_CHECK(starts_with(read(1, "a", 20), "<E:locked"));
  auto out = t.request<txn_outcome>(shard(1), outcome_request{100, 1});
  BOOST_REQUIRE(out);
  BOOST_CHECK(out->state == outcome_state::prepared);
  auto a = t.await<ack>(shard(1), commit_request{100, 1, 15});
  BOOST_REQUIRE_MESSAGE(a, (a ? std::string{} : describe(a.error())));
  BOOST_CHECK_EQUAL(a->txn, 100u);
  BOOST_CHECK_EQUAL(read(1, "a", 14), "<none>");
  BOOST_CHECK_EQUAL(read(1, "a", 15), "1");
  BOOST_CHECK_EQUAL(read(1, "b", 15), "2");
  out = t.request<txn_outcome>(shard(1), outcome_request{100, 1});
  BOOST_REQUIRE(out);
  BOOST_CHECK(out->state == outcome_state::committed);
  BOOST_CHECK_EQUAL(out->commit_ts, 15u);
}

BOOST_FIXTURE_TEST_CASE(duplicate_and_late_commit_and_abort_are_harmless,
                        shard_fixture) {
  BOOST_REQUIRE(prepare(1, 100, 10, {write_op::put("a", "1")}).yes);
  BOOST_REQUIRE(prepare(1, 100, 10, {write_op::put("a", "1")}).yes); // again
  BOOST_REQUIRE(t.await<ack>(shard(1), commit_request{100, 1, 15}));
  BOOST_REQUIRE(t.await<ack>(shard(1), commit_request{100, 1, 15}));
  BOOST_CHECK_EQUAL(read(1, "a", 30), "1");
  // Aborting a committed transaction is refused and changes nothing.
  auto late_abort = t.await<ack>(shard(1), abort_request{100, 1, 10});
  BOOST_REQUIRE(!late_abort);
  BOOST_CHECK(is(late_abort.error(), errc::invalid_argument));
  BOOST_CHECK_EQUAL(read(1, "a", 30), "1");

  BOOST_REQUIRE(prepare(1, 200, 20, {write_op::put("c", "x")}).yes);
  BOOST_REQUIRE(t.await<ack>(shard(1), abort_request{200, 1, 20}));
  BOOST_REQUIRE(t.await<ack>(shard(1), abort_request{200, 1, 20}));
  BOOST_CHECK_EQUAL(read(1, "c", 30), "<none>");
  // A late prepare of the aborted transaction is fenced, a late commit
  // refused.
  auto v = prepare(1, 200, 20, {write_op::put("c", "x")});
  BOOST_CHECK(!v.yes);
  BOOST_CHECK(v.code == errc::aborted);
  auto c = t.await<ack>(shard(1), commit_request{200, 1, 25});
  BOOST_REQUIRE(!c);
  BOOST_CHECK(is(c.error(), errc::aborted));
  BOOST_CHECK_EQUAL(read(1, "c", 30), "<none>");
  // An abort that overtakes its prepare fences it too.
  BOOST_REQUIRE(t.await<ack>(shard(1), abort_request{300, 1, 22}));
  v = prepare(1, 300, 22, {write_op::put("d", "y")});
  BOOST_CHECK(!v.yes);
  BOOST_CHECK(v.code == errc::aborted);
}

BOOST_FIXTURE_TEST_CASE(conflicting_prepare_votes_no_with_the_conflict,
                        shard_fixture) {
  one_phase_request first{1, 2, 5, 10, {write_op::put("k", "v1")}, {}, {}};
  auto v = t.await<vote>(shard(2), first);
  BOOST_REQUIRE(v && v->yes);
  auto no = prepare(2, 7, 8, {write_op::put("k", "v2")});
  BOOST_CHECK(!no.yes);
  BOOST_CHECK(no.code == errc::write_conflict);
  BOOST_CHECK_EQUAL(no.conflict_key, "k");
  BOOST_CHECK_EQUAL(no.conflict_ts, 10u);
  BOOST_CHECK_EQUAL(no.conflict_txn, 1u);
  BOOST_CHECK(retry_class_of(no.to_error()) == retry_class::retry_transaction);
  // A foreign intent: NO with locked and the holder.
  BOOST_REQUIRE(prepare(2, 8, 12, {write_op::put("m", "x")}).yes);
  no = prepare(2, 9, 13, {write_op::put("m", "y")});
  BOOST_CHECK(!no.yes);
  BOOST_CHECK(no.code == errc::locked);
  BOOST_CHECK_EQUAL(no.conflict_txn, 8u);
}

BOOST_FIXTURE_TEST_CASE(one_phase_commit_is_one_durable_write_and_no_record,
                        shard_fixture) {
  shard(3);
  auto before = db->stats();
  one_phase_request req{
    42, 3, 5, 6, {write_op::put("x", "1"), write_op::erase("y")}, {}, {}};
  auto v = t.await<vote>(shard(3), req);
  BOOST_REQUIRE(v);
  BOOST_CHECK(v->yes);
  auto after = db->stats();
  BOOST_CHECK_EQUAL(after.requests - before.requests, 1u);
  BOOST_CHECK_EQUAL(after.commits - before.commits, 1u);
  BOOST_CHECK_EQUAL(read(3, "x", 6), "1");
  auto out = t.request<txn_outcome>(shard(3), outcome_request{42, 3});
  BOOST_REQUIRE(out);
  BOOST_CHECK(out->state == outcome_state::unknown);
  // A retry of the same commit succeeds without a second version.
  v = t.await<vote>(shard(3), req);
  BOOST_REQUIRE(v);
  BOOST_CHECK(v->yes);
}

BOOST_FIXTURE_TEST_CASE(one_phase_below_a_served_read_asks_for_newer_ts,
                        shard_fixture) {
  BOOST_CHECK_EQUAL(read(4, "k", 50), "<none>");
  one_phase_request req{9, 4, 30, 40, {write_op::put("k", "v")}, {}, {}};
  auto v = t.await<vote>(shard(4), req);
  BOOST_REQUIRE(v);
  BOOST_CHECK(!v->yes);
  BOOST_CHECK(v->code == errc::aborted);
  BOOST_CHECK_EQUAL(v->min_commit_ts, 51u);
  BOOST_CHECK_EQUAL(read(4, "k", 50), "<none>");
  req.commit_ts = 51;
  v = t.await<vote>(shard(4), req);
  BOOST_REQUIRE(v);
  BOOST_CHECK(v->yes);
  BOOST_CHECK_EQUAL(read(4, "k", 51), "v");
}

BOOST_FIXTURE_TEST_CASE(scan_returns_prefix_rows_in_order_up_to_the_limit,
                        shard_fixture) {
  one_phase_request req{
    1,
    5,
    1,
    2,
    {write_op::put("acct/2", "b"), write_op::put("acct/1", "a"),
     write_op::put("acct/3", "c"), write_op::put("other", "z")},
    {},
    {}};
  BOOST_REQUIRE(t.await<vote>(shard(5), req)->yes);
  auto all =
    t.await<scan_reply>(shard(5), scan_request{5, "acct/", 2, 0, {}, 0});
  BOOST_REQUIRE(all);
  BOOST_REQUIRE_EQUAL(all->rows.size(), 3u);
  BOOST_CHECK_EQUAL(all->rows[0].key, "acct/1");
  BOOST_CHECK_EQUAL(all->rows[2].value, "c");
  BOOST_CHECK(!all->truncated);
  auto two =
    t.await<scan_reply>(shard(5), scan_request{5, "acct/", 2, 2, {}, 0});
  BOOST_REQUIRE(two);
  BOOST_CHECK_EQUAL(two->rows.size(), 2u);
  BOOST_CHECK(two->truncated);
  auto before =
    t.await<scan_reply>(shard(5), scan_request{5, "acct/", 1, 0, {}, 0});
  BOOST_REQUIRE(before);
  BOOST_CHECK(before->rows.empty());
}

BOOST_FIXTURE_TEST_CASE(a_read_behind_an_intent_waits_for_its_commit,
                        shard_fixture) {
  options.lock_wait = std::chrono::milliseconds{500};
  prepare_request req;
  req.txn = 100;
  req.shard = 1;
  req.start_ts = 10;
  req.primary_key = "a";
  req.writes = {write_op::put("a", "1")};
  req.coordinator = "n1";
  // The prepare's durable write finishes on the writer thread; its
  // completion waits in the hand-off queue until delivered below.
  auto voted = t.ask<vote>(shard(1), req);
  t.run();
  auto got = t.ask<read_reply>(shard(1), read_request{1, "a", 20});
  t.run();
  BOOST_CHECK(!got->has_value()); // parked behind txn 100
  // The prepare's completion wakes it: still locked (now by the durable
  // intent), so it waits on.
  BOOST_REQUIRE(t.run_until([&] { return voted->has_value(); }));
  BOOST_REQUIRE(**voted && (**voted)->yes);
  BOOST_CHECK(!got->has_value());
  BOOST_REQUIRE(t.await<ack>(shard(1), commit_request{100, 1, 15}));
  BOOST_REQUIRE(t.run_until([&] { return got->has_value(); }));
  auto& r = **got;
  BOOST_REQUIRE(r);
  BOOST_CHECK_EQUAL(r->value.value_or("<none>"), "1");
}

BOOST_FIXTURE_TEST_CASE(a_read_still_blocked_after_its_wait_fails_locked,
                        shard_fixture) {
  options.lock_wait = std::chrono::milliseconds{500};
  BOOST_REQUIRE(prepare(1, 100, 10, {write_op::put("a", "1")}).yes);
  auto got = t.ask<read_reply>(shard(1), read_request{1, "a", 20});
  t.run();
  t.advance(std::chrono::milliseconds{499});
  BOOST_CHECK(!got->has_value());
  t.advance(std::chrono::milliseconds{1});
  BOOST_REQUIRE(got->has_value());
  auto& r = **got;
  BOOST_REQUIRE(!r);
  BOOST_CHECK(is(r.error(), errc::locked));
  // A read the intent does not block is answered at once meanwhile.
  BOOST_CHECK_EQUAL(read(1, "a", 9), "<none>");
}

BOOST_FIXTURE_TEST_CASE(a_scan_behind_an_intent_waits_for_its_abort,
                        shard_fixture) {
  options.lock_wait = std::chrono::milliseconds{500};
  one_phase_request first{1, 5, 1, 2, {write_op::put("acct/1", "a")}, {}, {}};
  BOOST_REQUIRE(t.await<vote>(shard(5), first)->yes);
  BOOST_REQUIRE(prepare(5, 200, 10, {write_op::put("acct/2", "b")}).yes);
  auto got =
    t.ask<scan_reply>(shard(5), scan_request{5, "acct/", 20, 0, {}, 0});
  t.run();
  BOOST_REQUIRE_EQUAL(t.deliver_handoffs(), 1u); // scanned: blocked
  BOOST_CHECK(!got->has_value());
  BOOST_REQUIRE(t.await<ack>(shard(5), abort_request{200, 5, 10}));
  BOOST_REQUIRE(t.run_until([&] { return got->has_value(); }));
  auto& r = **got;
  BOOST_REQUIRE(r);
  BOOST_REQUIRE_EQUAL(r->rows.size(), 1u);
  BOOST_CHECK_EQUAL(r->rows[0].key, "acct/1");
  // Woken, it left nothing behind: the timer finds no parked read.
  t.advance(std::chrono::milliseconds{500});
}

BOOST_FIXTURE_TEST_CASE(misrouted_requests_are_refused, shard_fixture) {
  auto v = prepare(6, 1, 1, {write_op::put("a", "1")});
  BOOST_REQUIRE(v.yes);
  prepare_request wrong;
  wrong.txn = 2;
  wrong.shard = 7;
  wrong.start_ts = 1;
  wrong.writes = {write_op::put("b", "1")};
  auto no = t.await<vote>(shard(6), wrong);
  BOOST_REQUIRE(no);
  BOOST_CHECK(!no->yes);
  BOOST_CHECK(no->code == errc::invalid_argument);
  auto r = t.request<read_reply>(shard(6), read_request{7, "a", 5});
  BOOST_REQUIRE(!r);
  BOOST_CHECK(is(r.error(), errc::invalid_argument));
}
