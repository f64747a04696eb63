#include "store_impl.hpp"

#include <algorithm>
#include <future>
#include <set>

#include <rocksdb/iterator.h>

#include "key_codec.hpp"

namespace troupe::mvcc {

store::impl::~impl() {
  if (scans_) scans_->stop();
  if (writer_) writer_->stop();
  for (auto* h : cfs_)
    if (h != nullptr && db_)
      static_cast<void>(db_->DestroyColumnFamilyHandle(h));
}

status store::impl::check_key(const std::string& key) const {
  if (key.size() > opts_.max_key_bytes)
    return key_error(errc::key_too_large, key.substr(0, 64),
                     std::to_string(key.size()) + " bytes, limit " +
                       std::to_string(opts_.max_key_bytes));
  return {};
}

status store::impl::check_writes(const std::vector<mutation>& writes,
                                 const std::vector<std::string>& reads,
                                 txn_id txn, timestamp start_ts) const {
  if (txn == 0 || start_ts == 0)
    return error{
      errc::invalid_argument, "txn id and start ts must be > 0", {}, 0, 0};
  if (writes.empty())
    return error{errc::invalid_argument, "empty write set", {}, 0, 0};
  std::set<std::string_view> seen;
  for (const auto& m : writes) {
    if (auto st = check_key(m.key); !st) return st;
    if (m.value && m.value->size() > opts_.max_value_bytes)
      return key_error(errc::value_too_large, m.key,
                       "value of " + std::to_string(m.value->size()) +
                         " bytes, limit " +
                         std::to_string(opts_.max_value_bytes));
    if (!seen.insert(m.key).second)
      return key_error(errc::invalid_argument, m.key,
                       "written twice in one write set");
  }
  for (const auto& k : reads)
    if (auto st = check_key(k); !st) return st;
  return check_snapshot(start_ts);
}

status store::impl::check_snapshot(timestamp ts) const {
  auto sp = safe_point_.load();
  if (ts < sp)
    return error{errc::timestamp_too_old,
                 "timestamp " + std::to_string(ts) +
                   " is below the GC safe point " + std::to_string(sp),
                 {},
                 sp,
                 0};
  return {};
}

void store::impl::note_read(shard_id shard, timestamp ts) {
  std::lock_guard<std::mutex> guard{read_ts_mtx_};
  auto& max = max_read_ts_[shard];
  if (ts > max) max = ts;
}

timestamp store::impl::max_read(shard_id shard) {
  std::lock_guard<std::mutex> guard{read_ts_mtx_};
  auto i = max_read_ts_.find(shard);
  return i == max_read_ts_.end() ? 0 : i->second;
}

result<std::optional<intent_holder>>
store::impl::read_lock(shard_id shard, const std::string& key) const {
  auto lock_key = codec::lock_key(shard, key);
  std::vector<txn_id> holders;
  {
    std::lock_guard<std::mutex> guard{intents_mtx_};
    if (auto st = unknown_intents_locked(shard); !st) return st.error();
    auto i = intents_.find(lock_key);
    if (i == intents_.end()) return std::optional<intent_holder>{};
    holders = i->second;
  }
  for (auto txn : holders) {
    auto found = confirm_intent(shard, key, txn, nullptr);
    if (!found || *found) return found;
  }
  return std::optional<intent_holder>{};
}

result<std::optional<intent_holder>>
store::impl::confirm_intent(shard_id shard, const std::string& key, txn_id txn,
                            const rocksdb::Snapshot* snap) const {
  auto rec = read_txn(shard, txn, snap);
  if (!rec) return rec.error();
  const auto& r = *rec;
  if (!r || !holds_intents(*r)) return std::optional<intent_holder>{};
  for (const auto& w : r->writes())
    if (w.key() == key)
      return std::optional<intent_holder>{intent_holder{txn, r->start_ts()}};
  return std::optional<intent_holder>{};
}

void store::impl::add_intents(const std::vector<std::string>& lock_keys,
                              txn_id txn) {
  std::lock_guard<std::mutex> guard{intents_mtx_};
  for (const auto& k : lock_keys)
    intents_[k].push_back(txn);
}

void store::impl::drop_intents(const std::vector<std::string>& lock_keys,
                               txn_id txn) {
  std::lock_guard<std::mutex> guard{intents_mtx_};
  for (const auto& k : lock_keys) {
    auto i = intents_.find(k);
    if (i == intents_.end()) continue;
    auto& holders = i->second;
    if (auto h = std::find(holders.begin(), holders.end(), txn);
        h != holders.end())
      holders.erase(h);
    if (holders.empty()) intents_.erase(i);
  }
}

std::vector<std::pair<std::string, txn_id>>
store::impl::intents_in_locked(const std::string& lo,
                               const std::string& hi) const {
  std::vector<std::pair<std::string, txn_id>> out;
  for (auto i = intents_.lower_bound(lo);
       i != intents_.end() && (hi.empty() || i->first < hi); ++i)
    for (auto txn : i->second)
      out.emplace_back(i->first, txn);
  return out;
}

status store::impl::unknown_intents_locked(shard_id shard) const {
  if (unknown_intents_.empty()) return {};
  for (auto owner :
       {std::optional<shard_id>{shard}, std::optional<shard_id>{}}) {
    auto i = unknown_intents_.find(owner);
    if (i != unknown_intents_.end())
      return error{errc::corrupt_record,
                   "shard " + std::to_string(shard) +
                     " has an unreadable transaction record (key '" +
                     hex_escape(i->second) + "'): its intents are unknown",
                   {},
                   0,
                   0};
  }
  return {};
}

result<std::optional<found_version>>
store::impl::read_version(shard_id shard, const std::string& key, timestamp ts,
                          const rocksdb::Snapshot* snap) const {
  auto upper = codec::after_versions(shard, key);
  rocksdb::Slice upper_slice{upper};
  auto ro = iteration_options();
  ro.snapshot = snap;
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it{
    db_->NewIterator(ro, cf(family::versions))};
  it->Seek(codec::version_key(shard, key, ts));
  if (!it->Valid()) {
    if (!it->status().ok())
      return from_status(it->status(),
                         "read versions of key '" + hex_escape(key) + "'");
    return std::optional<found_version>{};
  }
  auto decoded = codec::decode(it->key().ToStringView(), true);
  if (!decoded || decoded->user_key != key)
    return key_error(errc::corrupt_record, key, "malformed version key");
  auto rec =
    decode<pb::version_record>(it->value().ToStringView(), key, "version");
  if (!rec) return rec.error();
  return std::optional<found_version>{
    found_version{decoded->commit_ts, std::move(*rec)}};
}

result<std::optional<found_version>>
store::impl::version_above(shard_id shard, const std::string& key,
                           timestamp ts) const {
  auto seen = versions_->find(codec::lock_key(shard, key));
  if (seen.newest) {
    if (seen.newest->commit_ts <= ts) return std::optional<found_version>{};
    found_version out;
    out.commit_ts = seen.newest->commit_ts;
    out.record.set_txn_id(seen.newest->txn);
    out.record.set_tombstone(seen.newest->tombstone);
    return std::optional<found_version>{std::move(out)};
  }
  if (seen.floor <= ts) return std::optional<found_version>{};
  auto newest = read_version(shard, key, UINT64_MAX);
  if (!newest) return newest.error();
  if (*newest && (*newest)->commit_ts <= ts)
    return std::optional<found_version>{};
  return newest;
}

result<std::optional<pb::txn_record>>
store::impl::read_txn(shard_id shard, txn_id txn,
                      const rocksdb::Snapshot* snap) const {
  rocksdb::ReadOptions ro;
  ro.snapshot = snap;
  std::string bytes;
  auto s = db_->Get(ro, cf(family::txns), codec::txn_key(shard, txn), &bytes);
  if (s.IsNotFound()) return std::optional<pb::txn_record>{};
  auto name =
    "txn " + std::to_string(txn) + " of shard " + std::to_string(shard);
  if (!s.ok()) return from_status(s, "read record of " + name);
  auto rec = decode<pb::txn_record>(bytes, name, "transaction");
  if (!rec) return rec.error();
  return std::optional<pb::txn_record>{std::move(*rec)};
}

error locked_error(const std::string& key, txn_id holder, timestamp since) {
  auto e = key_error(errc::locked, key,
                     "locked by txn " + std::to_string(holder) + " (start ts " +
                       std::to_string(since) + ")");
  e.txn = holder;
  e.ts = since;
  return e;
}

status wait_for(const std::function<void(completion)>& start) {
  std::promise<status> done;
  auto result = done.get_future();
  leader_scope lead; // this thread waits anyway, so it may write the group
  start([&done](status s) { done.set_value(std::move(s)); });
  return result.get();
}

} // namespace troupe::mvcc
