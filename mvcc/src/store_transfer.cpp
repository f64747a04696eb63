// Export and ingest of one shard's data (docs/mvcc.md, "Moving a shard").
// An export is a directory: one SST file per non-empty column family, named
// after it, plus `export.txt` naming the shard and the record count.
#include <filesystem>
#include <fstream>

#include <rocksdb/iterator.h>
#include <rocksdb/sst_file_reader.h>
#include <rocksdb/sst_file_writer.h>

#include "key_codec.hpp"
#include "store_impl.hpp"

namespace troupe::mvcc {

namespace {

namespace fs = std::filesystem;

/// The column families a shard's data lives in, with their file names.
constexpr std::pair<family, const char*> shard_families[] = {
  {family::versions, "versions.sst"},
  {family::txns, "txns.sst"},
};

/// The intents of a format 1 store's export (docs/mvcc.md, "Layout").
constexpr const char* format_1_intents = "locks.sst";

constexpr const char* manifest_name = "export.txt";
constexpr const char* manifest_head = "troupe mvcc shard export v1";

error file_error(const std::string& what, const std::string& path) {
  return error{errc::io_error, what + " " + path, {}, 0, 0};
}

} // namespace

result<std::uint64_t> store::impl::export_shard(shard_id shard,
                                                const std::string& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_empty(dir, ec))
    return error{errc::invalid_argument,
                 "export directory is not empty: " + dir,
                 {},
                 0,
                 0};
  if (!fs::create_directories(dir, ec) && ec)
    return file_error("cannot create directory", dir);
  auto lo = codec::shard_prefix(shard);
  auto hi = codec::shard_end(shard);
  rocksdb::Slice hi_slice{hi};
  snapshot_guard snap{*db_};
  auto ro = iteration_options();
  ro.snapshot = snap.get();
  if (!hi.empty()) ro.iterate_upper_bound = &hi_slice;

  std::uint64_t total = 0;
  for (auto [f, name] : shard_families) {
    std::unique_ptr<rocksdb::Iterator> it{db_->NewIterator(ro, cf(f))};
    it->Seek(lo);
    if (!it->Valid()) {
      if (!it->status().ok()) return from_status(it->status(), "export");
      continue; // SstFileWriter cannot finish an empty file
    }
    auto path = (fs::path{dir} / name).string();
    rocksdb::SstFileWriter writer{rocksdb::EnvOptions{}, rocksdb::Options{},
                                  cf(f)};
    auto s = writer.Open(path);
    for (; s.ok() && it->Valid(); it->Next()) {
      s = writer.Put(it->key(), it->value());
      ++total;
    }
    if (s.ok()) s = it->status();
    if (s.ok()) s = writer.Finish();
    if (!s.ok()) return from_status(s, "export to " + path);
  }
  std::ofstream manifest{fs::path{dir} / manifest_name};
  manifest << manifest_head << "\nshard " << shard << "\nrecords " << total
           << '\n';
  manifest.close();
  if (!manifest) return file_error("cannot write", dir + "/" + manifest_name);
  return total;
}

status store::impl::ingest_shard(shard_id shard, const std::string& dir) {
  std::ifstream manifest{fs::path{dir} / manifest_name};
  std::string head, word;
  shard_id exported = 0;
  if (!std::getline(manifest, head) || head != manifest_head ||
      !(manifest >> word >> exported) || word != "shard")
    return error{errc::invalid_argument, "no shard export in " + dir, {}, 0, 0};
  if (exported != shard)
    return error{errc::invalid_argument,
                 dir + " holds shard " + std::to_string(exported) +
                   ", not shard " + std::to_string(shard),
                 {},
                 0,
                 0};
  auto lo = codec::shard_prefix(shard);
  auto hi = codec::shard_end(shard);
  for (auto [f, name] : shard_families) {
    std::unique_ptr<rocksdb::Iterator> it{
      db_->NewIterator(iteration_options(), cf(f))};
    it->Seek(lo);
    if (it->Valid() && (hi.empty() || it->key().compare(hi) < 0))
      return error{errc::shard_not_empty,
                   "shard " + std::to_string(shard) + " already holds data",
                   {},
                   0,
                   0};
    if (!it->status().ok()) return from_status(it->status(), "ingest check");
  }
  if (fs::exists(fs::path{dir} / format_1_intents))
    return error{errc::invalid_argument,
                 dir + " is an export of store format 1 with intents (" +
                   format_1_intents +
                   "): open that store with this version first, which "
                   "migrates them, and export again",
                 {},
                 0,
                 0};
  // Checks every file before ingesting any, so that a bad one leaves the
  // shard empty.
  std::vector<std::pair<family, std::string>> files;
  std::optional<txn_index_pass> txns; // of txns.sst
  timestamp newest = 0;               // commit ts in versions.sst
  for (auto [f, name] : shard_families) {
    auto path = (fs::path{dir} / name).string();
    if (!fs::exists(path)) continue;
    // Every key must belong to the shard; an SST is sorted, so checking the
    // first and last key is enough.
    rocksdb::SstFileReader reader{rocksdb::Options{}};
    auto s = reader.Open(path);
    if (!s.ok()) return from_status(s, "open " + path);
    std::unique_ptr<rocksdb::Iterator> it{
      reader.NewIterator(rocksdb::ReadOptions{})};
    it->SeekToFirst();
    bool first_ok = it->Valid() && it->key().starts_with(lo);
    it->SeekToLast();
    if (!first_ok || !it->Valid() || !it->key().starts_with(lo))
      return error{errc::invalid_argument,
                   path + " holds keys outside shard " + std::to_string(shard),
                   {},
                   0,
                   0};
    if (f == family::txns) {
      it->SeekToFirst();
      auto pass = read_txn_index(*it, "read " + path);
      if (!pass) return pass.error();
      txns = std::move(*pass);
    }
    if (f == family::versions) {
      auto found = newest_commit_ts(*it, "read " + path);
      if (!found) return found.error();
      newest = *found;
    }
    files.emplace_back(f, std::move(path));
  }
  // Intents are indexed before they land: reads must never find an intent
  // the index lacks (if an ingest fails below, the extra entries are
  // harmless). Unresolved transactions after: list_prepared drops an entry
  // whose record it does not find.
  if (txns) index_intents(*txns);
  // The bound covers the new versions before they land, and the version
  // cache's floor with it (and it drops its entries: this shard's keys
  // may have entries that the ingested versions are newer than).
  if (auto st = raise_version_bound(newest); !st) return st;
  for (const auto& [f, path] : files) {
    rocksdb::IngestExternalFileOptions io;
    io.move_files = false;
    auto s = db_->IngestExternalFile(cf(f), {path}, io);
    if (!s.ok()) return from_status(s, "ingest " + path);
  }
  if (txns) index_unresolved(*txns);
  return {};
}

result<std::uint64_t> store::export_shard(shard_id shard,
                                          const std::string& dir) {
  return impl_->export_shard(shard, dir);
}

status store::ingest_shard(shard_id shard, const std::string& dir) {
  return impl_->ingest_shard(shard, dir);
}

} // namespace troupe::mvcc
