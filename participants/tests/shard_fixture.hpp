#pragma once

// A deterministic actor system with one real store in a temp directory and
// shard actors over it.

#include <map>
#include <memory>

#include "support/deterministic_system.hpp"
#include "temp_dir.hpp"
#include "troupe/participants/shard.hpp"

namespace troupe::participants::test {

struct shard_fixture {
  mvcc::test::temp_dir dir;
  /// Scans run on the actor's thread (no scan threads), so that a test
  /// knows when one finished: its completion is then in the hand-off
  /// queue as soon as `t.run()` returns.
  std::shared_ptr<mvcc::store> db{mvcc::test::open_store(dir.sub("db"), [] {
    mvcc::options o;
    o.scan_threads = 0;
    return o;
  }())};
  troupe::test::deterministic_system t;

  /// Options of the shards spawned from now on (the handoff is the
  /// fixture's). A read blocked by an intent fails at once unless a test
  /// sets `lock_wait`.
  shard_options options = [] {
    shard_options o;
    o.lock_wait = std::chrono::milliseconds{0};
    return o;
  }();

  shard_actor shard(actors::shard_id id) {
    auto& s = shards_[id];
    if (!s) {
      shard_options o = options;
      o.handoff = t.handoff();
      s = spawn_shard(t.sys, *db, id, o);
      t.run();
    }
    return s;
  }

  /// Prepares `writes` on `id` and returns the vote (fails on errors).
  actors::vote
  prepare(actors::shard_id id, actors::txn_id txn, actors::timestamp start_ts,
          std::vector<actors::write_op> writes,
          std::vector<std::string> reads = {},
          actors::isolation_level level = actors::isolation_level::snapshot) {
    actors::prepare_request req;
    req.txn = txn;
    req.shard = id;
    req.start_ts = start_ts;
    req.primary_key = writes.front().key;
    req.writes = std::move(writes);
    req.reads = std::move(reads);
    req.isolation = level;
    req.coordinator = "n1";
    auto v = t.await<actors::vote>(shard(id), req);
    BOOST_REQUIRE_MESSAGE(v, (v ? std::string{} : actors::describe(v.error())));
    return *v;
  }

  /// The value of `key` at `ts` through the actor: the value, "<none>", or
  /// "<E:code>".
  std::string read(actors::shard_id id, const std::string& key,
                   actors::timestamp ts) {
    auto r = t.request<actors::read_reply>(shard(id),
                                           actors::read_request{id, key, ts});
    if (!r) return "<E:" + actors::describe(r.error(), false) + ">";
    return r->value ? *r->value : "<none>";
  }

 private:
  std::map<actors::shard_id, shard_actor> shards_;
};

} // namespace troupe::participants::test
