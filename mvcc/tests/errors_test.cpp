// Bad input and bad data: size limits, corrupt records, error metadata, and
// the key encoding that everything else relies on.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <random>

#include <rocksdb/db.h>

#include "key_codec.hpp"
#include "temp_dir.hpp"

using namespace troupe::mvcc;
using test::store_fixture;

BOOST_FIXTURE_TEST_SUITE(errors_suite, store_fixture)

BOOST_AUTO_TEST_CASE(key_and_value_size_limits_are_enforced) {
  options opts;
  opts.max_key_bytes = 8;
  opts.max_value_bytes = 16;
  auto small = test::open_store(dir.sub("small"), opts);
  auto req = make_prepare(1, 1, 10, {mutation::put("123456789", "v")});
  auto st = small->prepare(req);
  BOOST_REQUIRE(!st);
  BOOST_TEST(to_string(st.error().code) == "key_too_large");
  BOOST_TEST(st.error().message.find("9 bytes, limit 8") != std::string::npos);
  BOOST_TEST((st.error().retry() == retry_class::do_not_retry));

  req = make_prepare(1, 1, 10, {mutation::put("k", std::string(17, 'x'))});
  st = small->prepare(req);
  BOOST_REQUIRE(!st);
  BOOST_TEST(to_string(st.error().code) == "value_too_large");
  BOOST_TEST(st.error().key == "k");

  one_phase_request one;
  one.shard = 1;
  one.txn = 2;
  one.start_ts = 10;
  one.commit_ts = 11;
  one.writes = {mutation::put("k", std::string(16, 'x'))}; // at the limit
  BOOST_TEST(small->one_phase_commit(one).has_value());
  auto long_read = small->get(1, "123456789", 20);
  BOOST_REQUIRE(!long_read);
  BOOST_TEST(to_string(long_read.error().code) == "key_too_large");
}

BOOST_AUTO_TEST_CASE(malformed_requests_are_invalid_arguments) {
  auto empty = db->prepare(prepare_request{});
  BOOST_TEST(to_string(empty.error().code) == "invalid_argument");
  auto dup = db->prepare(
    make_prepare(1, 1, 10, {mutation::put("k", "1"), mutation::del("k")}));
  BOOST_TEST(to_string(dup.error().code) == "invalid_argument");
  one_phase_request backwards;
  backwards.shard = 1;
  backwards.txn = 2;
  backwards.start_ts = 10;
  backwards.commit_ts = 10;
  backwards.writes = {mutation::put("k", "v")};
  auto st = db->one_phase_commit(backwards);
  BOOST_TEST(to_string(st.error().code) == "invalid_argument");
}

BOOST_AUTO_TEST_CASE(a_corrupt_record_is_an_error_naming_the_key) {
  std::string key{"bad\x01key", 7};
  put(1, {mutation::put(key, "v")}, 10);
  BOOST_REQUIRE(
    db->prepare(make_prepare(2, 5, 20, {mutation::put("lk", "v")})));
  db.reset();
  {
    // Overwrite the stored records with bytes that are not protobuf.
    rocksdb::DBOptions o;
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (const char* name : {"default", "versions", "locks", "txns"})
      cfs.emplace_back(name, rocksdb::ColumnFamilyOptions{});
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    BOOST_REQUIRE(
      rocksdb::DB::Open(o, dir.sub("db"), cfs, &handles, &raw).ok());
    std::string garbage{"\xff\xff\xff\xff", 4};
    auto wo = rocksdb::WriteOptions{};
    BOOST_REQUIRE(
      raw->Put(wo, handles[1], codec::version_key(1, key, 10), garbage).ok());
    BOOST_REQUIRE(raw->Put(wo, handles[3], codec::txn_key(2, 5), garbage).ok());
    for (auto* h : handles)
      BOOST_REQUIRE(raw->DestroyColumnFamilyHandle(h).ok());
    delete raw;
  }
  db = test::open_store(dir.sub("db"));
  auto r = db->get(1, key, 10);
  BOOST_REQUIRE(!r);
  BOOST_TEST(to_string(r.error().code) == "corrupt_record");
  BOOST_TEST(r.error().key == key);
  BOOST_TEST(r.error().message ==
             "key 'bad\\x01key': unreadable version record");
  auto s = db->scan(1, key_range{}, 10);
  BOOST_REQUIRE(!s);
  BOOST_TEST(to_string(s.error().code) == "corrupt_record");
  // The intents of txn 5 were in its record: no read of shard 2 can tell
  // whether it meets one, so they fail instead of missing it.
  for (const char* k : {"lk", "other"}) {
    auto l = db->get(2, k, 30);
    BOOST_REQUIRE(!l);
    BOOST_TEST(to_string(l.error().code) == "corrupt_record");
    BOOST_TEST(l.error().message.find("shard 2 has an unreadable transaction "
                                      "record") != std::string::npos);
  }
  BOOST_TEST(to_string(db->scan(2, key_range{}, 30).error().code) ==
             "corrupt_record");
  auto p = db->list_prepared();
  BOOST_REQUIRE(!p);
  BOOST_TEST(p.error().message.find("txn 5 of shard 2") != std::string::npos);
  BOOST_TEST(to_string(db->commit(2, 5, 30).error().code) == "corrupt_record");
}

BOOST_AUTO_TEST_CASE(every_error_code_has_a_name_and_retry_class) {
  for (int c = static_cast<int>(errc::write_conflict);
       c <= static_cast<int>(errc::shutting_down); ++c) {
    auto code = static_cast<errc>(c);
    BOOST_TEST(std::string{to_string(code)} != "unknown");
    BOOST_TEST(std::string{to_string(retry_class_of(code))} != "unknown");
  }
  BOOST_TEST((retry_class_of(errc::locked) == retry_class::retry_call));
  BOOST_TEST(
    (retry_class_of(errc::write_conflict) == retry_class::retry_transaction));
  BOOST_TEST(hex_escape(std::string{"a\0\xff b", 5}) == "a\\x00\\xff b");
}

BOOST_AUTO_TEST_CASE(key_encoding_preserves_order_and_prefixes) {
  std::mt19937 rng{42};
  std::vector<std::string> keys{
    "",    std::string{"\0", 1},  std::string{"\0\0", 2},
    "a",   std::string{"a\0", 2}, "a\x01",
    "\xff"};
  for (int i = 0; i < 300; ++i) {
    std::string k(rng() % 6, '\0');
    for (auto& c : k)
      c = static_cast<char>("\x00\x01\x7f\xff"[rng() % 4]);
    keys.push_back(k);
  }
  for (const auto& a : keys) {
    auto ea = codec::lock_key(9, a);
    auto decoded = codec::decode(codec::version_key(9, a, 77), true);
    BOOST_REQUIRE(decoded);
    BOOST_TEST(decoded->user_key == a);
    BOOST_TEST(decoded->commit_ts == 77u);
    for (const auto& b : keys) {
      auto eb = codec::lock_key(9, b);
      BOOST_TEST((a < b) == (ea < eb));
      // Every version of a sorts before every version of a larger key.
      if (a < b)
        BOOST_TEST(codec::after_versions(9, a) <= codec::version_key(9, b, 1));
      // The escaped prefix (without terminator) is a prefix of the key.
      bool is_prefix = b.compare(0, a.size(), a) == 0 && b.size() >= a.size();
      auto ea_open = ea.substr(0, ea.size() - 2);
      BOOST_TEST(is_prefix == (eb.compare(0, ea_open.size(), ea_open) == 0));
    }
  }
  BOOST_TEST(codec::version_key(1, "k", 5) > codec::version_key(1, "k", 6));
  // Missing terminator.
  BOOST_TEST(!codec::decode(std::string_view{"\x00\x00\x00\x01k", 5}, false)
                .has_value());
  // An escape byte last, an unknown escape, bytes after the terminator,
  // a version key without its 8 timestamp bytes.
  for (std::string_view bad :
       {std::string_view{"\x00\x00\x00\x01k\x00", 6},
        std::string_view{"\x00\x00\x00\x01k\x00\x05", 7},
        std::string_view{"\x00\x00\x00\x01k\x00\x01z", 8}})
    BOOST_TEST(!codec::decode(bad, false).has_value());
  BOOST_TEST(!codec::decode(codec::lock_key(1, "k"), true).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
