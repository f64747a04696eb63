#include "troupe/mvcc/store.hpp"

#include <rocksdb/iterator.h>
#include <rocksdb/memtablerep.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>

#include "key_codec.hpp"
#include "store_impl.hpp"

namespace troupe::mvcc {

namespace {

constexpr const char* meta_key = "meta";

/// Column family names, in `family` order.
const char* const family_names[family_count] = {"default", "versions", "locks",
                                                "txns"};

/// The whole key as the "prefix": a hash memtable then puts each key in its
/// own bucket.
class whole_key final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "troupe.whole_key"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return key;
  }
  bool InDomain(const rocksdb::Slice&) const override { return true; }
};

/// Buckets of a point family's memtable: 8 bytes each, allocated with
/// every memtable; a bucket holds the few entries of one key.
constexpr std::size_t point_family_buckets = 1 << 16;

/// Options of a family read only by key (txns, and meta, whose entries
/// list_meta finds through an index): every prepare writes its transaction
/// record with its intents, every commit reads it back and rewrites it, and
/// every two-phase commit writes and erases its decision, so these take
/// most memtable operations after the versions.
/// A hash memtable makes each of them O(1) instead of a search of a skip
/// list that grows with the memtable (docs/mvcc.md, "Layout"). Iterators over
/// them must ask for total order (iteration_options); the rare scans of these
/// families (open, GC, shard export) pay for a sorted copy of the memtable.
rocksdb::ColumnFamilyOptions point_family_options() {
  rocksdb::ColumnFamilyOptions o;
  o.prefix_extractor = std::make_shared<whole_key>();
  o.memtable_factory.reset(
    rocksdb::NewHashSkipListRepFactory(point_family_buckets));
  return o;
}

/// Column family options, in `family` order.
rocksdb::ColumnFamilyOptions family_options(std::size_t i) {
  auto f = static_cast<family>(i);
  // locks holds intents of format 1 only, read once by the migration.
  return f == family::txns || f == family::meta
           ? point_family_options()
           : rocksdb::ColumnFamilyOptions{};
}

status check_options(const options& opts) {
  if (opts.path.empty())
    return error{errc::invalid_argument, "empty store path", {}, 0, 0};
  if (opts.max_key_bytes == 0 || opts.max_value_bytes == 0)
    return error{errc::invalid_argument, "size limits must be > 0", {}, 0, 0};
  return {};
}

/// Reads the metadata record, writing the initial one into a new store.
result<pb::meta_record> load_meta(rocksdb::DB& db,
                                  rocksdb::ColumnFamilyHandle* cf) {
  std::string bytes;
  auto s = db.Get(rocksdb::ReadOptions{}, cf, meta_key, &bytes);
  if (s.IsNotFound()) {
    // A new store: no versions yet, so a bound of 0.
    pb::meta_record meta;
    meta.set_format_version(store_format);
    s = write_meta_and_bound(db, cf, meta, 0);
    if (!s.ok()) return from_status(s, "write store metadata");
    return meta;
  }
  if (!s.ok()) return from_status(s, "read store metadata");
  auto meta = decode<pb::meta_record>(bytes, meta_key, "metadata");
  if (!meta) return meta.error();
  if (meta->format_version() < 1 || meta->format_version() > store_format)
    return error{errc::invalid_argument,
                 "unknown store format version " +
                   std::to_string(meta->format_version()),
                 {},
                 0,
                 0};
  return meta;
}

/// The version bound of a format 3 store.
result<timestamp> load_version_bound(rocksdb::DB& db,
                                     rocksdb::ColumnFamilyHandle* cf) {
  std::string bytes;
  auto s = db.Get(rocksdb::ReadOptions{}, cf, version_bound_key, &bytes);
  if (!s.ok() && !s.IsNotFound())
    return from_status(s, "read the version bound");
  if (s.IsNotFound() || bytes.size() != 8)
    return error{
      errc::corrupt_record,
      std::string{"store metadata: the version bound ("} + version_bound_key +
        ") is " +
        (s.IsNotFound() ? "missing" : std::to_string(bytes.size()) + " bytes"),
      {},
      0,
      0};
  return codec::get_u64(bytes, 0);
}

} // namespace

result<std::unique_ptr<store>> store::open(const options& opts) {
  if (auto st = check_options(opts); !st) return st.error();
  rocksdb::DBOptions db_opts;
  db_opts.create_if_missing = true;
  db_opts.create_missing_column_families = true;
  // One writer (group_writer) and hash memtables, which take no concurrent
  // inserts.
  db_opts.allow_concurrent_memtable_write = false;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (std::size_t i = 0; i < family_count; ++i)
    descriptors.emplace_back(family_names[i], family_options(i));
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(db_opts, opts.path, descriptors, &handles, &raw);
  if (!s.ok()) return from_status(s, "open store at " + opts.path);
  auto p = std::make_unique<impl>();
  p->opts_ = opts;
  p->db_.reset(raw);
  for (std::size_t i = 0; i < family_count; ++i)
    p->cfs_[i] = handles[i];
  auto meta = load_meta(*p->db_, p->cf(family::meta));
  if (!meta) return meta.error();
  p->safe_point_ = meta->gc_safe_point();
  if (auto st = p->index_meta(); !st) return st.error();
  if (meta->format_version() == 1) {
    if (auto st = p->migrate_intents(*meta); !st) return st.error();
    meta->set_format_version(2);
  }
  if (meta->format_version() == 2)
    if (auto st = p->migrate_version_bound(*meta); !st) return st.error();
  auto bound = load_version_bound(*p->db_, p->cf(family::meta));
  if (!bound) return bound.error();
  p->version_bound_ = *bound;
  p->versions_ = std::make_unique<version_cache>(
    static_cast<std::size_t>(opts.version_cache_bytes), *bound);
  {
    std::unique_ptr<rocksdb::Iterator> it{
      p->db_->NewIterator(iteration_options(), p->cf(family::txns))};
    it->SeekToFirst();
    auto pass = read_txn_index(*it, "index transaction records");
    if (!pass) return pass.error();
    p->index_intents(*pass);
    p->index_unresolved(*pass);
  }
  p->writer_ = std::make_unique<group_writer>(*p->db_, p->cfs_, opts);
  p->scans_ = std::make_unique<scan_pool>(opts.scan_threads);
  return std::unique_ptr<store>{new store(std::move(p))};
}

store::store(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

store::~store() = default;

result<std::optional<std::string>>
store::get(shard_id shard, const std::string& key, timestamp ts) {
  return impl_->get(shard, key, ts);
}

result<std::vector<key_value>> store::scan(shard_id shard,
                                           const key_range& range, timestamp ts,
                                           std::size_t limit,
                                           std::size_t max_bytes) {
  return impl_->scan(shard, range, ts, limit, max_bytes);
}

void store::scan_async(shard_id shard, key_range range, timestamp ts,
                       std::size_t limit, std::size_t max_bytes,
                       scan_completion done) {
  auto* p = impl_.get();
  p->scans_->run([p, shard, range = std::move(range), ts, limit, max_bytes,
                  done = std::move(done)] {
    done(p->scan(shard, range, ts, limit, max_bytes));
  });
}

void store::prepare_async(const prepare_request& req, completion done) {
  impl_->prepare(req, std::move(done));
}

void store::commit_async(shard_id shard, txn_id txn, timestamp commit_ts,
                         completion done) {
  impl_->commit(shard, txn, commit_ts, std::move(done));
}

void store::abort_async(shard_id shard, txn_id txn, timestamp start_ts,
                        completion done) {
  impl_->abort(shard, txn, start_ts, std::move(done));
}

void store::one_phase_commit_async(const one_phase_request& req,
                                   completion done) {
  impl_->one_phase_commit(req, std::move(done));
}

status store::prepare(const prepare_request& req) {
  return wait_for([&](completion done) { prepare_async(req, done); });
}

status store::commit(shard_id shard, txn_id txn, timestamp commit_ts) {
  return wait_for(
    [&](completion done) { commit_async(shard, txn, commit_ts, done); });
}

void store::precommit_async(shard_id shard, txn_id txn, timestamp commit_ts,
                            completion done) {
  impl_->precommit(shard, txn, commit_ts, std::move(done));
}

status store::precommit(shard_id shard, txn_id txn, timestamp commit_ts) {
  return wait_for(
    [&](completion done) { precommit_async(shard, txn, commit_ts, done); });
}

status store::abort(shard_id shard, txn_id txn, timestamp start_ts) {
  return wait_for(
    [&](completion done) { abort_async(shard, txn, start_ts, done); });
}

status store::one_phase_commit(const one_phase_request& req) {
  return wait_for([&](completion done) { one_phase_commit_async(req, done); });
}

result<std::vector<prepared_txn>>
store::list_prepared(std::optional<shard_id> shard) {
  return impl_->list_prepared(shard);
}

result<txn_outcome> store::outcome(shard_id shard, txn_id txn) {
  auto rec = impl_->read_txn(shard, txn);
  if (!rec) return rec.error();
  txn_outcome out;
  if (!*rec) return out;
  const auto& r = **rec;
  out.start_ts = r.start_ts();
  out.commit_ts = r.commit_ts();
  switch (r.status()) {
  case pb::txn_record::PREPARED:
    out.status = txn_outcome::state::prepared;
    break;
  case pb::txn_record::COMMITTED:
    out.status = txn_outcome::state::committed;
    break;
  case pb::txn_record::PRECOMMITTED:
    out.status = txn_outcome::state::precommitted;
    break;
  default:
    out.status = txn_outcome::state::aborted;
    break;
  }
  return out;
}

timestamp store::safe_point() const {
  return impl_->safe_point_.load();
}

store_stats store::stats() const {
  return impl_->writer_->stats();
}

const options& store::opts() const {
  return impl_->opts_;
}

} // namespace troupe::mvcc
