// Garbage collection below a safe point, and moving a shard's data.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

#include <map>
#include <random>

#include "temp_dir.hpp"

using namespace troupe::mvcc;
using test::store_fixture;

namespace {

constexpr timestamp history_end = 200;

/// Per (shard, key): the commit timestamps written, oldest first, and
/// whether each was a delete.
using history = std::map<std::pair<shard_id, std::string>,
                         std::vector<std::pair<timestamp, bool>>>;

/// Writes a seeded random history of puts and deletes over a few keys of
/// shards 1 and 2, one commit every other timestamp, and returns it.
history write_history(store_fixture& f, unsigned seed) {
  std::mt19937 rng{seed};
  history h;
  for (timestamp ts = 2; ts < history_end; ts += 2) {
    std::vector<mutation> writes;
    for (int k = 0; k < 5; ++k) {
      if (rng() % 3 != 0) continue;
      auto key = "key" + std::to_string(k);
      if (rng() % 4 == 0)
        writes.push_back(mutation::del(key));
      else
        writes.push_back(mutation::put(key, "v" + std::to_string(ts)));
    }
    if (writes.empty()) continue;
    shard_id shard = 1 + (ts / 2) % 2;
    for (const auto& m : writes)
      h[{shard, m.key}].emplace_back(ts, !m.value.has_value());
    f.put(shard, std::move(writes), ts);
  }
  return h;
}

/// Returns how many versions GC at `sp` must remove from `h`: per key all at
/// or below sp but the newest of them, and that one too if it is a delete.
std::uint64_t expected_removed(const history& h, timestamp sp) {
  std::uint64_t n = 0;
  for (const auto& [key, versions] : h) {
    std::uint64_t below = 0;
    bool newest_is_delete = false;
    for (const auto& [ts, is_delete] : versions) {
      if (ts > sp) break;
      ++below;
      newest_is_delete = is_delete;
    }
    if (below > 0) n += below - 1 + (newest_is_delete ? 1 : 0);
  }
  return n;
}

/// Every read of shards 1 and 2 from `from` to the end of the history.
std::map<std::pair<int, timestamp>, std::string> all_reads(store_fixture& f,
                                                           timestamp from) {
  std::map<std::pair<int, timestamp>, std::string> out;
  for (shard_id shard : {1u, 2u}) {
    for (timestamp ts = from; ts <= history_end; ++ts) {
      auto rows = f.db->scan(shard, key_range{}, ts);
      BOOST_REQUIRE(rows);
      std::string s;
      for (const auto& kv : *rows)
        s += kv.key + "=" + kv.value + ";";
      for (int k = 0; k < 5; ++k)
        s += f.read(shard, "key" + std::to_string(k), ts);
      out[{static_cast<int>(shard), ts}] = s;
    }
  }
  return out;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(gc_transfer_suite, store_fixture)

BOOST_AUTO_TEST_CASE(gc_keeps_reads_at_or_above_the_safe_point) {
  // A key deleted long before the safe point (odd timestamps: the history
  // uses even ones).
  put(2, {mutation::put("gone", "x")}, 3);
  put(2, {mutation::del("gone")}, 5);
  auto h = write_history(*this, 7);
  h[{2, "gone"}] = {{3, false}, {5, true}};
  constexpr timestamp sp = 120;
  auto before = all_reads(*this, sp);
  auto stats = db->gc(sp);
  BOOST_REQUIRE(stats);
  BOOST_TEST(stats->versions_removed == expected_removed(h, sp));
  BOOST_TEST(stats->versions_removed > 10u);
  BOOST_TEST(stats->tombstones_removed > 0u);
  BOOST_TEST(all_reads(*this, sp) == before);
  auto below = db->get(1, "key0", sp - 1);
  BOOST_REQUIRE(!below);
  BOOST_TEST(to_string(below.error().code) == "timestamp_too_old");

  // What is left: per key, at most one version at or below sp. Collecting
  // again at the same safe point finds nothing; the safe point survives a
  // reopen.
  BOOST_TEST(db->gc(sp)->versions_removed == 0u);
  db.reset();
  db = test::open_store(dir.sub("db"));
  BOOST_TEST(db->safe_point() == sp);
  BOOST_TEST(all_reads(*this, sp) == before);
  BOOST_TEST(read(2, "gone", sp) == "<none>");
  auto rows = db->scan(2, key_range::prefix("gone"), history_end);
  BOOST_REQUIRE(rows);
  BOOST_TEST(rows->empty());
}

BOOST_AUTO_TEST_CASE(gc_collects_outcome_records_but_not_prepared_ones) {
  BOOST_REQUIRE(db->prepare(make_prepare(1, 1, 10, {mutation::put("a", "1")})));
  BOOST_REQUIRE(db->commit(1, 1, 11));
  BOOST_REQUIRE(db->prepare(make_prepare(1, 2, 12, {mutation::put("b", "1")})));
  BOOST_REQUIRE(db->abort(1, 2, 12));
  BOOST_REQUIRE(db->prepare(make_prepare(1, 3, 30, {mutation::put("c", "1")})));
  auto stats = db->gc(20);
  BOOST_REQUIRE(stats);
  BOOST_TEST(stats->txn_records_removed == 2u);
  BOOST_TEST((db->outcome(1, 1)->status == txn_outcome::state::unknown));
  BOOST_TEST((db->outcome(1, 3)->status == txn_outcome::state::prepared));
  // A late duplicate commit of a collected transaction is still harmless,
  // and a late prepare below the safe point is refused.
  BOOST_TEST(db->commit(1, 1, 11).has_value());
  auto late = db->prepare(make_prepare(1, 2, 12, {mutation::put("b", "1")}));
  BOOST_REQUIRE(!late);
  BOOST_TEST(to_string(late.error().code) == "timestamp_too_old");
  BOOST_TEST(read(1, "a", 20) == "1");
}

BOOST_AUTO_TEST_CASE(export_and_ingest_round_trip_a_shard) {
  write_history(*this, 3);
  put(2, {mutation::put("other", "x")}, 5);
  BOOST_REQUIRE(
    db->prepare(make_prepare(1, 500, 300, {mutation::put("p", "")})));
  auto exported = db->export_shard(1, dir.sub("export"));
  BOOST_REQUIRE(exported);
  BOOST_TEST(*exported > 0u);

  store_fixture target;
  {
    // A bad file fails the ingest before any file lands: the shard stays
    // empty, and a good export can be ingested after it.
    auto bad = dir.sub("bad-export");
    std::filesystem::copy(dir.sub("export"), bad);
    std::ofstream{bad + "/txns.sst", std::ios::trunc} << "not an sst";
    BOOST_TEST(!target.db->ingest_shard(1, bad));
    BOOST_TEST(target.read(1, "p", 301) == "<none>");
    BOOST_TEST(target.db->list_prepared()->empty());
  }
  {
    // An export of store format 1 kept its intents in locks.sst, which
    // this format does not read: refused, not ingested without them.
    auto old = dir.sub("format-1-export");
    std::filesystem::copy(dir.sub("export"), old);
    std::ofstream{old + "/locks.sst"} << "intents";
    auto st = target.db->ingest_shard(1, old);
    BOOST_REQUIRE(!st);
    BOOST_TEST(to_string(st.error().code) == "invalid_argument");
    BOOST_TEST(st.error().message.find("store format 1") != std::string::npos);
    BOOST_TEST(target.read(1, "p", 301) == "<none>");
  }
  BOOST_REQUIRE(target.db->ingest_shard(1, dir.sub("export")));
  // The ingested intent is found (reads look intents up in an index).
  BOOST_TEST(target.read(1, "p", 301) == "<E:locked>");
  for (timestamp ts = 1; ts <= history_end; ++ts) {
    auto a = db->scan(1, key_range{}, ts);
    auto b = target.db->scan(1, key_range{}, ts);
    BOOST_REQUIRE(a);
    BOOST_REQUIRE(b);
    BOOST_REQUIRE_EQUAL(a->size(), b->size());
    for (std::size_t i = 0; i < a->size(); ++i) {
      BOOST_TEST(a->at(i).key == b->at(i).key);
      BOOST_TEST(a->at(i).value == b->at(i).value);
    }
  }
  BOOST_TEST(target.read(2, "other", 10) == "<none>");
  auto prepared = target.db->list_prepared();
  BOOST_REQUIRE(prepared);
  BOOST_REQUIRE_EQUAL(prepared->size(), 1u);
  BOOST_TEST(prepared->at(0).txn == 500u);
  BOOST_REQUIRE(target.db->commit(1, 500, 301));
  BOOST_TEST(target.read(1, "p", 301) == "");

  auto again = target.db->ingest_shard(1, dir.sub("export"));
  BOOST_REQUIRE(!again);
  BOOST_TEST(to_string(again.error().code) == "shard_not_empty");
  auto wrong = target.db->ingest_shard(3, dir.sub("export"));
  BOOST_REQUIRE(!wrong);
  BOOST_TEST(to_string(wrong.error().code) == "invalid_argument");
  auto not_empty = db->export_shard(1, dir.sub("export"));
  BOOST_TEST(!not_empty.has_value());
}

BOOST_AUTO_TEST_SUITE_END()
