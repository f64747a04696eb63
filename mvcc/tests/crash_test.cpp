// Kills a process that prepares and commits with sync on (SIGKILL), then
// checks that everything it reported durable is there after reopening and
// that its in-doubt transactions are listed for recovery.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <csignal>
#include <map>
#include <poll.h>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

#include "temp_dir.hpp"

using namespace troupe::mvcc;

namespace {

struct prepared_line {
  shard_id shard = 0;
  std::string key;
  std::string value;
  bool keep = false;
};

/// The child's reports, parsed as they arrive.
struct reports {
  std::map<txn_id, prepared_line> prepared;
  std::map<txn_id, timestamp> committed;
  std::string partial; ///< an incomplete last line

  void feed(const char* data, std::size_t n) {
    partial.append(data, n);
    std::size_t eol;
    while ((eol = partial.find('\n')) != std::string::npos) {
      std::istringstream line{partial.substr(0, eol)};
      partial.erase(0, eol + 1);
      char kind = 0;
      shard_id shard = 0;
      txn_id txn = 0;
      line >> kind >> shard >> txn;
      if (kind == 'P') {
        timestamp start = 0;
        prepared_line p;
        p.shard = shard;
        line >> start >> p.key >> p.value >> p.keep;
        prepared[txn] = p;
      } else if (kind == 'C') {
        line >> committed[txn];
      }
    }
  }
};

pid_t spawn(const std::string& dir, int& out_fd) {
  int fds[2];
  BOOST_REQUIRE(pipe(fds) == 0);
  pid_t pid = fork();
  BOOST_REQUIRE(pid >= 0);
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    execl(TROUPE_CRASH_CHILD, TROUPE_CRASH_CHILD, dir.c_str(), nullptr);
    _exit(127);
  }
  close(fds[1]);
  out_fd = fds[0];
  return pid;
}

} // namespace

BOOST_AUTO_TEST_CASE(reported_durable_operations_survive_sigkill) {
  test::temp_dir dir;
  auto path = dir.sub("db");
  int out = -1;
  pid_t child = spawn(path, out);

  // Wait, with a deadline, until enough commits are reported.
  constexpr std::size_t wanted_commits = 300;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{15};
  reports seen;
  char buf[4096];
  while (seen.committed.size() < wanted_commits) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    BOOST_REQUIRE_MESSAGE(left.count() > 0, "child too slow: only "
                                              << seen.committed.size()
                                              << " commits reported");
    pollfd p{out, POLLIN, 0};
    int ready = poll(&p, 1, static_cast<int>(left.count()));
    if (ready <= 0) continue;
    auto n = read(out, buf, sizeof buf);
    BOOST_REQUIRE_MESSAGE(n > 0, "child exited early");
    seen.feed(buf, static_cast<std::size_t>(n));
  }
  BOOST_REQUIRE(kill(child, SIGKILL) == 0);
  int wstatus = 0;
  BOOST_REQUIRE(waitpid(child, &wstatus, 0) == child);
  BOOST_TEST(WIFSIGNALED(wstatus));
  // Lines written before the kill are reports too.
  for (ssize_t n; (n = read(out, buf, sizeof buf)) > 0;)
    seen.feed(buf, static_cast<std::size_t>(n));
  close(out);
  BOOST_TEST_MESSAGE("child reported "
                     << seen.prepared.size() << " prepares and "
                     << seen.committed.size() << " commits before SIGKILL");

  auto db = test::open_store(path);
  auto listed = db->list_prepared();
  BOOST_REQUIRE(listed);
  std::map<txn_id, const prepared_txn*> in_doubt;
  for (const auto& p : *listed)
    in_doubt[p.txn] = &p;
  for (const auto& [txn, p] : seen.prepared) {
    auto c = seen.committed.find(txn);
    if (c != seen.committed.end()) {
      auto v = db->get(p.shard, p.key, c->second);
      BOOST_REQUIRE(v);
      BOOST_TEST(v->value_or("<none>") == p.value);
      BOOST_TEST(
        (db->outcome(p.shard, txn)->status == txn_outcome::state::committed));
    } else if (p.keep) {
      BOOST_TEST(in_doubt.count(txn) == 1u, "txn " << txn << " not listed");
    } else {
      // Its commit may have become durable without being reported.
      auto state = db->outcome(p.shard, txn)->status;
      BOOST_TEST((state == txn_outcome::state::prepared ||
                  state == txn_outcome::state::committed));
    }
  }
}
