// Helper of crash_test: prepares and commits in a loop with sync on and
// reports each operation on stdout once it is durable, until killed.
//
//   mvcc_crash_child DIR
//
// Lines (one write(2) each, so a line is never torn by the kill):
//   P <shard> <txn> <start_ts> <key> <value> <keep>   prepare is durable;
//                                                     keep=1: never committed
//   C <shard> <txn> <commit_ts>                       commit is durable
#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include "troupe/mvcc/store.hpp"

using namespace troupe::mvcc;

namespace {

std::atomic<timestamp> clock_{1};

void report(const std::string& line) {
  // Lines are shorter than PIPE_BUF, so each write is atomic.
  auto n = write(STDOUT_FILENO, line.data(), line.size());
  if (n != static_cast<ssize_t>(line.size())) _exit(3);
}

void run(store& db, shard_id shard) {
  for (std::uint64_t i = 0;; ++i) {
    txn_id txn = shard * 1'000'000'000ull + i + 1;
    auto key = "k" + std::to_string(i);
    auto value = "v" + std::to_string(txn);
    bool keep = i % 3 == 0;
    prepare_request req;
    req.shard = shard;
    req.txn = txn;
    req.start_ts = clock_.fetch_add(1);
    req.writes = {mutation::put(key, value)};
    req.primary_key = key;
    if (auto st = db.prepare(req); !st) {
      std::fprintf(stderr, "prepare: %s\n", st.error().message.c_str());
      _exit(2);
    }
    report("P " + std::to_string(shard) + " " + std::to_string(txn) + " " +
           std::to_string(req.start_ts) + " " + key + " " + value + " " +
           (keep ? "1" : "0") + "\n");
    if (keep) continue;
    auto commit_ts = clock_.fetch_add(1);
    if (auto st = db.commit(shard, txn, commit_ts); !st) {
      std::fprintf(stderr, "commit: %s\n", st.error().message.c_str());
      _exit(2);
    }
    report("C " + std::to_string(shard) + " " + std::to_string(txn) + " " +
           std::to_string(commit_ts) + "\n");
  }
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: mvcc_crash_child DIR\n");
    return 2;
  }
  options opts;
  opts.path = argv[1];
  opts.sync = true;
  auto db = store::open(opts);
  if (!db) {
    std::fprintf(stderr, "open: %s\n", db.error().message.c_str());
    return 1;
  }
  // Several writers so that group commit is part of what is tested.
  std::vector<std::thread> writers;
  for (shard_id shard = 1; shard <= 4; ++shard)
    writers.emplace_back([&db, shard] { run(**db, shard); });
  for (auto& w : writers)
    w.join();
}
