// Garbage collection below a safe point (docs/mvcc.md, "GC").
#include <rocksdb/iterator.h>

#include "key_codec.hpp"
#include "store_impl.hpp"

namespace troupe::mvcc {

namespace {

/// Deletes are written in chunks of this many keys.
constexpr std::size_t gc_chunk = 1024;

} // namespace

status store::impl::write_all(std::vector<write_op>& ops) {
  if (ops.empty()) return {};
  write_request w;
  w.ops = std::move(ops);
  ops.clear();
  return wait_for([&](completion done) {
    w.done = std::move(done);
    writer_->submit(std::move(w));
  });
}

result<gc_stats> store::impl::gc(timestamp sp) {
  gc_stats stats;
  if (sp <= safe_point_.load()) return stats;
  // Durable first: after a crash, reads below `sp` must still be refused
  // because some of what they need may already be gone.
  pb::meta_record meta;
  meta.set_format_version(store_format);
  meta.set_gc_safe_point(sp);
  std::vector<write_op> ops{{family::meta, false, "meta", encode(meta)}};
  if (auto st = write_all(ops); !st) return st.error();
  safe_point_ = sp;

  // Versions: newest first per key. Keep everything above sp and the
  // newest at or below it unless that one is a tombstone; drop the rest.
  // Versions written from now on have commit_ts > sp, so they never change
  // which version is the newest at or below it.
  std::unique_ptr<rocksdb::Iterator> it{
    db_->NewIterator(iteration_options(), cf(family::versions))};
  std::string current; // encoded user key prefix of the group
  bool kept_below = false;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto decoded = codec::decode(it->key().ToStringView(), true);
    if (!decoded)
      return key_error(errc::corrupt_record, it->key().ToString(),
                       "malformed version key");
    auto prefix = it->key().ToString().substr(0, decoded->user_end);
    if (prefix != current) {
      current = std::move(prefix);
      kept_below = false;
    }
    if (decoded->commit_ts > sp) continue;
    bool drop = kept_below;
    if (!kept_below) {
      kept_below = true;
      auto rec = decode<pb::version_record>(it->value().ToStringView(),
                                            decoded->user_key, "version");
      if (!rec) return rec.error();
      drop = rec->tombstone();
      if (drop) ++stats.tombstones_removed;
    }
    if (!drop) continue;
    ++stats.versions_removed;
    ops.push_back({family::versions, true, it->key().ToString(), {}});
    if (ops.size() >= gc_chunk)
      if (auto st = write_all(ops); !st) return st.error();
  }
  if (!it->status().ok()) return from_status(it->status(), "gc versions");

  // Outcome records: a commit at or below sp, an abort whose start_ts is
  // below sp (prepares below the safe point are refused, so the abort no
  // longer needs to fence one). Prepare records stay until resolved.
  std::unique_ptr<rocksdb::Iterator> txns{
    db_->NewIterator(iteration_options(), cf(family::txns))};
  for (txns->SeekToFirst(); txns->Valid(); txns->Next()) {
    auto rec = decode<pb::txn_record>(txns->value().ToStringView(),
                                      txns->key().ToString(), "transaction");
    if (!rec) return rec.error();
    bool drop =
      (rec->status() == pb::txn_record::COMMITTED && rec->commit_ts() <= sp) ||
      (rec->status() == pb::txn_record::ABORTED && rec->start_ts() < sp);
    if (!drop) continue;
    ++stats.txn_records_removed;
    ops.push_back({family::txns, true, txns->key().ToString(), {}});
    if (ops.size() >= gc_chunk)
      if (auto st = write_all(ops); !st) return st.error();
  }
  if (!txns->status().ok()) return from_status(txns->status(), "gc txns");
  if (auto st = write_all(ops); !st) return st.error();
  return stats;
}

result<gc_stats> store::gc(timestamp safe_point) {
  return impl_->gc(safe_point);
}

} // namespace troupe::mvcc
