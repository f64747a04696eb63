// Store format 1 kept each intent in the locks family; format 2 keeps them
// in the transaction record, and opening a format 1 store migrates them.
// Format 3 adds the version bound, which opening an older store computes.
// White-box: the format 1 store is written with raw RocksDB.
#include <boost/test/unit_test.hpp>

#include <rocksdb/db.h>
#include <rocksdb/iterator.h>

#include "key_codec.hpp"
#include "records.pb.h"
#include "temp_dir.hpp"

using namespace troupe::mvcc;

namespace {

/// A raw RocksDB handle on a store directory with the store's families
/// (default, versions, locks, txns), closed on destruction.
struct raw_store {
  explicit raw_store(const std::string& path) {
    rocksdb::DBOptions o;
    o.create_if_missing = true;
    o.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (const char* name : {"default", "versions", "locks", "txns"})
      cfs.emplace_back(name, rocksdb::ColumnFamilyOptions{});
    rocksdb::DB* raw = nullptr;
    auto s = rocksdb::DB::Open(o, path, cfs, &handles, &raw);
    if (!s.ok()) throw std::runtime_error(s.ToString());
    db.reset(raw);
  }
  ~raw_store() {
    for (auto* h : handles)
      static_cast<void>(db->DestroyColumnFamilyHandle(h));
  }
  void put(std::size_t family, const std::string& key,
           const std::string& value) {
    auto s = db->Put(rocksdb::WriteOptions{}, handles[family], key, value);
    if (!s.ok()) throw std::runtime_error(s.ToString());
  }
  std::size_t count(std::size_t family) {
    std::unique_ptr<rocksdb::Iterator> it{
      db->NewIterator(rocksdb::ReadOptions{}, handles[family])};
    std::size_t n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next())
      ++n;
    return n;
  }
  /// Writes a metadata record of store format `version`.
  void set_format(std::uint32_t version) {
    pb::meta_record meta;
    meta.set_format_version(version);
    put(0, "meta", meta.SerializeAsString());
  }
  /// The stored format version and version bound (0 when missing).
  std::pair<std::uint32_t, std::uint64_t> format_and_bound() {
    std::string bytes;
    pb::meta_record meta;
    if (!db->Get({}, handles[0], "meta", &bytes).ok() ||
        !meta.ParseFromString(bytes))
      throw std::runtime_error("no store metadata");
    if (!db->Get({}, handles[0], "version_bound", &bytes).ok() ||
        bytes.size() != 8)
      return {meta.format_version(), 0};
    return {meta.format_version(), codec::get_u64(bytes, 0)};
  }
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
};

constexpr std::size_t meta_cf = 0, versions_cf = 1, locks_cf = 2, txns_cf = 3;

/// Writes a format 1 store: a committed version of "b" at ts 10, and txn
/// 7 of shard 3 prepared at start ts 20 with intents on "a" (put "1") and
/// "b" (delete); `orphan` adds an intent of txn 8, which has no record.
void write_format_1(const std::string& path, bool orphan) {
  raw_store raw{path};
  raw.set_format(1);
  pb::version_record old;
  old.set_value("old");
  old.set_txn_id(1);
  old.set_start_ts(9);
  raw.put(versions_cf, codec::version_key(3, "b", 10), old.SerializeAsString());
  pb::txn_record rec;
  rec.set_status(pb::txn_record::PREPARED);
  rec.set_start_ts(20);
  rec.set_primary_key("a");
  rec.set_coordinator("n1");
  rec.add_keys("a");
  rec.add_keys("b");
  raw.put(txns_cf, codec::txn_key(3, 7), rec.SerializeAsString());
  auto lock = [&](const std::string& key, txn_id txn,
                  std::optional<std::string> value) {
    pb::lock_record l;
    l.set_txn_id(txn);
    l.set_start_ts(20);
    l.set_primary_key("a");
    l.set_tombstone(!value);
    if (value) l.set_value(*value);
    raw.put(locks_cf, codec::lock_key(3, key), l.SerializeAsString());
  };
  lock("a", 7, "1");
  lock("b", 7, std::nullopt);
  if (orphan) lock("c", 8, "2");
}

} // namespace

BOOST_AUTO_TEST_CASE(a_format_1_store_opens_with_its_intents_moved) {
  test::temp_dir dir;
  auto path = dir.sub("db");
  write_format_1(path, false);
  {
    auto db = test::open_store(path);
    auto prepared = db->list_prepared();
    BOOST_REQUIRE(prepared);
    BOOST_REQUIRE(prepared->size() == 1u);
    BOOST_TEST((*prepared)[0].txn == 7u);
    BOOST_TEST(((*prepared)[0].keys == std::vector<std::string>{"a", "b"}));
    auto locked = db->get(3, "a", 30);
    BOOST_REQUIRE(!locked);
    BOOST_TEST(to_string(locked.error().code) == "locked");
    BOOST_TEST(locked.error().txn == 7u);
    BOOST_TEST(locked.error().ts == 20u);
    auto before = db->get(3, "b", 15); // below the intent's start ts
    BOOST_REQUIRE(before);
    BOOST_TEST(before->value_or("<none>") == "old");
    BOOST_REQUIRE(db->commit(3, 7, 25));
    auto a = db->get(3, "a", 30);
    BOOST_REQUIRE(a);
    BOOST_TEST(a->value_or("<none>") == "1");
    auto b = db->get(3, "b", 30);
    BOOST_REQUIRE(b);
    BOOST_TEST(!b->has_value());
  }
  raw_store raw{path};
  BOOST_TEST(raw.count(locks_cf) == 0u);
  // Format 3's version bound: the newest version ("a" at 25), plus the
  // step the commit wrote it with.
  auto [format, bound] = raw.format_and_bound();
  BOOST_TEST(format == 3u);
  BOOST_TEST(bound == 25u + 4096u);
}

BOOST_AUTO_TEST_CASE(a_format_2_store_opens_with_its_version_bound) {
  test::temp_dir dir;
  auto path = dir.sub("db");
  {
    raw_store raw{path};
    raw.set_format(2);
    for (timestamp ts : {10, 50, 30}) {
      pb::version_record v;
      v.set_value("v" + std::to_string(ts));
      v.set_txn_id(ts);
      v.set_start_ts(ts - 1);
      raw.put(versions_cf, codec::version_key(ts == 50 ? 2 : 1, "k", ts),
              v.SerializeAsString());
    }
  }
  {
    auto db = test::open_store(path);
    // The bound (50) makes the cache's misses below it read the store.
    auto late = db->prepare(
      test::store_fixture::make_prepare(2, 1, 40, {mutation::put("k", "x")}));
    BOOST_REQUIRE(!late);
    BOOST_TEST(to_string(late.error().code) == "write_conflict");
    BOOST_TEST(late.error().ts == 50u);
  }
  raw_store raw{path};
  auto [format, bound] = raw.format_and_bound();
  BOOST_TEST(format == 3u);
  BOOST_TEST(bound == 50u);
}

BOOST_AUTO_TEST_CASE(a_format_3_store_without_its_bound_does_not_open) {
  test::temp_dir dir;
  auto path = dir.sub("db");
  {
    raw_store raw{path};
    raw.set_format(3);
  }
  options opts;
  opts.path = path;
  auto db = store::open(opts);
  BOOST_REQUIRE(!db);
  BOOST_TEST(to_string(db.error().code) == "corrupt_record");
  BOOST_TEST(db.error().message.find("version bound") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_intent_without_a_prepared_record_fails_the_open) {
  test::temp_dir dir;
  auto path = dir.sub("db");
  write_format_1(path, true);
  options opts;
  opts.path = path;
  auto db = store::open(opts);
  BOOST_REQUIRE(!db);
  BOOST_TEST(to_string(db.error().code) == "corrupt_record");
  BOOST_TEST(db.error().message.find("txn 8 of shard 3, which is not "
                                     "prepared there") != std::string::npos);
  // Nothing was changed: the intents are still there to look at.
  raw_store raw{path};
  BOOST_TEST(raw.count(locks_cf) == 3u);
}
