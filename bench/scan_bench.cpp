// What a snapshot scan costs per key as keys gain versions: the bank
// audit scans every account once a second while each account gains a
// version every few seconds (no GC within a run). Results: bench/README.md.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "troupe/mvcc/store.hpp"

namespace mvcc = troupe::mvcc;

namespace {

constexpr std::size_t keys = 2000;
constexpr mvcc::shard_id shard = 1;

/// A store in a fresh directory under /tmp holding `keys` accounts with
/// `versions` versions each (every commit writes all of them), removed
/// with the object.
struct history {
  explicit history(std::size_t versions) {
    char tmpl[] = "/tmp/troupe-scan-bench-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir = tmpl;
    mvcc::options opts;
    opts.path = dir + "/db";
    opts.sync = false;
    auto s = mvcc::store::open(opts);
    if (!s) throw std::runtime_error(s.error().message);
    db = std::move(*s);
    for (std::size_t v = 0; v < versions; ++v) {
      mvcc::one_phase_request req;
      req.shard = shard;
      req.txn = v + 1;
      req.start_ts = 2 * v + 1;
      req.commit_ts = 2 * v + 2;
      for (std::size_t k = 0; k < keys; ++k) {
        char key[32];
        std::snprintf(key, sizeof key, "account/%06zu", k);
        req.writes.push_back(mvcc::mutation::put(key, std::to_string(v)));
      }
      if (auto st = db->one_phase_commit(req); !st)
        throw std::runtime_error(st.error().message);
      last_ts = req.commit_ts;
    }
  }
  ~history() {
    db.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::string dir;
  std::unique_ptr<mvcc::store> db;
  mvcc::timestamp last_ts = 0;
};

/// Scans every key at the newest timestamp (what an audit does): each key
/// yields its newest version and skips all older ones.
void scan_newest(benchmark::State& state) {
  history h{static_cast<std::size_t>(state.range(0))};
  for (auto _ : state) {
    auto rows = h.db->scan(shard, mvcc::key_range{}, h.last_ts + 1);
    if (!rows || rows->size() != keys) {
      state.SkipWithError("scan failed");
      break;
    }
    benchmark::DoNotOptimize(rows);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(keys));
}

/// Scans at the oldest timestamp: each key steps over every newer version
/// first.
void scan_oldest(benchmark::State& state) {
  history h{static_cast<std::size_t>(state.range(0))};
  for (auto _ : state) {
    auto rows = h.db->scan(shard, mvcc::key_range{}, 2);
    if (!rows || rows->size() != keys) {
      state.SkipWithError("scan failed");
      break;
    }
    benchmark::DoNotOptimize(rows);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(keys));
}

} // namespace

BENCHMARK(scan_newest)
  ->Arg(1)
  ->Arg(4)
  ->Arg(16)
  ->Arg(17)
  ->Arg(32)
  ->Arg(64)
  ->Unit(benchmark::kMicrosecond);
BENCHMARK(scan_oldest)->Arg(4)->Arg(32)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
