// The timestamp oracle: strictly increasing timestamps in batches, the
// high-water mark durable before a timestamp is handed out, and no
// timestamp reissued after a restart (real store in a temp directory).
#include "troupe/coordinator/tso.hpp"

#include <boost/test/unit_test.hpp>

#include <future>

#include "support/deterministic_system.hpp"
#include "temp_dir.hpp"
#include "troupe/coordinator/decision_log.hpp"

using namespace troupe::actors;
using namespace troupe::coordinator;
using troupe::mvcc::test::open_store;
using troupe::mvcc::test::temp_dir;

namespace {

/// Asks `tso` for `n` timestamps and returns the first (fails the test on
/// errors).
std::uint64_t take(troupe::test::deterministic_system& t, const tso_actor& tso,
                   std::uint32_t n = 1) {
  auto r = t.await<std::uint64_t>(tso, timestamp_atom::value, n);
  BOOST_REQUIRE_MESSAGE(r, (r ? std::string{} : describe(r.error())));
  return *r;
}

} // namespace

BOOST_AUTO_TEST_CASE(state_hands_out_only_what_the_durable_mark_covers) {
  tso_state s{100, 10};
  BOOST_CHECK(!s.take(1)); // nothing durable above 100 yet
  auto mark = s.grow(1);
  BOOST_REQUIRE(mark);
  BOOST_CHECK_EQUAL(*mark, 110u);
  BOOST_CHECK(!s.grow(1)); // one write in flight at a time
  BOOST_CHECK(!s.take(1));
  s.persisted(*mark, true);
  BOOST_CHECK_EQUAL(*s.take(3), 101u);
  BOOST_CHECK_EQUAL(*s.take(7), 104u);
  BOOST_CHECK(!s.take(1)); // 111 is above the mark
  auto next = s.grow(25);
  BOOST_REQUIRE(next);
  BOOST_CHECK_EQUAL(*next, 111u + 24 + 9); // the request and 9 more
  s.persisted(*next, false);               // failed: mark unchanged
  BOOST_CHECK(!s.take(1));
  BOOST_CHECK(!s.writing());
}

BOOST_AUTO_TEST_CASE(timestamps_increase_strictly_and_share_mark_writes) {
  temp_dir dir;
  std::shared_ptr<troupe::mvcc::store> db{open_store(dir.sub("db"))};
  troupe::test::deterministic_system t;
  auto tso = spawn_tso(t.sys, *db, tso_options{10, 1000, t.handoff()});
  BOOST_REQUIRE(tso);
  auto before = db->stats().requests;
  std::uint64_t last = 0;
  for (int i = 0; i < 25; ++i) {
    auto ts = take(t, *tso);
    BOOST_CHECK_GT(ts, last);
    last = ts;
    // Durable before use: the stored mark already covers what we got.
    auto mark = load_high_water(*db);
    BOOST_REQUIRE(mark);
    BOOST_CHECK_GE(*mark, ts);
  }
  auto range = take(t, *tso, 30);
  BOOST_CHECK_EQUAL(range, last + 1);
  BOOST_CHECK_EQUAL(take(t, *tso), range + 30);
  // 56 timestamps in steps of 10 (plus one step that covered 30 at once).
  BOOST_CHECK_LE(db->stats().requests - before, 6u);
  auto bad =
    t.request<std::uint64_t>(*tso, timestamp_atom::value, std::uint32_t{0});
  BOOST_REQUIRE(!bad);
  BOOST_CHECK(is(bad.error(), errc::invalid_argument));
}

BOOST_AUTO_TEST_CASE(a_restarted_oracle_never_reissues_a_timestamp) {
  temp_dir dir;
  std::uint64_t highest = 0;
  for (int incarnation = 0; incarnation < 3; ++incarnation) {
    // A fresh store handle and actor system each time: a process restart.
    std::shared_ptr<troupe::mvcc::store> db{open_store(dir.sub("db"))};
    troupe::test::deterministic_system t;
    auto tso = spawn_tso(t.sys, *db, tso_options{100, 1000, t.handoff()});
    BOOST_REQUIRE(tso);
    auto first = take(t, *tso);
    BOOST_CHECK_GT(first, highest);
    for (int i = 0; i < 150; ++i)
      highest = take(t, *tso);
  }
  BOOST_CHECK_GE(highest, 450u);
}

BOOST_AUTO_TEST_CASE(decision_log_records_lists_and_erases) {
  temp_dir dir;
  {
    std::shared_ptr<troupe::mvcc::store> db{open_store(dir.sub("db"))};
    decision_log log{*db};
    std::promise<troupe::mvcc::status> p1, p2, p3;
    log.record_async({7, 3, 9, {0, 2}}, [&](auto st) { p1.set_value(st); });
    log.record_async({300, 4, 10, {1}}, [&](auto st) { p2.set_value(st); });
    BOOST_REQUIRE(p1.get_future().get());
    BOOST_REQUIRE(p2.get_future().get());
    log.erase_async(300, [&](auto st) { p3.set_value(st); });
    BOOST_REQUIRE(p3.get_future().get());
  }
  std::shared_ptr<troupe::mvcc::store> db{open_store(dir.sub("db"))};
  decision_log log{*db};
  auto all = log.list();
  BOOST_REQUIRE(all);
  BOOST_REQUIRE_EQUAL(all->size(), 1u);
  BOOST_CHECK_EQUAL(all->at(0).txn, 7u);
  BOOST_CHECK_EQUAL(all->at(0).start_ts, 3u);
  BOOST_CHECK_EQUAL(all->at(0).commit_ts, 9u);
  BOOST_CHECK((all->at(0).shards == std::vector<shard_id>{0, 2}));
  auto gone = log.find(300);
  BOOST_REQUIRE(gone);
  BOOST_CHECK(!gone->has_value());
}
