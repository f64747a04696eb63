#pragma once

// The C++ client library: run transactions against a troupe cluster from any
// program. One `client` per process connects to the nodes of a cluster
// config; any thread begins transactions through it.
//
//   auto c = troupe::client::client::connect(cluster);   // caf::expected
//   auto done = c->run([&](troupe::client::transaction& t) -> caf::error {
//     auto a = t.get("acct/{1}");
//     if (!a) return a.error();
//     return t.put("acct/{1}", "100");
//   });
//
// Every error is a `caf::error` with a troupe code (actors/errc.hpp);
// `actors::retry_class_of(err)` says whether to retry the call, the
// transaction, or not at all, and `actors::describe(err)` renders it.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "troupe/actors/participant_messages.hpp"
#include "troupe/actors/transaction_messages.hpp"
#include "troupe/config/cluster_config.hpp"

namespace troupe::client {

using actors::isolation_level;
using actors::key_value;
using actors::txn_committed;

/// How a client talks to its cluster.
struct client_options {
  /// Threads of the client's actor system (replies are handled there).
  std::uint32_t threads = 2;
  /// Per call (get, scan, commit, ...); 0: the config's `timeouts.request`.
  std::chrono::milliseconds request_timeout{0};
};

/// Options of one transaction.
struct txn_options {
  isolation_level isolation = isolation_level::snapshot;
  /// A key the transaction will touch: it begins on the node that holds
  /// that key's shard (when it answers), so its coordinator sits next to
  /// that participant and their messages stay in one process. Empty:
  /// nodes in turn.
  std::string near;
  /// Commit a multi-shard transaction with three-phase commit (CanCommit,
  /// PreCommit, DoCommit) instead of two-phase commit: participants then
  /// terminate it among themselves when the coordinator dies, at the cost
  /// of one more round of messages and fsyncs (docs/recovery.md).
  bool three_phase = false;
  /// Keys to read at the snapshot as the transaction begins, in the same
  /// round trip: later `get` / `get_many` of these keys are answered from
  /// what came back (the same values a read would return then, own writes
  /// first). A transaction that starts by reading saves a round trip. The
  /// begin carries as many as one message holds (limits.max_message_bytes);
  /// the rest are read when asked for.
  std::vector<std::string> prefetch;
};

/// Bounds `client::run`: at most `max_attempts` runs of the function, the
/// n-th retry after an exponential, jittered backoff. Defaults come from
/// the config's `[retry]` section.
struct run_options {
  txn_options txn;
  std::optional<config::retry_policy> retry; ///< nullopt: the config's
};

class client;

/// One transaction. Reads go to the cluster at the transaction's snapshot;
/// writes are buffered here and travel with the commit (reads see them).
/// Use it from one thread at a time; it must not outlive its client.
/// Destroying an active transaction aborts it (without waiting).
class transaction {
 public:
  transaction(transaction&&) noexcept;
  transaction& operator=(transaction&&) noexcept;
  ~transaction();

  /// The transaction's id and snapshot timestamp.
  [[nodiscard]] actors::txn_id id() const noexcept;
  [[nodiscard]] actors::timestamp start_ts() const noexcept;

  /// Returns the value of `key` (nullopt: no such key) at the snapshot, or
  /// this transaction's own write. Errors: locked (another transaction's
  /// intent stayed undecided; retry_transaction), aborted, unavailable /
  /// timeout (retry_call), invalid_argument (not active).
  [[nodiscard]] caf::expected<std::optional<std::string>>
  get(const std::string& key);

  /// Returns the values of `keys` (nullopt: no such key), in order, read
  /// at the snapshot in one round trip (in parallel on their shards); more
  /// keys than one message holds (limits.max_message_bytes) take one round
  /// trip per message's worth. Errors as `get`.
  [[nodiscard]] caf::expected<std::vector<std::optional<std::string>>>
  get_many(const std::vector<std::string>& keys);

  /// Returns every key starting with `prefix` in key order, own writes
  /// applied, at most `limit` rows (0: all). Errors as `get`.
  [[nodiscard]] caf::expected<std::vector<key_value>>
  scan(const std::string& prefix, std::uint32_t limit = 0);

  /// Buffers a write. Errors: too_large (above the config's `[limits]`),
  /// invalid_argument (not active); both do_not_retry.
  [[nodiscard]] caf::error put(std::string key, std::string value);
  [[nodiscard]] caf::error erase(std::string key);

  /// Commits: every write becomes visible at one commit timestamp on every
  /// shard, or none does. Errors: write_conflict, locked, aborted
  /// (retry_transaction; nothing is visible), too_large / invalid_argument
  /// (do_not_retry), outcome_unknown (no answer after the commit was sent:
  /// it may or may not hold; read before retrying). The transaction is over
  /// after any answer.
  [[nodiscard]] caf::expected<txn_committed> commit();

  /// Drops the transaction (its buffered writes and any intents). Errors:
  /// invalid_argument after a commit.
  caf::error abort();

 private:
  friend class client;
  struct impl;
  explicit transaction(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

/// A connection to a cluster. Cheap to copy (copies share it); safe to use
/// from many threads.
class client {
 public:
  /// Connects to the nodes of `cluster` lazily: begin() picks nodes round
  /// robin (spreading coordinators over the cluster), or the node of
  /// `txn_options::near`, and, when a node does not answer within
  /// `timeouts.connect`, goes on to the next one.
  /// Errors: invalid_argument when the config has no nodes.
  [[nodiscard]] static caf::expected<client>
  connect(const config::cluster_config& cluster, client_options opts = {});

  /// Starts a transaction on some node. Errors: unavailable naming every
  /// node tried when none answers (retry_call); with
  /// `txn_options::prefetch`, also the errors of `transaction::get_many`
  /// (the transaction is then aborted).
  [[nodiscard]] caf::expected<transaction> begin(txn_options opts = {});

  /// Runs `fn` in a transaction and commits it; when `fn` or the commit
  /// fails with a retryable error (retry_call or retry_transaction), the
  /// transaction is aborted and run again, up to the policy's attempts.
  /// `fn` returns an error to abort (retried only when retryable).
  /// Returns the commit, or the last error (outcome_unknown is never
  /// retried: the transaction may have committed).
  [[nodiscard]] caf::expected<txn_committed>
  run(const std::function<caf::error(transaction&)>& fn, run_options opts = {});

  /// How many begins went to another node because one failed (counts
  /// reconnects, for benchmarks and tests).
  [[nodiscard]] std::uint64_t failovers() const noexcept;

  [[nodiscard]] const config::cluster_config& cluster() const noexcept;

 private:
  friend class transaction;
  struct impl;
  explicit client(std::shared_ptr<impl> p);
  std::shared_ptr<impl> impl_;
};

} // namespace troupe::client
