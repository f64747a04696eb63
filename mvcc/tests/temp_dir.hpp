#pragma once

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "troupe/mvcc/store.hpp"

namespace troupe::mvcc::test {

/// A fresh directory under $TMPDIR (or /tmp), removed with its contents on
/// destruction.
class temp_dir {
 public:
  temp_dir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl =
      std::string{base != nullptr ? base : "/tmp"} + "/troupe-mvcc-XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr)
      throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] std::string sub(const std::string& name) const {
    return path_ + "/" + name;
  }

 private:
  std::string path_;
};

/// Opens a store in `dir` or fails the test.
inline std::unique_ptr<store> open_store(const std::string& dir,
                                         options opts = {}) {
  opts.path = dir;
  auto s = store::open(opts);
  if (!s) throw std::runtime_error("open failed: " + s.error().message);
  return std::move(*s);
}

/// A store in a fresh temp directory.
struct store_fixture {
  temp_dir dir;
  std::unique_ptr<store> db = open_store(dir.sub("db"));

  /// Commits `writes` on `shard` in one phase at commit_ts; fails the test
  /// on error.
  void put(shard_id shard, std::vector<mutation> writes, timestamp commit_ts,
           txn_id txn = 0) {
    one_phase_request req;
    req.shard = shard;
    req.txn = txn != 0 ? txn : commit_ts + 1000000;
    req.start_ts = commit_ts - 1;
    req.commit_ts = commit_ts;
    req.writes = std::move(writes);
    auto st = db->one_phase_commit(req);
    if (!st) throw std::runtime_error("put failed: " + st.error().message);
  }

  /// Returns the value of `key` at `ts`; "<none>" when absent, "<E:code>"
  /// on error.
  std::string read(shard_id shard, const std::string& key, timestamp ts) {
    auto r = db->get(shard, key, ts);
    if (!r) return std::string{"<E:"} + to_string(r.error().code) + ">";
    return *r ? **r : "<none>";
  }

  /// A prepare request writing `writes`.
  static prepare_request make_prepare(shard_id shard, txn_id txn,
                                      timestamp start_ts,
                                      std::vector<mutation> writes) {
    prepare_request req;
    req.shard = shard;
    req.txn = txn;
    req.start_ts = start_ts;
    req.writes = std::move(writes);
    req.primary_key = req.writes.front().key;
    return req;
  }
};

} // namespace troupe::mvcc::test
