// Isolation: first committer wins, serializable read validation, and the
// atomicity of conflict check plus intent reservation under threads.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "temp_dir.hpp"

using namespace troupe::mvcc;
using test::store_fixture;

namespace {

/// Releases every waiting thread at once so their calls overlap.
class start_gate {
 public:
  void wait() {
    std::unique_lock<std::mutex> lock{mtx_};
    cv_.wait(lock, [this] { return open_; });
  }
  void open() {
    {
      std::lock_guard<std::mutex> guard{mtx_};
      open_ = true;
    }
    cv_.notify_all();
  }

 private:
  std::mutex mtx_;
  std::condition_variable cv_;
  bool open_ = false;
};

std::string code_of(const status& st) {
  return st ? "ok" : to_string(st.error().code);
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(conflict_suite, store_fixture)

BOOST_AUTO_TEST_CASE(write_write_conflict_aborts_the_second_committer) {
  // T1 and T2 both start at 10 and write k; T1 commits first.
  BOOST_REQUIRE(
    db->prepare(make_prepare(1, 1, 10, {mutation::put("k", "t1")})));
  auto while_locked =
    db->prepare(make_prepare(1, 2, 10, {mutation::put("k", "t2")}));
  BOOST_REQUIRE(!while_locked);
  BOOST_TEST(code_of(while_locked) == "locked");
  BOOST_TEST(while_locked.error().txn == 1u);
  BOOST_REQUIRE(db->commit(1, 1, 12));
  auto after = db->prepare(make_prepare(1, 2, 10, {mutation::put("k", "t2")}));
  BOOST_REQUIRE(!after);
  BOOST_TEST(code_of(after) == "write_conflict");
  BOOST_TEST(after.error().key == "k");
  BOOST_TEST(after.error().ts == 12u);
  BOOST_TEST((after.error().retry() == retry_class::retry_transaction));
  BOOST_TEST(read(1, "k", 20) == "t1");
  // A transaction that started after the commit does not conflict.
  BOOST_TEST(db->prepare(make_prepare(1, 3, 12, {mutation::put("k", "t3")}))
               .has_value());
}

BOOST_AUTO_TEST_CASE(write_skew_is_allowed_under_snapshot_isolation) {
  put(1, {mutation::put("a", "1"), mutation::put("b", "1")}, 5);
  // T1 reads a,b and writes a; T2 reads a,b and writes b; both start at 10.
  auto t1 = make_prepare(1, 1, 10, {mutation::put("a", "0")});
  t1.reads = {"a", "b"};
  auto t2 = make_prepare(1, 2, 10, {mutation::put("b", "0")});
  t2.reads = {"a", "b"};
  BOOST_REQUIRE(db->prepare(t1));
  BOOST_REQUIRE(db->commit(1, 1, 11));
  BOOST_REQUIRE(db->prepare(t2));
  BOOST_REQUIRE(db->commit(1, 2, 12));
  BOOST_TEST(read(1, "a", 20) == "0");
  BOOST_TEST(read(1, "b", 20) == "0");
}

BOOST_AUTO_TEST_CASE(write_skew_is_rejected_under_serializable) {
  put(1, {mutation::put("a", "1"), mutation::put("b", "1")}, 5);
  auto t1 = make_prepare(1, 1, 10, {mutation::put("a", "0")});
  t1.reads = {"a", "b"};
  t1.level = isolation::serializable;
  auto t2 = make_prepare(1, 2, 10, {mutation::put("b", "0")});
  t2.reads = {"a", "b"};
  t2.level = isolation::serializable;
  BOOST_REQUIRE(db->prepare(t1));
  // While T1 is prepared its intent on a read key blocks T2 ...
  BOOST_TEST(code_of(db->prepare(t2)) == "locked");
  BOOST_REQUIRE(db->commit(1, 1, 11));
  // ... and once committed its version is newer than T2's snapshot.
  auto late = db->prepare(t2);
  BOOST_TEST(code_of(late) == "write_conflict");
  BOOST_TEST(late.error().key == "a");
  BOOST_TEST(read(1, "b", 20) == "1");
}

BOOST_AUTO_TEST_CASE(concurrent_prepares_on_one_key_let_exactly_one_win) {
  constexpr int threads = 8;
  for (int round = 0; round < 20; ++round) {
    start_gate gate;
    std::atomic<int> wins{0}, locked{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        auto txn = static_cast<txn_id>(round * 100 + t + 1);
        gate.wait();
        status st;
        if (t % 2 == 0) {
          st = db->prepare(make_prepare(7, txn, 10'000 + round * 10,
                                        {mutation::put("hot", "v")}));
        } else {
          one_phase_request req;
          req.shard = 7;
          req.txn = txn;
          req.start_ts = 10'000 + round * 10;
          req.commit_ts = req.start_ts + 1;
          req.writes = {mutation::put("hot", "v")};
          st = db->one_phase_commit(req);
        }
        if (st)
          ++wins;
        else if (st.error().code == errc::locked ||
                 st.error().code == errc::write_conflict)
          ++locked;
      });
    }
    gate.open();
    for (auto& th : pool)
      th.join();
    BOOST_TEST(wins.load() == 1);
    BOOST_TEST(locked.load() == threads - 1);
    // Clear the winner's intent, if it prepared, for the next round.
    auto prepared = db->list_prepared(7);
    BOOST_REQUIRE(prepared);
    for (const auto& p : *prepared)
      BOOST_REQUIRE(db->abort(7, p.txn, p.start_ts));
  }
}

BOOST_AUTO_TEST_CASE(one_phase_commit_retry_is_idempotent) {
  one_phase_request req;
  req.shard = 2;
  req.txn = 99;
  req.start_ts = 10;
  req.commit_ts = 11;
  req.writes = {mutation::put("a", "1"), mutation::put("b", "2")};
  BOOST_REQUIRE(db->one_phase_commit(req));
  BOOST_TEST(db->one_phase_commit(req).has_value());
  req.txn = 100;
  BOOST_TEST(code_of(db->one_phase_commit(req)) == "write_conflict");
  BOOST_TEST(db->stats().commits == 1u);
}

BOOST_AUTO_TEST_CASE(one_phase_commit_below_a_served_read_is_refused) {
  BOOST_TEST(read(2, "k", 50) == "<none>");
  one_phase_request req;
  req.shard = 2;
  req.txn = 1;
  req.start_ts = 40;
  req.commit_ts = 45; // a reader at 50 already saw "no k"
  req.writes = {mutation::put("k", "v")};
  auto st = db->one_phase_commit(req);
  BOOST_REQUIRE(!st);
  BOOST_TEST(code_of(st) == "timestamp_too_old");
  BOOST_TEST(st.error().ts == 51u);
  req.commit_ts = 51;
  BOOST_REQUIRE(db->one_phase_commit(req));
  BOOST_TEST(read(2, "k", 50) == "<none>");
  BOOST_TEST(read(2, "k", 51) == "v");
}

BOOST_AUTO_TEST_SUITE_END()
