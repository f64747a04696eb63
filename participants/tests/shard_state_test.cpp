// shard_state without a scheduler: the store's completion only posts; the
// owner thread runs the reply when it calls finish().
#include "shard_state.hpp"

#include <boost/test/unit_test.hpp>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>

#include "temp_dir.hpp"

using namespace troupe::actors;
using troupe::participants::shard_state;

namespace {

/// What a store thread hands to the owner, queued for the test thread.
template <class T>
struct handed {
  std::mutex mtx;
  std::condition_variable cv;
  std::deque<T> queue;

  void push(T x) {
    std::lock_guard<std::mutex> guard{mtx};
    queue.push_back(std::move(x));
    cv.notify_all();
  }

  /// Waits (with a deadline) for the next one.
  std::optional<T> take() {
    std::unique_lock<std::mutex> lock{mtx};
    if (!cv.wait_for(lock, std::chrono::seconds{10},
                     [&] { return !queue.empty(); }))
      return std::nullopt;
    auto x = std::move(queue.front());
    queue.pop_front();
    return x;
  }
};

/// What the writer thread posts and the scan thread hands back, for the
/// test thread to finish.
struct posted {
  handed<std::pair<std::uint64_t, vote>> writes;
  handed<std::uint64_t> scans;

  shard_state::post_fn fn() {
    return [this](std::uint64_t token, vote v) {
      writes.push({token, std::move(v)});
    };
  }

  shard_state::scanned_fn scanned() {
    return [this](std::uint64_t token) { scans.push(token); };
  }

  /// Waits for one posted write and finishes it.
  bool finish_one(shard_state& s) {
    auto w = writes.take();
    if (!w) return false;
    s.finish(w->first, w->second);
    return true;
  }

  /// Waits for one finished scan and hands it to `s`; returns its token.
  std::optional<std::uint64_t> scanned_one(shard_state& s) {
    auto token = scans.take();
    if (token) s.scanned(*token);
    return token;
  }
};

/// A real store in a temp directory, and what its threads hand back.
struct state_fixture {
  troupe::mvcc::test::temp_dir dir;
  std::shared_ptr<troupe::mvcc::store> db{
    troupe::mvcc::test::open_store(dir.sub("db"))};
  posted p;
};

} // namespace

BOOST_FIXTURE_TEST_CASE(replies_run_only_when_the_owner_finishes_them,
                        state_fixture) {
  shard_state s{*db, 1, p.fn(), p.scanned()};
  std::vector<vote> replies;
  prepare_request req;
  req.txn = 5;
  req.shard = 1;
  req.start_ts = 3;
  req.writes = {write_op::put("k", "v")};
  s.prepare(req, [&](const vote& v) { replies.push_back(v); });
  BOOST_CHECK(replies.empty());
  BOOST_CHECK_EQUAL(s.in_flight(), 1u);
  BOOST_REQUIRE(p.finish_one(s));
  BOOST_REQUIRE_EQUAL(replies.size(), 1u);
  BOOST_CHECK(replies[0].yes);
  BOOST_CHECK_EQUAL(s.in_flight(), 0u);

  // Early errors (nothing queued) take the same path.
  req.writes.clear();
  s.prepare(req, [&](const vote& v) { replies.push_back(v); });
  BOOST_CHECK_EQUAL(replies.size(), 1u);
  BOOST_REQUIRE(p.finish_one(s));
  BOOST_REQUIRE_EQUAL(replies.size(), 2u);
  BOOST_CHECK(!replies[1].yes);
  BOOST_CHECK(replies[1].code == errc::invalid_argument);
  BOOST_CHECK_EQUAL(s.counters().votes_no, 1u);

  s.finish(999, replies[0]); // unknown token: ignored
  BOOST_CHECK_EQUAL(replies.size(), 2u);
}

BOOST_FIXTURE_TEST_CASE(a_scan_answers_when_the_owner_takes_its_token,
                        state_fixture) {
  shard_state s{*db, 1, p.fn(), p.scanned()};
  one_phase_request put{1, 1, 1, 2, {write_op::put("a/1", "x")}, {}, {}};
  s.one_phase(put, [](const vote&) {});
  BOOST_REQUIRE(p.finish_one(s));
  std::vector<caf::expected<scan_reply>> replies;
  s.scan(scan_request{1, "a/", 5, 0, {}, 0},
         [&](caf::expected<scan_reply> r) { replies.push_back(std::move(r)); });
  // Scanned on the store's thread; answered on this one, when handed back.
  BOOST_CHECK(replies.empty());
  BOOST_REQUIRE(p.scanned_one(s));
  BOOST_REQUIRE_EQUAL(replies.size(), 1u);
  BOOST_REQUIRE(replies[0]);
  BOOST_REQUIRE_EQUAL(replies[0]->rows.size(), 1u);
  BOOST_CHECK_EQUAL(replies[0]->rows[0].value, "x");
  s.scanned(999); // unknown token: ignored
  BOOST_CHECK_EQUAL(replies.size(), 1u);
}

BOOST_FIXTURE_TEST_CASE(a_scan_whose_wait_ends_while_it_runs_answers_on_return,
                        state_fixture) {
  std::vector<std::uint64_t> timers;
  shard_state s{*db, 1, p.fn(), p.scanned(),
                [&](std::uint64_t token) { timers.push_back(token); }};
  for (txn_id txn : {7, 8}) {
    prepare_request req;
    req.txn = txn;
    req.shard = 1;
    req.start_ts = 3;
    req.writes = {write_op::put("a/" + std::to_string(txn), "v")};
    s.prepare(req, [](const vote&) {});
    BOOST_REQUIRE(p.finish_one(s));
  }
  std::vector<caf::expected<scan_reply>> replies;
  s.scan(scan_request{1, "a/", 5, 0, {}, 0},
         [&](caf::expected<scan_reply> r) { replies.push_back(std::move(r)); });
  // Blocked by 7's intent: parked, with its timer armed.
  auto token = p.scanned_one(s);
  BOOST_REQUIRE(token);
  BOOST_CHECK(replies.empty());
  BOOST_REQUIRE_EQUAL(timers.size(), 1u);
  BOOST_CHECK_EQUAL(timers[0], *token);
  // 7 aborts: the scan runs again, and its wait ends while it runs.
  s.abort(abort_request{7, 1, 3}, [](const vote&) {});
  BOOST_REQUIRE(p.finish_one(s));
  s.expire(*token);
  BOOST_CHECK(replies.empty());
  // It comes back blocked by 8: it may not wait any more, so one last
  // scan answers locked.
  BOOST_REQUIRE(p.scanned_one(s));
  BOOST_CHECK(replies.empty());
  BOOST_REQUIRE(p.scanned_one(s));
  BOOST_REQUIRE_EQUAL(replies.size(), 1u);
  BOOST_REQUIRE(!replies[0]);
  BOOST_CHECK(is(replies[0].error(), errc::locked));
  BOOST_CHECK_EQUAL(timers.size(), 1u);
  BOOST_CHECK_EQUAL(s.counters().lock_waits, 1u);
}
