// Read validation of serializable transactions, and metadata entries: small
// durable records outside every shard (the timestamp oracle's high-water mark,
// the coordinator's decision log), written through the group writer like any
// transaction.
#include "troupe/mvcc/store.hpp"

#include <rocksdb/iterator.h>

#include "key_codec.hpp"
#include "rocks_status.hpp"
#include "store_impl.hpp"

namespace troupe::mvcc {

namespace {

/// Metadata keys live in the default family next to the store's own
/// record ("meta"); the prefix keeps them apart from it.
const std::string user_prefix = "u:";

status check_meta_key(const std::string& key, const options& opts) {
  if (key.empty())
    return error{errc::invalid_argument, "empty metadata key", {}, 0, 0};
  if (key.size() > opts.max_key_bytes)
    return error{errc::key_too_large,
                 "metadata key of " + std::to_string(key.size()) + " bytes",
                 key.substr(0, 64), 0, 0};
  return {};
}

} // namespace

status store::impl::index_meta() {
  std::unique_ptr<rocksdb::Iterator> it{
    db_->NewIterator(iteration_options(), cf(family::meta))};
  std::set<std::string> keys;
  for (it->Seek(user_prefix); it->Valid() && it->key().starts_with(user_prefix);
       it->Next())
    keys.insert(it->key().ToString().substr(user_prefix.size()));
  if (!it->status().ok())
    return from_status(it->status(), "index metadata keys");
  std::lock_guard<std::mutex> guard{meta_mtx_};
  meta_keys_ = std::move(keys);
  return {};
}

completion store::impl::meta_indexing(std::string key, bool erased,
                                      completion done) {
  return
    [this, key = std::move(key), erased, done = std::move(done)](status st) {
      if (st) {
        std::lock_guard<std::mutex> guard{meta_mtx_};
        if (erased)
          meta_keys_.erase(key);
        else
          meta_keys_.insert(key);
      }
      done(std::move(st));
    };
}

void store::put_meta_async(const std::string& key, const std::string& value,
                           completion done) {
  if (auto st = check_meta_key(key, impl_->opts_); !st) return done(st);
  if (value.size() > impl_->opts_.max_value_bytes)
    return done(
      error{errc::value_too_large,
            "metadata value of " + std::to_string(value.size()) + " bytes", key,
            0, 0});
  write_request w;
  w.ops.push_back({family::meta, false, user_prefix + key, value});
  w.done = impl_->meta_indexing(key, false, std::move(done));
  impl_->writer_->submit(std::move(w));
}

void store::erase_meta_async(const std::string& key, completion done) {
  if (auto st = check_meta_key(key, impl_->opts_); !st) return done(st);
  write_request w;
  w.ops.push_back({family::meta, true, user_prefix + key, {}});
  w.done = impl_->meta_indexing(key, true, std::move(done));
  impl_->writer_->submit(std::move(w));
}

status store::put_meta(const std::string& key, const std::string& value) {
  return wait_for([&](completion done) { put_meta_async(key, value, done); });
}

status store::erase_meta(const std::string& key) {
  return wait_for([&](completion done) { erase_meta_async(key, done); });
}

result<std::optional<std::string>> store::get_meta(const std::string& key) {
  std::string bytes;
  auto s = impl_->db_->Get(rocksdb::ReadOptions{}, impl_->cf(family::meta),
                           user_prefix + key, &bytes);
  if (s.IsNotFound()) return std::optional<std::string>{};
  if (!s.ok()) return from_status(s, "read metadata '" + hex_escape(key) + "'");
  return std::optional<std::string>{std::move(bytes)};
}

result<std::vector<key_value>> store::list_meta(const std::string& prefix) {
  std::vector<std::string> keys;
  {
    std::lock_guard<std::mutex> guard{impl_->meta_mtx_};
    for (auto i = impl_->meta_keys_.lower_bound(prefix);
         i != impl_->meta_keys_.end() &&
         i->compare(0, prefix.size(), prefix) == 0;
         ++i)
      keys.push_back(*i);
  }
  std::vector<key_value> out;
  out.reserve(keys.size());
  for (auto& key : keys) {
    auto value = get_meta(key);
    if (!value) return value.error();
    // Erased since the index was read.
    if (*value) out.push_back({std::move(key), std::move(**value)});
  }
  return out;
}

status store::validate_reads(shard_id shard, txn_id txn, timestamp start_ts,
                             const std::vector<std::string>& keys) {
  if (auto st = impl_->check_snapshot(start_ts); !st) return st;
  for (const auto& key : keys) {
    if (auto st = impl_->check_key(key); !st) return st;
    if (auto h = impl_->latches_.find(codec::lock_key(shard, key), UINT64_MAX);
        h && h->txn != txn)
      return locked_error(key, h->txn, h->visible_from);
  }
  if (auto st = impl_->check_conflicts(shard, txn, start_ts, keys, true); !st)
    return st;
  return impl_->check_snapshot(start_ts);
}

} // namespace troupe::mvcc
