// shard_state without a scheduler: the store's completion only posts; the
// owner thread runs the reply when it calls finish().
#include "shard_state.hpp"

#include <boost/test/unit_test.hpp>

#include <condition_variable>
#include <deque>
#include <mutex>

#include "temp_dir.hpp"

using namespace troupe::actors;
using troupe::participants::shard_state;

namespace {

/// What the writer thread posts, for the test thread to finish.
struct posted {
  std::mutex mtx;
  std::condition_variable cv;
  std::deque<std::pair<std::uint64_t, vote>> queue;

  shard_state::post_fn fn() {
    return [this](std::uint64_t token, vote v) {
      std::lock_guard<std::mutex> guard{mtx};
      queue.emplace_back(token, std::move(v));
      cv.notify_all();
    };
  }

  /// Waits (with a deadline) for one posted result and finishes it.
  bool finish_one(shard_state& s) {
    std::unique_lock<std::mutex> lock{mtx};
    if (!cv.wait_for(lock, std::chrono::seconds{10},
                     [&] { return !queue.empty(); }))
      return false;
    auto [token, v] = std::move(queue.front());
    queue.pop_front();
    lock.unlock();
    s.finish(token, v);
    return true;
  }
};

} // namespace

BOOST_AUTO_TEST_CASE(replies_run_only_when_the_owner_finishes_them) {
  troupe::mvcc::test::temp_dir dir;
  std::shared_ptr<troupe::mvcc::store> db{
    troupe::mvcc::test::open_store(dir.sub("db"))};
  posted p;
  shard_state s{*db, 1, p.fn()};
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
