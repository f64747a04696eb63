#include "troupe/mvcc/storage_bench.hpp"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>

#include <rocksdb/db.h>
#include <rocksdb/statistics.h>

#include "rocks_status.hpp"
#include "troupe/mvcc/store.hpp"

namespace troupe::mvcc {

namespace {

namespace fs = std::filesystem;
using bench_clock = std::chrono::steady_clock;

constexpr int bench_rounds = 4;

double ratio_of(std::uint64_t a, std::uint64_t b) {
  return b == 0 ? 0 : static_cast<double>(a) / static_cast<double>(b);
}

/// Result of running `body(thread index, stop flag)` on `n` threads for
/// `seconds`: operations done and the elapsed time.
struct timed_run {
  std::uint64_t ops = 0;
  double elapsed_s = 0;
  std::optional<error> failure;
};

template <class Body>
timed_run run_threads(std::uint32_t n, double seconds, Body body) {
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> ops{0};
  std::mutex failure_mtx;
  timed_run out;
  std::vector<std::thread> pool;
  auto start = bench_clock::now();
  for (std::uint32_t t = 0; t < n; ++t) {
    pool.emplace_back([&, t] {
      std::uint64_t mine = 0;
      for (std::uint64_t i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        if (auto st = body(t, i); !st) {
          std::lock_guard<std::mutex> guard{failure_mtx};
          out.failure = st.error();
          stop = true;
          break;
        }
        ++mine;
      }
      ops += mine;
    });
  }
  // Timing, not synchronisation: the measurement window.
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& th : pool)
    th.join();
  out.elapsed_s =
    std::chrono::duration<double>(bench_clock::now() - start).count();
  out.ops = ops.load();
  return out;
}

std::string bench_key(int round, std::uint32_t thread, std::uint64_t i) {
  return "r" + std::to_string(round) + "w" + std::to_string(thread) + "-" +
         std::to_string(i);
}

/// Measures both engines at one writer count. The time is split into
/// alternating rounds (mvcc, rocksdb, mvcc, ...) so that both see the same
/// background load on a shared machine.
status run_level(const storage_bench_config& cfg, std::uint32_t n,
                 const std::string& mvcc_dir, const std::string& raw_dir,
                 storage_bench_row& row) {
  options opts;
  opts.path = mvcc_dir;
  auto store_or = store::open(opts);
  if (!store_or) return store_or.error();
  auto& db = **store_or;
  rocksdb::Options o;
  o.create_if_missing = true;
  o.statistics = rocksdb::CreateDBStatistics();
  rocksdb::DB* raw_ptr = nullptr;
  auto s = rocksdb::DB::Open(o, raw_dir, &raw_ptr);
  if (!s.ok()) return from_status(s, "open " + raw_dir);
  std::unique_ptr<rocksdb::DB> raw{raw_ptr};

  std::string value(cfg.value_bytes, 'v');
  std::atomic<timestamp> oracle{1};
  rocksdb::WriteOptions wo;
  wo.sync = true;
  double mvcc_s = 0, raw_s = 0;
  std::uint64_t raw_ops = 0;
  double slice = cfg.seconds / bench_rounds;
  for (int round = 0; round < bench_rounds; ++round) {
    auto m = run_threads(n, slice, [&](std::uint32_t t, std::uint64_t i) {
      one_phase_request req;
      req.shard = t % 16;
      req.txn = oracle.fetch_add(1);
      req.start_ts = req.txn;
      req.commit_ts = oracle.fetch_add(1);
      req.writes = {mutation::put(bench_key(round, t, i), value)};
      return db.one_phase_commit(req);
    });
    if (m.failure) return *m.failure;
    mvcc_s += m.elapsed_s;
    auto r =
      run_threads(n, slice, [&](std::uint32_t t, std::uint64_t i) -> status {
        auto st = raw->Put(wo, bench_key(round, t, i), value);
        if (!st.ok()) return from_status(st, "raw put");
        return {};
      });
    if (r.failure) return *r.failure;
    raw_s += r.elapsed_s;
    raw_ops += r.ops;
  }
  auto stats = db.stats();
  row.mvcc_commits = stats.commits;
  row.mvcc_commits_per_s = static_cast<double>(stats.commits) / mvcc_s;
  row.fsyncs_per_commit = ratio_of(stats.synced_writes, stats.commits);
  row.rocksdb_puts = raw_ops;
  row.rocksdb_puts_per_s = static_cast<double>(raw_ops) / raw_s;
  row.rocksdb_fsyncs_per_put =
    ratio_of(o.statistics->getTickerCount(rocksdb::WAL_FILE_SYNCED), raw_ops);
  return {};
}

status check_config(const storage_bench_config& cfg) {
  auto bad = [](std::string what) {
    return error{errc::invalid_argument, std::move(what), {}, 0, 0};
  };
  if (cfg.writers.empty()) return bad("no writer counts");
  for (auto n : cfg.writers)
    if (n == 0) return bad("writer count 0");
  if (!(cfg.seconds > 0)) return bad("seconds must be > 0");
  std::error_code ec;
  if (!fs::is_directory(cfg.dir, ec)) return bad("no directory " + cfg.dir);
  return {};
}

} // namespace

result<std::vector<storage_bench_row>>
run_storage_bench(const storage_bench_config& cfg,
                  const std::function<void(const storage_bench_row&)>& on_row) {
  if (auto st = check_config(cfg); !st) return st.error();
  std::vector<storage_bench_row> rows;
  for (auto n : cfg.writers) {
    storage_bench_row row;
    row.writers = n;
    auto mvcc_dir =
      (fs::path{cfg.dir} / ("mvcc-" + std::to_string(n))).string();
    auto raw_dir =
      (fs::path{cfg.dir} / ("rocksdb-" + std::to_string(n))).string();
    auto st = run_level(cfg, n, mvcc_dir, raw_dir, row);
    std::error_code ec;
    fs::remove_all(mvcc_dir, ec);
    fs::remove_all(raw_dir, ec);
    if (!st) return st.error();
    row.ratio = row.rocksdb_puts_per_s == 0
                  ? 0
                  : row.mvcc_commits_per_s / row.rocksdb_puts_per_s;
    if (on_row) on_row(row);
    rows.push_back(row);
  }
  return rows;
}

} // namespace troupe::mvcc
