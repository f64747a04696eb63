// The version cache (docs/mvcc.md, "The version cache"): reads and conflict
// checks answer the same with no cache, a cache that evicts at once and
// the default one; a miss below the floor reads the store; reopening and
// ingesting keep the floor above every version the cache does not hold.
// White-box for the cache itself (private header).
#include <boost/test/unit_test.hpp>

#include "temp_dir.hpp"
#include "version_cache.hpp"

using namespace troupe::mvcc;
using test::open_store;
using test::store_fixture;
using test::temp_dir;

namespace {

std::string code_of(const status& st) {
  return st ? "ok" : to_string(st.error().code);
}

cached_version at(timestamp ts, std::string value) {
  return {ts, ts + 1000, false, std::move(value)};
}

/// Capacities to run each store case with: none, one that holds a few
/// entries (every commit evicts), the default.
const std::size_t capacities[] = {0, 512, options{}.version_cache_bytes};

/// A store fixture whose store lives in `dir` with a cache of `capacity`.
std::unique_ptr<store_fixture> store_in(const temp_dir& dir,
                                        std::size_t capacity) {
  options o;
  o.version_cache_bytes = capacity;
  auto f = std::make_unique<store_fixture>();
  f->db = open_store(dir.sub("db"), o);
  return f;
}

} // namespace

BOOST_AUTO_TEST_SUITE(version_cache_suite)

BOOST_AUTO_TEST_CASE(the_cache_evicts_in_write_order_and_raises_its_floor) {
  // Room for about two entries of these sizes.
  version_cache cache{2 * (96 + 48 + 8), 5};
  BOOST_TEST(cache.find("k1").floor == 5u);
  cache.put("k1", at(10, "a"));
  cache.put("k2", at(20, "b"));
  BOOST_REQUIRE(cache.find("k1").newest);
  BOOST_TEST(cache.find("k1").newest->value == "a");
  cache.put("k1", at(8, "older")); // not newer than the entry: ignored
  BOOST_TEST(cache.find("k1").newest->commit_ts == 10u);
  cache.put("k3", at(30, "c")); // k1 was written first: it leaves
  auto k1 = cache.find("k1");
  BOOST_TEST(!k1.newest);
  BOOST_TEST(k1.floor == 10u);
  BOOST_REQUIRE(cache.find("k3").newest);
  // Rewriting k2 moves it behind k3; its old place in the order is stale.
  cache.put("k2", at(40, "b2"));
  cache.put("k4", at(50, "d")); // k3 leaves, k2 stays
  BOOST_TEST(!cache.find("k3").newest);
  BOOST_TEST(cache.find("k3").floor == 30u);
  BOOST_REQUIRE(cache.find("k2").newest);
  BOOST_TEST(cache.find("k2").newest->value == "b2");
  cache.clear(35); // the floor rises past every dropped entry
  BOOST_TEST(!cache.find("k4").newest);
  BOOST_TEST(cache.find("k4").floor == 50u);
  BOOST_TEST(cache.size().first == 0u);
}

BOOST_AUTO_TEST_CASE(a_cache_of_no_bytes_says_nothing) {
  version_cache cache{0, 0};
  cache.put("k", at(10, "a"));
  BOOST_TEST(!cache.find("k").newest);
  BOOST_TEST(cache.find("k").floor == unknown_floor);
}

BOOST_AUTO_TEST_CASE(reads_and_conflict_checks_agree_for_every_capacity) {
  for (auto capacity : capacities) {
    BOOST_TEST_CONTEXT("version_cache_bytes " << capacity) {
      temp_dir dir;
      auto owner = store_in(dir, capacity);
      auto& f = *owner;
      // k: one-phase at 12, two-phase at 30; then other keys push both out
      // of a small cache.
      f.put(1, {mutation::put("k", "v12")}, 12);
      BOOST_REQUIRE(f.db->prepare(
        store_fixture::make_prepare(1, 7, 20, {mutation::put("k", "v30")})));
      BOOST_REQUIRE(f.db->commit(1, 7, 30));
      for (int i = 0; i < 40; ++i)
        f.put(1, {mutation::put("other" + std::to_string(i), "x")}, 40 + i);
      BOOST_TEST(f.read(1, "k", 11) == "<none>");
      BOOST_TEST(f.read(1, "k", 12) == "v12");
      BOOST_TEST(f.read(1, "k", 29) == "v12");
      BOOST_TEST(f.read(1, "k", 30) == "v30");
      BOOST_TEST(f.read(1, "k", 100) == "v30");
      // A writer that started before 30 conflicts, with the version named.
      auto late = f.db->prepare(
        store_fixture::make_prepare(1, 8, 25, {mutation::put("k", "late")}));
      BOOST_REQUIRE(!late);
      BOOST_TEST(code_of(late) == "write_conflict");
      BOOST_TEST(late.error().ts == 30u);
      BOOST_TEST(late.error().txn == 7u);
      // So does a one-phase writer on a key evicted long ago.
      one_phase_request op;
      op.shard = 1;
      op.txn = 9;
      op.start_ts = 39;
      op.commit_ts = 200;
      op.writes = {mutation::put("other0", "y")};
      auto stale = f.db->one_phase_commit(op);
      BOOST_REQUIRE(!stale);
      BOOST_TEST(code_of(stale) == "write_conflict");
      BOOST_TEST(stale.error().ts == 40u);
      // A writer after the newest version passes, and its delete is read.
      BOOST_REQUIRE(f.db->prepare(
        store_fixture::make_prepare(1, 10, 100, {mutation::del("k")})));
      BOOST_REQUIRE(f.db->commit(1, 10, 101));
      BOOST_TEST(f.read(1, "k", 101) == "<none>");
      BOOST_TEST(f.read(1, "k", 100) == "v30");
      // Keys never written do not conflict and read as absent.
      BOOST_TEST(f.read(1, "never", 500) == "<none>");
      BOOST_REQUIRE(f.db->prepare(
        store_fixture::make_prepare(1, 11, 5, {mutation::put("never", "n")})));
    }
  }
}

BOOST_AUTO_TEST_CASE(a_reopened_store_finds_versions_the_cache_lost) {
  for (auto capacity : capacities) {
    BOOST_TEST_CONTEXT("version_cache_bytes " << capacity) {
      temp_dir dir;
      store_in(dir, capacity)->put(1, {mutation::put("k", "v")}, 5000);
      auto owner = store_in(dir, capacity);
      auto& f = *owner;
      auto late = f.db->prepare(
        store_fixture::make_prepare(1, 1, 4999, {mutation::put("k", "x")}));
      BOOST_REQUIRE(!late);
      BOOST_TEST(code_of(late) == "write_conflict");
      BOOST_TEST(late.error().ts == 5000u);
      BOOST_TEST(f.read(1, "k", 6000) == "v");
    }
  }
}

BOOST_AUTO_TEST_CASE(an_ingested_shard_raises_the_floor) {
  temp_dir dir;
  store_fixture source;
  source.put(1, {mutation::put("k", "moved")}, 900);
  BOOST_REQUIRE(source.db->export_shard(1, dir.sub("export")));
  // The target's own shard 2 fills its cache (and leaves the floor low).
  store_fixture target;
  target.put(2, {mutation::put("mine", "1")}, 10);
  BOOST_REQUIRE(target.db->ingest_shard(1, dir.sub("export")));
  auto late = target.db->prepare(
    store_fixture::make_prepare(1, 1, 800, {mutation::put("k", "x")}));
  BOOST_REQUIRE(!late);
  BOOST_TEST(code_of(late) == "write_conflict");
  BOOST_TEST(late.error().ts == 900u);
  BOOST_TEST(target.read(1, "k", 1000) == "moved");
  BOOST_TEST(target.read(2, "mine", 1000) == "1");
}

BOOST_AUTO_TEST_SUITE_END()
