// The group-commit writer behind the asynchronous API: callers that do not
// wait share one WriteBatch and one fsync.
#include <boost/test/unit_test.hpp>

#include <condition_variable>
#include <mutex>

#include "temp_dir.hpp"

using namespace troupe::mvcc;
using test::store_fixture;

namespace {

/// Counts completions and lets the test wait for a number of them.
class completions {
 public:
  completion make() {
    return [this](status st) {
      std::lock_guard<std::mutex> guard{mtx_};
      ++done_;
      if (!st) ++failed_;
      cv_.notify_all();
    };
  }
  /// Waits until `n` completions arrived; false after 10 s.
  bool wait_for(int n) {
    std::unique_lock<std::mutex> lock{mtx_};
    return cv_.wait_for(lock, std::chrono::seconds{10},
                        [&] { return done_ >= n; });
  }
  int failed() {
    std::lock_guard<std::mutex> guard{mtx_};
    return failed_;
  }

 private:
  std::mutex mtx_;
  std::condition_variable cv_;
  int done_ = 0;
  int failed_ = 0;
};

one_phase_request write_one(int i) {
  one_phase_request req;
  req.shard = static_cast<shard_id>(i % 4);
  req.txn = static_cast<txn_id>(i + 1);
  req.start_ts = 10;
  req.commit_ts = 11;
  req.writes = {mutation::put("k" + std::to_string(i), std::to_string(i))};
  return req;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(group_commit_suite, store_fixture)

BOOST_AUTO_TEST_CASE(requests_queued_during_a_write_share_the_next_one) {
  // The first completion runs on the writer thread; while it runs the
  // writer cannot write, so the 50 requests it submits all queue up and
  // must go out together in exactly one more write.
  constexpr int queued = 50;
  completions seen;
  db->one_phase_commit_async(write_one(0), [&](status st) {
    BOOST_TEST(st.has_value());
    for (int i = 1; i <= queued; ++i)
      db->one_phase_commit_async(write_one(i), seen.make());
  });
  BOOST_REQUIRE(seen.wait_for(queued));
  BOOST_TEST(seen.failed() == 0);
  auto stats = db->stats();
  BOOST_TEST(stats.commits == static_cast<std::uint64_t>(queued + 1));
  BOOST_TEST(stats.requests == static_cast<std::uint64_t>(queued + 1));
  BOOST_TEST(stats.group_writes == 2u);
  BOOST_TEST(stats.synced_writes == 2u);
  for (int i = 0; i <= queued; ++i)
    BOOST_TEST(read(static_cast<shard_id>(i % 4), "k" + std::to_string(i),
                    11) == std::to_string(i));
}

BOOST_AUTO_TEST_CASE(batch_limits_split_a_queue_into_several_writes) {
  options opts;
  opts.group_commit_max_batch = 8;
  auto limited = test::open_store(dir.sub("limited"), opts);
  constexpr int queued = 20;
  completions seen;
  limited->one_phase_commit_async(write_one(0), [&](status) {
    for (int i = 1; i <= queued; ++i)
      limited->one_phase_commit_async(write_one(i), seen.make());
  });
  BOOST_REQUIRE(seen.wait_for(queued));
  // 1 + ceil(20 / 8) writes.
  BOOST_TEST(limited->stats().group_writes == 4u);
}

BOOST_AUTO_TEST_CASE(sync_off_writes_without_fsync) {
  options opts;
  opts.sync = false;
  auto fast = test::open_store(dir.sub("nosync"), opts);
  BOOST_REQUIRE(fast->one_phase_commit(write_one(1)));
  BOOST_TEST(fast->stats().group_writes == 1u);
  BOOST_TEST(fast->stats().synced_writes == 0u);
}

BOOST_AUTO_TEST_CASE(errors_found_before_queueing_complete_inline) {
  bool called = false;
  auto bad = write_one(1);
  bad.writes.clear();
  db->one_phase_commit_async(bad, [&](status st) {
    called = true;
    BOOST_TEST(to_string(st.error().code) == "invalid_argument");
  });
  BOOST_TEST(called);
  BOOST_TEST(db->stats().group_writes == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
