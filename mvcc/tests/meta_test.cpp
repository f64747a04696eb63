// Metadata entries (timestamp oracle, decision log) and the coordinator
// named in prepare records: durable, listed by prefix, kept apart from the
// store's own metadata.
#include <atomic>
#include <chrono>
#include <future>
#include <memory>

#include <boost/test/unit_test.hpp>

#include "temp_dir.hpp"

using namespace troupe::mvcc;
using troupe::mvcc::test::open_store;
using troupe::mvcc::test::store_fixture;
using troupe::mvcc::test::temp_dir;

BOOST_AUTO_TEST_CASE(metadata_survives_reopen_and_lists_by_prefix) {
  temp_dir dir;
  {
    auto db = open_store(dir.sub("db"));
    BOOST_REQUIRE(db->put_meta("tso/high", "100"));
    BOOST_REQUIRE(db->put_meta("decision/1", "a"));
    BOOST_REQUIRE(db->put_meta("decision/2", "b"));
    BOOST_REQUIRE(db->put_meta("decisions", "not under the prefix"));
    BOOST_REQUIRE(db->erase_meta("decision/1"));
    BOOST_REQUIRE(db->erase_meta("never/written"));
  }
  auto db = open_store(dir.sub("db"));
  auto high = db->get_meta("tso/high");
  BOOST_REQUIRE(high);
  BOOST_REQUIRE(high->has_value());
  BOOST_CHECK_EQUAL(**high, "100");
  auto gone = db->get_meta("decision/1");
  BOOST_REQUIRE(gone);
  BOOST_CHECK(!gone->has_value());
  auto listed = db->list_meta("decision/");
  BOOST_REQUIRE(listed);
  BOOST_REQUIRE_EQUAL(listed->size(), 1u);
  BOOST_CHECK_EQUAL(listed->at(0).key, "decision/2");
  BOOST_CHECK_EQUAL(listed->at(0).value, "b");
}

BOOST_AUTO_TEST_CASE(listing_follows_puts_and_erases_in_write_order) {
  temp_dir dir;
  {
    auto db = open_store(dir.sub("db"));
    // Erased entries, as the decision log leaves them: none is listed.
    for (int i = 0; i < 1000; ++i) {
      auto key = "d/" + std::to_string(i);
      BOOST_REQUIRE(db->put_meta(key, "x"));
      BOOST_REQUIRE(db->erase_meta(key));
    }
    // Queued without waiting: the last write of a key decides.
    std::promise<void> all;
    auto left = std::make_shared<std::atomic<int>>(6);
    auto count = [&all, left](status st) {
      BOOST_CHECK(st);
      if (--*left == 0) all.set_value();
    };
    db->put_meta_async("d/kept", "1", count);
    db->erase_meta_async("d/kept", count);
    db->put_meta_async("d/kept", "2", count);
    db->put_meta_async("d/gone", "1", count);
    db->erase_meta_async("d/gone", count);
    db->erase_meta_async("d/never", count);
    BOOST_REQUIRE(all.get_future().wait_for(std::chrono::seconds{10}) ==
                  std::future_status::ready);
    auto listed = db->list_meta("d/");
    BOOST_REQUIRE(listed);
    BOOST_REQUIRE_EQUAL(listed->size(), 1u);
    BOOST_CHECK_EQUAL(listed->at(0).key, "d/kept");
    BOOST_CHECK_EQUAL(listed->at(0).value, "2");
  }
  // Reopened: the index is rebuilt from the family.
  auto db = open_store(dir.sub("db"));
  auto listed = db->list_meta("d/");
  BOOST_REQUIRE(listed);
  BOOST_REQUIRE_EQUAL(listed->size(), 1u);
  BOOST_CHECK_EQUAL(listed->at(0).key, "d/kept");
  BOOST_CHECK_EQUAL(listed->at(0).value, "2");
  auto all = db->list_meta("");
  BOOST_REQUIRE(all);
  BOOST_CHECK_EQUAL(all->size(), 1u);
}

BOOST_AUTO_TEST_CASE(metadata_does_not_touch_the_store_record) {
  temp_dir dir;
  {
    auto db = open_store(dir.sub("db"));
    BOOST_REQUIRE(db->gc(50));
    BOOST_REQUIRE(db->put_meta("meta", "a user key named like the record"));
  }
  auto db = open_store(dir.sub("db")); // would fail on a clobbered record
  BOOST_CHECK_EQUAL(db->safe_point(), 50u);
  auto all = db->list_meta("");
  BOOST_REQUIRE(all);
  BOOST_CHECK_EQUAL(all->size(), 1u);
}

BOOST_AUTO_TEST_CASE(metadata_rejects_empty_and_oversized_keys) {
  store_fixture f;
  auto st = f.db->put_meta("", "x");
  BOOST_REQUIRE(!st);
  BOOST_CHECK(st.error().code == errc::invalid_argument);
  st = f.db->put_meta(std::string(5000, 'k'), "x");
  BOOST_REQUIRE(!st);
  BOOST_CHECK(st.error().code == errc::key_too_large);
}

BOOST_AUTO_TEST_CASE(prepared_transactions_name_their_coordinator) {
  store_fixture f;
  auto req = store_fixture::make_prepare(3, 77, 10, {mutation::put("k", "v")});
  req.coordinator = "node-b";
  BOOST_REQUIRE(f.db->prepare(req));
  auto listed = f.db->list_prepared(3);
  BOOST_REQUIRE(listed);
  BOOST_REQUIRE_EQUAL(listed->size(), 1u);
  BOOST_CHECK_EQUAL(listed->at(0).coordinator, "node-b");
  BOOST_CHECK_EQUAL(listed->at(0).txn, 77u);
}

BOOST_AUTO_TEST_CASE(read_validation_sees_newer_versions_and_foreign_intents) {
  store_fixture f;
  f.put(1, {mutation::put("x", "0"), mutation::put("y", "0")}, 5);
  BOOST_CHECK(f.db->validate_reads(1, 50, 10, {"x", "y"}));
  f.put(1, {mutation::put("x", "1")}, 12);
  auto st = f.db->validate_reads(1, 50, 10, {"x", "y"});
  BOOST_REQUIRE(!st);
  BOOST_CHECK(st.error().code == errc::write_conflict);
  BOOST_CHECK_EQUAL(st.error().key, "x");
  BOOST_CHECK_EQUAL(st.error().ts, 12u);
  BOOST_REQUIRE(f.db->prepare(
    store_fixture::make_prepare(1, 60, 13, {mutation::put("y", "2")})));
  st = f.db->validate_reads(1, 50, 13, {"y"});
  BOOST_REQUIRE(!st);
  BOOST_CHECK(st.error().code == errc::locked);
  BOOST_CHECK_EQUAL(st.error().txn, 60u);
  BOOST_CHECK(f.db->validate_reads(1, 60, 13, {"y"})); // its own intent
}
