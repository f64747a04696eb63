// troupe bench <name> ...: benchmarks users run on their own machines.
//   troupe bench storage [--writers 1,8,32] [--seconds S] [--dir DIR] [--json]
//   troupe bench bank ... (cmd_bench_bank.cpp)
// Each benchmark is one add_*_bench function below, registered in
// add_bench_command.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>

#include <fmt/format.h>
#ifdef TROUPE_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "troupe/mvcc/storage_bench.hpp"

namespace troupe::app {

namespace {

namespace fs = std::filesystem;

/// A fresh directory inside `parent`, removed with its contents on exit.
class scratch_dir {
 public:
  explicit scratch_dir(const std::string& parent) {
    auto tmpl = (fs::path{parent} / "troupe-bench-XXXXXX").string();
    if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~scratch_dir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct storage_options {
  std::vector<std::uint32_t> writers{1, 8, 32};
  double seconds = 2.0;
  std::string dir;
  bool json = false;
};

nlohmann::ordered_json to_json(const mvcc::storage_bench_row& r) {
  return {{"writers", r.writers},
          {"mvcc_commits_per_s", r.mvcc_commits_per_s},
          {"rocksdb_puts_per_s", r.rocksdb_puts_per_s},
          {"ratio", r.ratio},
          {"fsyncs_per_commit", r.fsyncs_per_commit},
          {"rocksdb_fsyncs_per_put", r.rocksdb_fsyncs_per_put},
          {"mvcc_commits", r.mvcc_commits},
          {"rocksdb_puts", r.rocksdb_puts}};
}

int run_storage(const storage_options& opts) {
  std::string parent = opts.dir;
  if (parent.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    parent = tmp != nullptr ? tmp : "/tmp";
  }
  scratch_dir scratch{parent};
  if (scratch.path().empty()) {
    std::cerr << "bench storage: cannot create a directory in " << parent
              << '\n';
    return exit_bad_input;
  }
  std::string writers;
  for (auto n : opts.writers)
    writers += (writers.empty() ? "" : ",") + std::to_string(n);
  if (!opts.json) {
    fmt::print("command: troupe bench storage --writers {} --seconds {} "
               "--dir {}\n",
               writers, opts.seconds, parent);
    fmt::print("machine: {}\nallocator: {}\n", machine_summary(),
               allocator_name());
    fmt::print("data: {} (sync on, {}-byte values, one key per commit)\n",
               scratch.path(), mvcc::storage_bench_config{}.value_bytes);
    fmt::print("{:>7}  {:>18}  {:>18}  {:>6}  {:>17}  {:>17}\n", "writers",
               "mvcc commits/s", "rocksdb puts/s", "ratio", "fsyncs/commit",
               "rocksdb fsyncs/put");
    std::fflush(stdout);
  }
  mvcc::storage_bench_config cfg;
  cfg.writers = opts.writers;
  cfg.seconds = opts.seconds;
  cfg.dir = scratch.path();
  auto rows = mvcc::run_storage_bench(cfg, [&](const auto& r) {
    if (opts.json) return;
    fmt::print("{:>7}  {:>18.0f}  {:>18.0f}  {:>6.2f}  {:>17.3f}  {:>17.3f}\n",
               r.writers, r.mvcc_commits_per_s, r.rocksdb_puts_per_s, r.ratio,
               r.fsyncs_per_commit, r.rocksdb_fsyncs_per_put);
    std::fflush(stdout);
  });
  if (!rows) {
    std::cerr << "bench storage: " << rows.error().message << '\n';
    return rows.error().code == mvcc::errc::invalid_argument ? exit_bad_input
                                                             : exit_failure;
  }
  if (opts.json) {
    auto out = nlohmann::ordered_json::array();
    for (const auto& r : *rows)
      out.push_back(to_json(r));
    std::cout << out.dump(2) << '\n';
  }
  return exit_ok;
}

void add_storage_bench(CLI::App& bench) {
  auto opts = std::make_shared<storage_options>();
  auto* cmd = bench.add_subcommand(
    "storage", "Durable one-phase commits per second through the MVCC store "
               "next to raw RocksDB synced puts, per writer count");
  cmd
    ->add_option("--writers", opts->writers,
                 "Comma-separated writer thread counts")
    ->delimiter(',')
    ->check(CLI::PositiveNumber)
    ->capture_default_str();
  cmd->add_option("--seconds", opts->seconds, "Seconds per measurement")
    ->check(CLI::PositiveNumber)
    ->capture_default_str();
  cmd
    ->add_option("--dir", opts->dir,
                 "Directory on the disk to measure (default: a temp dir); "
                 "a fresh subdirectory is used and removed afterwards")
    ->check(CLI::ExistingDirectory);
  cmd->add_flag("--json", opts->json, "Print a JSON list instead of text");
  cmd->callback([opts] { finish(run_storage(*opts)); });
}

} // namespace

std::string machine_summary() {
  std::string model = "unknown CPU";
  std::ifstream cpuinfo{"/proc/cpuinfo"};
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  }
  return fmt::format("{} cores (nproc), {}",
                     std::thread::hardware_concurrency(), model);
}

std::string allocator_name() {
#ifdef TROUPE_JEMALLOC
  const char* version = nullptr;
  std::size_t size = sizeof(version);
  if (mallctl("version", &version, &size, nullptr, 0) == 0 && version)
    return std::string{"jemalloc "} + version;
#endif
  return "glibc";
}

void add_bench_command(CLI::App& app) {
  auto* bench = app.add_subcommand("bench", "Run benchmarks on this machine");
  bench->require_subcommand(1);
  add_storage_bench(*bench);
  add_bank_bench(*bench);
}

} // namespace troupe::app
