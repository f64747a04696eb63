// What one participant's share of a two-phase bank transfer costs the
// store: prepare (an account and a new journal entry), then commit, one
// after the other on one thread, sync off (CPU, not the disk). Run long
// enough for the memtables to grow and flush, so that the figure includes
// what a flush costs. Results: bench/README.md.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>

#include "troupe/mvcc/store.hpp"

namespace mvcc = troupe::mvcc;

namespace {

constexpr std::uint32_t accounts = 10000;

std::string account(std::uint32_t i) {
  char key[32];
  std::snprintf(key, sizeof key, "acct/%05u", i);
  return key;
}

void prepare_commit(benchmark::State& state) {
  char tmpl[] = "/tmp/troupe-participant-bench-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    state.SkipWithError("mkdtemp failed");
    return;
  }
  std::string dir = tmpl;
  {
    mvcc::options opts;
    opts.path = dir + "/db";
    opts.sync = false;
    auto s = mvcc::store::open(opts);
    if (!s) {
      state.SkipWithError(s.error().message.c_str());
      return;
    }
    auto& db = **s;
    std::mt19937 rng{1};
    std::uniform_int_distribution<std::uint32_t> pick{0, accounts - 1};
    mvcc::timestamp ts = 1;
    mvcc::txn_id txn = 0;
    for (auto _ : state) {
      ++txn;
      mvcc::prepare_request req;
      req.shard = 1 + txn % 64;
      req.txn = txn;
      req.start_ts = ts++;
      auto acct = account(pick(rng));
      req.writes = {
        mvcc::mutation::put(acct, "1000"),
        mvcc::mutation::put("journal/" + acct + "/" + std::to_string(txn),
                            "-1 to acct/00042")};
      req.primary_key = acct;
      req.coordinator = "n1";
      if (auto st = db.prepare(req); !st) {
        state.SkipWithError(st.error().message.c_str());
        break;
      }
      if (auto st = db.commit(req.shard, txn, ts++); !st) {
        state.SkipWithError(st.error().message.c_str());
        break;
      }
    }
    state.SetItemsProcessed(state.iterations());
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

} // namespace

BENCHMARK(prepare_commit)
  ->Iterations(400000)
  ->Unit(benchmark::kMicrosecond)
  ->MeasureProcessCPUTime()
  ->UseRealTime();

BENCHMARK_MAIN();
