// Store format 1 kept each intent as a record of its own in the locks
// family; format 2 keeps a transaction's intents in its record
// (docs/mvcc.md, "Layout"). Opening a format 1 store moves them. Format 3
// adds the version bound (docs/mvcc.md, "The version cache"), which
// opening a format 1 or 2 store computes.
#include <algorithm>
#include <map>

#include <rocksdb/iterator.h>
#include <rocksdb/write_batch.h>

#include "key_codec.hpp"
#include "store_impl.hpp"

namespace troupe::mvcc {

status store::impl::migrate_intents(pb::meta_record meta) {
  // (shard, txn) -> its intents, in key order.
  std::map<std::pair<shard_id, txn_id>, std::vector<pb::intent>> held;
  rocksdb::WriteBatch batch;
  std::unique_ptr<rocksdb::Iterator> it{
    db_->NewIterator(iteration_options(), cf(family::locks))};
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto decoded = codec::decode(it->key().ToStringView(), false);
    if (!decoded)
      return key_error(errc::corrupt_record, it->key().ToString(),
                       "malformed intent key");
    auto lock = decode<pb::lock_record>(it->value().ToStringView(),
                                        decoded->user_key, "intent");
    if (!lock) return lock.error();
    pb::intent intent;
    intent.set_key(decoded->user_key);
    intent.set_tombstone(lock->tombstone());
    intent.set_value(lock->value());
    held[{decoded->shard, lock->txn_id()}].push_back(std::move(intent));
    auto s = batch.Delete(cf(family::locks), it->key());
    if (!s.ok()) return from_status(s, "migrate intents");
  }
  if (!it->status().ok())
    return from_status(it->status(), "read format 1 intents");
  for (auto& [id, intents] : held) {
    auto [shard, txn] = id;
    auto rec = read_txn(shard, txn);
    if (!rec) return rec.error();
    if (!*rec || !holds_intents(**rec))
      return key_error(errc::corrupt_record, intents.front().key(),
                       "intent of txn " + std::to_string(txn) + " of shard " +
                         std::to_string(shard) +
                         ", which is not prepared there");
    auto& r = **rec;
    r.clear_keys();
    for (auto& intent : intents)
      *r.add_writes() = std::move(intent);
    auto s = batch.Put(cf(family::txns), codec::txn_key(shard, txn), encode(r));
    if (!s.ok()) return from_status(s, "migrate intents");
  }
  meta.set_format_version(2);
  auto s = batch.Put(cf(family::meta), "meta", encode(meta));
  if (!s.ok()) return from_status(s, "migrate intents");
  rocksdb::WriteOptions wo;
  wo.sync = true;
  s = db_->Write(wo, &batch);
  if (!s.ok()) return from_status(s, "write migrated intents");
  return {};
}

result<timestamp> newest_commit_ts(rocksdb::Iterator& it,
                                   const std::string& what) {
  timestamp newest = 0;
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    auto decoded = codec::decode(it.key().ToStringView(), true);
    if (!decoded)
      return key_error(errc::corrupt_record, it.key().ToString(),
                       "malformed version key (" + what + ")");
    newest = std::max(newest, decoded->commit_ts);
  }
  if (!it.status().ok()) return from_status(it.status(), what);
  return newest;
}

rocksdb::Status write_meta_and_bound(rocksdb::DB& db,
                                     rocksdb::ColumnFamilyHandle* cf,
                                     const pb::meta_record& meta,
                                     timestamp bound) {
  std::string bytes;
  codec::put_u64(bytes, bound);
  rocksdb::WriteBatch batch;
  auto s = batch.Put(cf, "meta", encode(meta));
  if (s.ok()) s = batch.Put(cf, version_bound_key, bytes);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  if (s.ok()) s = db.Write(wo, &batch);
  return s;
}

status store::impl::migrate_version_bound(pb::meta_record meta) {
  std::unique_ptr<rocksdb::Iterator> it{
    db_->NewIterator(iteration_options(), cf(family::versions))};
  auto newest = newest_commit_ts(*it, "read versions for the version bound");
  if (!newest) return newest.error();
  meta.set_format_version(3);
  auto s = write_meta_and_bound(*db_, cf(family::meta), meta, *newest);
  if (!s.ok()) return from_status(s, "write the version bound");
  return {};
}

} // namespace troupe::mvcc
