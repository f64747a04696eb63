#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "troupe/mvcc/error.hpp"

namespace troupe::mvcc {

/// What `run_storage_bench` measures.
struct storage_bench_config {
  std::vector<std::uint32_t> writers{1, 8, 32}; ///< concurrency levels
  double seconds = 2.0;                         ///< per level and engine
  std::string dir; ///< existing directory for the databases
  std::size_t value_bytes = 100;
};

/// One concurrency level: durable one-phase commits through the store next
/// to raw RocksDB `Put` with sync=true from as many threads.
struct storage_bench_row {
  std::uint32_t writers = 0;
  double mvcc_commits_per_s = 0;
  double rocksdb_puts_per_s = 0;
  double ratio = 0;                  ///< mvcc / rocksdb
  double fsyncs_per_commit = 0;      ///< store's synced writes per commit
  double rocksdb_fsyncs_per_put = 0; ///< RocksDB's WAL syncs per raw put
  std::uint64_t mvcc_commits = 0;
  std::uint64_t rocksdb_puts = 0;
};

/// Runs the storage benchmark: for each writer count, N threads each doing
/// blocking one-phase commits (one key, `value_bytes`) on a fresh store,
/// and N threads doing raw synced RocksDB puts on a fresh database, each
/// for `seconds` in total, split into alternating rounds so that both see
/// the same background load. Databases live in fresh subdirectories of
/// `cfg.dir`, removed after each measurement. Calls `on_row` after each
/// level. Errors: invalid_argument (no writers, a zero count, seconds <= 0,
/// `dir` missing), io_error, and any error of a commit.
[[nodiscard]] result<std::vector<storage_bench_row>> run_storage_bench(
  const storage_bench_config& cfg,
  const std::function<void(const storage_bench_row&)>& on_row = {});

} // namespace troupe::mvcc
