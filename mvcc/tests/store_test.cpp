// Snapshot reads, intents and the two-phase commit life cycle.
#include <boost/test/unit_test.hpp>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "temp_dir.hpp"

using namespace troupe::mvcc;
using test::store_fixture;

BOOST_FIXTURE_TEST_SUITE(store_suite, store_fixture)

BOOST_AUTO_TEST_CASE(reads_the_snapshot_of_its_timestamp) {
  put(1, {mutation::put("a", "v10")}, 10);
  put(1, {mutation::put("a", "v20")}, 20);
  BOOST_TEST(read(1, "a", 9) == "<none>");
  BOOST_TEST(read(1, "a", 10) == "v10");
  BOOST_TEST(read(1, "a", 19) == "v10");
  BOOST_TEST(read(1, "a", 20) == "v20");
  BOOST_TEST(read(1, "a", 1000) == "v20");
  BOOST_TEST(read(2, "a", 1000) == "<none>"); // shards are disjoint
}

BOOST_AUTO_TEST_CASE(newer_versions_are_invisible_to_older_snapshots) {
  put(1, {mutation::put("k", "old")}, 5);
  auto snapshot = timestamp{6};
  put(1, {mutation::put("k", "new"), mutation::put("fresh", "x")}, 7);
  BOOST_TEST(read(1, "k", snapshot) == "old");
  BOOST_TEST(read(1, "fresh", snapshot) == "<none>");
  auto rows = db->scan(1, key_range{}, snapshot);
  BOOST_REQUIRE(rows);
  BOOST_REQUIRE_EQUAL(rows->size(), 1u);
  BOOST_TEST(rows->at(0).value == "old");
}

namespace {

/// Every row of `shard` at `ts` as "key=value;" in order ("<E:code>" on an
/// error).
std::string scan_text(store& db, shard_id shard, timestamp ts) {
  auto rows = db.scan(shard, key_range{}, ts);
  if (!rows) return "<E:" + std::string{to_string(rows.error().code)} + ">";
  std::string out;
  for (const auto& kv : *rows)
    out += kv.key + "=" + kv.value + ";";
  return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(scans_pick_the_snapshot_version_among_many) {
  // Keys with 1, 3 and 40 versions (a scan steps over short runs of
  // versions and seeks past long ones): every snapshot sees exactly the
  // newest version at or below it.
  put(1, {mutation::put("a", "a5")}, 5);
  for (timestamp ts = 10; ts <= 400; ts += 10)
    put(1, {mutation::put("m", "m" + std::to_string(ts))}, ts);
  for (timestamp ts : {20, 40, 60})
    put(1, {mutation::put("z", "z" + std::to_string(ts))}, ts);
  for (timestamp ts = 4; ts <= 401; ++ts) {
    auto got = scan_text(*db, 1, ts);
    std::string want;
    if (ts >= 5) want += "a=a5;";
    if (ts >= 10)
      want +=
        "m=m" + std::to_string(std::min<timestamp>(ts / 10 * 10, 400)) + ";";
    if (ts >= 20)
      want +=
        "z=z" + std::to_string(std::min<timestamp>(ts / 20 * 20, 60)) + ";";
    BOOST_TEST(got == want, "at ts " << ts);
  }
}

BOOST_AUTO_TEST_CASE(scans_over_mixed_runs_of_versions_see_each_snapshot) {
  // Runs of keys with many versions (after one, a scan seeks past a key's
  // older versions at once) mixed with keys of one or a few (every eighth
  // key it steps again, to notice): each snapshot still sees exactly the
  // newest version at or below it, and deletes hide a key.
  const std::vector<timestamp> versions{40, 35, 50, 1,  1,  2, 45, 45, 45, 45,
                                        45, 45, 45, 45, 45, 3, 1,  17, 16, 60,
                                        1,  1,  1,  1,  1,  1, 1,  1,  1,  30};
  auto key = [](std::size_t i) {
    return "k" + std::string(i < 10 ? "0" : "") + std::to_string(i);
  };
  // Key i is written at ts 1..versions[i]; its last write deletes it when
  // i % 7 == 3.
  auto deleted = [&](std::size_t i) { return i % 7 == 3; };
  for (timestamp ts = 1; ts <= 60; ++ts) {
    std::vector<mutation> writes;
    for (std::size_t i = 0; i < versions.size(); ++i) {
      if (ts > versions[i]) continue;
      writes.push_back(ts == versions[i] && deleted(i)
                         ? mutation::del(key(i))
                         : mutation::put(key(i), std::to_string(ts)));
    }
    put(1, std::move(writes), 10 * ts);
  }
  for (timestamp ts : {5, 10, 15, 170, 185, 300, 455, 600, 601}) {
    auto got = scan_text(*db, 1, ts);
    std::string want;
    for (std::size_t i = 0; i < versions.size(); ++i) {
      auto newest = std::min<timestamp>(ts / 10, versions[i]);
      if (newest == 0 || (newest == versions[i] && deleted(i))) continue;
      want += key(i) + "=" + std::to_string(newest) + ";";
    }
    BOOST_TEST(got == want, "at ts " << ts);
  }
}

BOOST_AUTO_TEST_CASE(deleted_keys_read_as_absent_after_the_delete) {
  put(1, {mutation::put("k", "v")}, 5);
  put(1, {mutation::del("k")}, 8);
  BOOST_TEST(read(1, "k", 7) == "v");
  BOOST_TEST(read(1, "k", 8) == "<none>");
  auto rows = db->scan(1, key_range{}, 9);
  BOOST_REQUIRE(rows);
  BOOST_TEST(rows->empty());
  put(1, {mutation::put("k", "again")}, 12);
  BOOST_TEST(read(1, "k", 12) == "again");
}

BOOST_AUTO_TEST_CASE(commit_makes_every_key_visible_at_one_timestamp) {
  auto req = make_prepare(
    3, 77, 10,
    {mutation::put("x", "1"), mutation::put("y", "2"), mutation::del("z")});
  put(3, {mutation::put("z", "old")}, 4);
  BOOST_REQUIRE(db->prepare(req));
  BOOST_REQUIRE(db->commit(3, 77, 15));
  for (timestamp ts : {11, 14}) {
    BOOST_TEST(read(3, "x", ts) == "<none>");
    BOOST_TEST(read(3, "y", ts) == "<none>");
    BOOST_TEST(read(3, "z", ts) == "old");
  }
  BOOST_TEST(read(3, "x", 15) == "1");
  BOOST_TEST(read(3, "y", 15) == "2");
  BOOST_TEST(read(3, "z", 15) == "<none>");
  auto out = db->outcome(3, 77);
  BOOST_REQUIRE(out);
  BOOST_TEST((out->status == txn_outcome::state::committed));
  BOOST_TEST(out->commit_ts == 15u);
}

BOOST_AUTO_TEST_CASE(intents_block_readers_with_locked) {
  put(1, {mutation::put("k", "v")}, 5);
  BOOST_REQUIRE(
    db->prepare(make_prepare(1, 42, 10, {mutation::put("k", "w")})));
  BOOST_TEST(read(1, "k", 9) == "v"); // the intent starts after the snapshot
  auto r = db->get(1, "k", 10);
  BOOST_REQUIRE(!r);
  BOOST_TEST(to_string(r.error().code) == "locked");
  BOOST_TEST(r.error().txn == 42u);
  BOOST_TEST(r.error().key == "k");
  BOOST_TEST((r.error().retry() == retry_class::retry_call));
  auto rows = db->scan(1, key_range::prefix("k"), 50);
  BOOST_REQUIRE(!rows);
  BOOST_TEST(rows.error().txn == 42u);
  // A range that does not contain the key is not blocked.
  BOOST_TEST(db->scan(1, key_range{"l", ""}, 50).has_value());
  BOOST_REQUIRE(db->commit(1, 42, 11));
  BOOST_TEST(read(1, "k", 50) == "w");
}

BOOST_AUTO_TEST_CASE(abort_leaves_no_trace) {
  put(1, {mutation::put("a", "1")}, 5);
  auto before = db->scan(1, key_range{}, 100);
  BOOST_REQUIRE(before);
  BOOST_REQUIRE(db->prepare(make_prepare(
    1, 9, 10, {mutation::put("a", "2"), mutation::put("b", "3")})));
  BOOST_REQUIRE(db->abort(1, 9, 10));
  auto after = db->scan(1, key_range{}, 100);
  BOOST_REQUIRE(after);
  BOOST_REQUIRE_EQUAL(after->size(), before->size());
  BOOST_TEST(after->at(0).value == "1");
  BOOST_TEST(read(1, "b", 100) == "<none>");
  auto prepared = db->list_prepared();
  BOOST_REQUIRE(prepared);
  BOOST_TEST(prepared->empty());
  // The keys are free again for another transaction.
  BOOST_TEST(db->prepare(make_prepare(1, 10, 11, {mutation::put("a", "x")}))
               .has_value());
}

BOOST_AUTO_TEST_CASE(repeated_and_late_commit_and_abort_are_harmless) {
  BOOST_REQUIRE(db->prepare(make_prepare(1, 5, 10, {mutation::put("k", "v")})));
  BOOST_REQUIRE(db->prepare(make_prepare(1, 5, 10, {mutation::put("k", "v")})));
  BOOST_REQUIRE(db->commit(1, 5, 12));
  BOOST_TEST(db->commit(1, 5, 12).has_value());
  auto abort_committed = db->abort(1, 5, 10);
  BOOST_REQUIRE(!abort_committed);
  BOOST_TEST(to_string(abort_committed.error().code) == "txn_committed");
  BOOST_TEST(read(1, "k", 12) == "v");

  BOOST_REQUIRE(db->prepare(make_prepare(1, 6, 20, {mutation::put("j", "v")})));
  BOOST_REQUIRE(db->abort(1, 6, 20));
  BOOST_TEST(db->abort(1, 6, 20).has_value());
  auto commit_aborted = db->commit(1, 6, 25);
  BOOST_REQUIRE(!commit_aborted);
  BOOST_TEST(to_string(commit_aborted.error().code) == "txn_aborted");

  // An abort that overtook its prepare fences the late prepare.
  BOOST_REQUIRE(db->abort(1, 7, 30));
  auto late = db->prepare(make_prepare(1, 7, 30, {mutation::put("m", "v")}));
  BOOST_REQUIRE(!late);
  BOOST_TEST(to_string(late.error().code) == "txn_aborted");
  BOOST_TEST(read(1, "m", 40) == "<none>");

  auto unknown = db->commit(1, 8, 50);
  BOOST_REQUIRE(!unknown);
  BOOST_TEST(to_string(unknown.error().code) == "txn_not_prepared");
}

BOOST_AUTO_TEST_CASE(prepared_transactions_survive_reopen_and_are_listed) {
  auto req = make_prepare(4, 11, 10, {mutation::put("p", "1")});
  req.primary_key = "primary";
  BOOST_REQUIRE(db->prepare(req));
  BOOST_REQUIRE(
    db->prepare(make_prepare(5, 12, 10, {mutation::put("q", "1")})));
  db.reset();
  db = test::open_store(dir.sub("db"));
  auto all = db->list_prepared();
  BOOST_REQUIRE(all);
  BOOST_REQUIRE_EQUAL(all->size(), 2u);
  BOOST_TEST(all->at(0).txn == 11u);
  BOOST_TEST(all->at(0).primary_key == "primary");
  BOOST_TEST(all->at(0).keys == std::vector<std::string>{"p"});
  auto one = db->list_prepared(5);
  BOOST_REQUIRE(one);
  BOOST_REQUIRE_EQUAL(one->size(), 1u);
  BOOST_TEST(one->at(0).txn == 12u);
  BOOST_TEST(read(4, "p", 20) == "<E:locked>");
  BOOST_REQUIRE(db->commit(4, 11, 20));
  BOOST_TEST(read(4, "p", 20) == "1");
}

BOOST_AUTO_TEST_CASE(intents_block_reads_and_scans_until_resolved_and_reopen) {
  // Reads and scans find intents through an in-memory index of them
  // (docs/mvcc.md, "Reads"): follow one key through several owners.
  auto scan_result = [&](timestamp ts) -> std::string {
    auto rows = db->scan(6, key_range{}, ts);
    if (!rows) return "<E:" + std::string{to_string(rows.error().code)} + ">";
    std::string out;
    for (const auto& kv : *rows)
      out += kv.key + "=" + kv.value + ";";
    return out;
  };
  put(6, {mutation::put("a", "0")}, 5);
  for (txn_id txn = 30; txn < 33; ++txn) {
    timestamp start = 10 * txn;
    BOOST_REQUIRE(db->prepare(
      make_prepare(6, txn, start, {mutation::put("k", std::to_string(txn))})));
    BOOST_TEST(read(6, "k", start + 1) == "<E:locked>");
    BOOST_TEST(scan_result(start + 1) == "<E:locked>");
    // Before the intent: the last committed value (31 aborts).
    const char* before[] = {"a=0;", "a=0;k=30;", "a=0;k=30;"};
    BOOST_TEST(scan_result(start - 1) == before[txn - 30]);
    if (txn == 31) {
      BOOST_REQUIRE(db->abort(6, txn, start));
    } else {
      BOOST_REQUIRE(db->commit(6, txn, start + 5));
    }
  }
  BOOST_TEST(scan_result(400) == "a=0;k=32;");
  BOOST_TEST(read(6, "k", 400) == "32");
  // An intent that outlives the process is found again after reopening.
  BOOST_REQUIRE(
    db->prepare(make_prepare(6, 40, 400, {mutation::put("b", "1")})));
  db.reset();
  db = test::open_store(dir.sub("db"));
  BOOST_TEST(read(6, "b", 401) == "<E:locked>");
  BOOST_TEST(scan_result(401) == "<E:locked>");
  BOOST_TEST(scan_result(399) == "a=0;k=32;");
  BOOST_REQUIRE(db->commit(6, 40, 405));
  BOOST_TEST(scan_result(405) == "a=0;b=1;k=32;");
  // A scan without a limit meets every intent of its range; one with a
  // limit only those up to the last row it returns.
  BOOST_REQUIRE(
    db->prepare(make_prepare(6, 41, 410, {mutation::put("z", "1")})));
  BOOST_TEST(scan_result(411) == "<E:locked>");
  auto first_two = db->scan(6, key_range{}, 411, 2);
  BOOST_REQUIRE(first_two);
  BOOST_REQUIRE_EQUAL(first_two->size(), 2u);
  BOOST_TEST(first_two->at(1).key == "b");
}

BOOST_AUTO_TEST_CASE(precommit_is_durable_listed_and_fixes_the_commit_ts) {
  auto req = make_prepare(2, 21, 10, {mutation::put("t", "1")});
  req.three_phase = true;
  req.peers = {3, 4};
  BOOST_REQUIRE(db->prepare(req));
  // Only a three-phase transaction can be precommitted, after its start.
  auto two_phase = make_prepare(2, 22, 10, {mutation::put("u", "1")});
  BOOST_REQUIRE(db->prepare(two_phase));
  auto refused = db->precommit(2, 22, 30);
  BOOST_REQUIRE(!refused);
  BOOST_TEST(to_string(refused.error().code) == "invalid_argument");
  BOOST_TEST(!db->precommit(2, 21, 10));
  BOOST_TEST(!db->precommit(2, 99, 30)); // never prepared
  BOOST_REQUIRE(db->precommit(2, 21, 30));
  BOOST_REQUIRE(db->precommit(2, 21, 30)); // repeated
  BOOST_TEST(!db->precommit(2, 21, 31));
  db.reset();
  db = test::open_store(dir.sub("db"));
  auto listed = db->list_prepared(2);
  BOOST_REQUIRE(listed);
  BOOST_REQUIRE_EQUAL(listed->size(), 2u);
  BOOST_TEST(listed->at(0).txn == 21u);
  BOOST_TEST(listed->at(0).three_phase);
  BOOST_TEST((listed->at(0).peers == std::vector<shard_id>{3, 4}));
  BOOST_TEST(listed->at(0).precommit_ts == 30u);
  BOOST_TEST(!listed->at(1).three_phase);
  BOOST_TEST(listed->at(1).precommit_ts == 0u);
  auto o = db->outcome(2, 21);
  BOOST_REQUIRE(o);
  BOOST_TEST(static_cast<int>(o->status) ==
             static_cast<int>(txn_outcome::state::precommitted));
  BOOST_TEST(o->commit_ts == 30u);
  // Readers still wait: the intents stay until the commit.
  BOOST_TEST(read(2, "t", 40) == "<E:locked>");
  BOOST_TEST(!db->commit(2, 21, 31)); // only at the precommit ts
  BOOST_REQUIRE(db->commit(2, 21, 30));
  BOOST_REQUIRE(db->precommit(2, 21, 30)); // late: already committed
  BOOST_TEST(read(2, "t", 40) == "1");
  // A precommitted transaction can still be aborted (its coordinator gave
  // up), and an aborted one is never precommitted.
  auto other = make_prepare(2, 23, 10, {mutation::put("w", "1")});
  other.three_phase = true;
  BOOST_REQUIRE(db->prepare(other));
  BOOST_REQUIRE(db->precommit(2, 23, 35));
  BOOST_REQUIRE(db->abort(2, 23, 10));
  auto late = db->precommit(2, 23, 35);
  BOOST_REQUIRE(!late);
  BOOST_TEST(to_string(late.error().code) == "txn_aborted");
  BOOST_TEST(read(2, "w", 40) == "<none>");
}

BOOST_AUTO_TEST_CASE(scans_return_keys_in_order_with_limit_and_prefix) {
  std::string zero_key{"a\0b", 3};
  put(1,
      {mutation::put("a", "1"), mutation::put(zero_key, "2"),
       mutation::put("ab", "3"), mutation::put("b", "4"),
       mutation::put(std::string{"\xff"}, "5")},
      10);
  put(1, {mutation::put("ab", "3'")}, 20);
  auto all = db->scan(1, key_range{}, 30);
  BOOST_REQUIRE(all);
  std::vector<std::string> keys;
  for (const auto& kv : *all)
    keys.push_back(kv.key);
  BOOST_TEST((keys == std::vector<std::string>{"a", zero_key, "ab", "b",
                                               std::string{"\xff"}}));
  auto pre = db->scan(1, key_range::prefix("a"), 15);
  BOOST_REQUIRE(pre);
  BOOST_REQUIRE_EQUAL(pre->size(), 3u);
  BOOST_TEST(pre->at(2).value == "3");
  auto limited = db->scan(1, key_range{"a\x01", ""}, 30, 2);
  BOOST_REQUIRE(limited);
  BOOST_REQUIRE_EQUAL(limited->size(), 2u);
  BOOST_TEST(limited->at(0).value == "3'");
  BOOST_TEST(limited->at(1).key == "b");
}

BOOST_AUTO_TEST_CASE(
  scan_async_scans_on_a_scan_thread_and_close_runs_the_rest) {
  put(1, {mutation::put("a", "1"), mutation::put("b", "2")}, 10);
  std::mutex mtx;
  std::condition_variable cv;
  std::vector<std::pair<std::thread::id, result<std::vector<key_value>>>> done;
  auto record = [&](result<std::vector<key_value>> r) {
    std::lock_guard<std::mutex> guard{mtx};
    done.emplace_back(std::this_thread::get_id(), std::move(r));
    cv.notify_all();
  };
  db->scan_async(1, key_range::prefix("a"), 20, 0, 0, record);
  {
    std::unique_lock<std::mutex> lock{mtx};
    BOOST_REQUIRE(cv.wait_for(lock, std::chrono::seconds{10},
                              [&] { return !done.empty(); }));
  }
  BOOST_TEST((done[0].first != std::this_thread::get_id()));
  BOOST_REQUIRE(done[0].second);
  BOOST_REQUIRE_EQUAL(done[0].second->size(), 1u);
  BOOST_TEST(done[0].second->at(0).value == "1");
  // Closing runs every scan still queued, against the open database.
  for (int i = 0; i < 50; ++i)
    db->scan_async(1, key_range{}, 20, 0, 0, record);
  db.reset();
  BOOST_REQUIRE_EQUAL(done.size(), 51u);
  for (auto& d : done)
    BOOST_TEST((d.second && (d.second->size() == 1 || d.second->size() == 2)));

  // Without scan threads, the scan runs on the caller before it returns.
  options o;
  o.scan_threads = 0;
  db = test::open_store(dir.sub("db"), o);
  done.clear();
  db->scan_async(1, key_range{}, 20, 0, 0, record);
  BOOST_REQUIRE_EQUAL(done.size(), 1u);
  BOOST_TEST((done[0].first == std::this_thread::get_id()));
  BOOST_REQUIRE(done[0].second);
  BOOST_TEST(done[0].second->size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_byte_budget_ends_a_page_and_pages_resume_after_it) {
  // Twenty rows of 21 bytes each against the budget (3-byte key, 2-byte
  // value, scan_row_overhead); k05 is deleted and costs nothing.
  std::vector<mutation> writes;
  for (int i = 0; i < 20; ++i)
    writes.push_back(mutation::put(
      "k" + std::string(i < 10 ? "0" : "") + std::to_string(i), "vv"));
  put(1, writes, 10);
  put(1, {mutation::del("k05")}, 11);
  static_assert(scan_row_overhead == 16);
  // Rows until their bytes reach the budget: 21, 42, then 63 >= 50.
  auto first = db->scan(1, key_range::prefix("k"), 20, 0, 50);
  BOOST_REQUIRE(first);
  BOOST_REQUIRE_EQUAL(first->size(), 3u);
  BOOST_TEST(first->back().key == "k02");
  // Page after page, each from the successor of the last key, gives the
  // whole scan once.
  std::vector<std::string> paged;
  std::string after;
  for (int pages = 0; pages < 20; ++pages) {
    auto range = key_range::prefix("k");
    if (!after.empty()) range.begin = after + '\0';
    auto page = db->scan(1, range, 20, 0, 50);
    BOOST_REQUIRE(page);
    if (page->empty()) break;
    for (const auto& kv : *page)
      paged.push_back(kv.key);
    after = page->back().key;
  }
  std::vector<std::string> all;
  auto whole = db->scan(1, key_range::prefix("k"), 20);
  BOOST_REQUIRE(whole);
  for (const auto& kv : *whole)
    all.push_back(kv.key);
  BOOST_REQUIRE_EQUAL(all.size(), 19u);
  BOOST_TEST(paged == all, boost::test_tools::per_element());
  // An intent past the page does not hold the page up; the whole range
  // waits for it.
  BOOST_REQUIRE(
    db->prepare(make_prepare(1, 77, 15, {mutation::put("k17", "x")})));
  BOOST_TEST(db->scan(1, key_range::prefix("k"), 20, 0, 50).has_value());
  auto blocked = db->scan(1, key_range::prefix("k"), 20);
  BOOST_REQUIRE(!blocked);
  BOOST_TEST(to_string(blocked.error().code) == "locked");
}

BOOST_AUTO_TEST_CASE(the_successor_of_a_longest_key_bounds_a_range) {
  auto opts = options{};
  std::string longest(opts.max_key_bytes, 'x');
  put(1, {mutation::put(longest, "1")}, 10);
  auto after = db->scan(1, key_range{longest + '\0', ""}, 20);
  BOOST_REQUIRE(after);
  BOOST_TEST(after->empty());
  // Two bytes past the limit is not a bound of any key's page.
  auto too_long = db->scan(1, key_range{longest + "yy", ""}, 20);
  BOOST_REQUIRE(!too_long);
  BOOST_TEST(to_string(too_long.error().code) == "key_too_large");
}

BOOST_AUTO_TEST_SUITE_END()
