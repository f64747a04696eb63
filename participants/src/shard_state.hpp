#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include <caf/expected.hpp>

#include "error_map.hpp"
#include "troupe/actors/participant_messages.hpp"
#include "troupe/mvcc/store.hpp"

namespace troupe::participants {

/// Counters of one shard (for tests and monitoring).
struct shard_counters {
  std::uint64_t reads = 0;
  std::uint64_t scans = 0;
  std::uint64_t prepares = 0;
  std::uint64_t votes_no = 0;
  std::uint64_t commits = 0;
  std::uint64_t precommits = 0;
  std::uint64_t aborts = 0;
  std::uint64_t one_phase = 0;
  std::uint64_t lock_waits = 0; ///< reads and scans parked behind an intent
};

/// The logic of a storage shard actor, without a scheduler: translates the
/// participant protocol into store calls and store results into votes.
///
/// Durable writes are started with a `reply` (runs later on the owner's
/// thread, once, with the vote; commit and abort read a YES as ack) and a
/// token. The store's completion, on the writer thread, only computes the
/// vote and calls `post(token, vote)`, which must hand both back to the
/// owner's thread; the owner then calls `finish(token, vote)`. Scans run
/// on the store's scan thread (store::scan_async) the same way: its
/// completion keeps the rows for the owner and calls the `scanned_fn`
/// given at construction, which must hand the token back to the owner's
/// thread; the owner then calls `scanned(token)`.
/// Not thread-safe: one owner thread calls every member.
class shard_state {
 public:
  using reply_fn = std::function<void(const actors::vote&)>;
  using post_fn = std::function<void(std::uint64_t token, actors::vote)>;
  using read_fn = std::function<void(caf::expected<actors::read_reply>)>;
  using scan_fn = std::function<void(caf::expected<actors::scan_reply>)>;
  /// Hands a finished scan's token to the owner's thread (any thread).
  using scanned_fn = std::function<void(std::uint64_t token)>;
  /// Arms the owner's timer for a parked read: `expire(token)` when due.
  using wait_fn = std::function<void(std::uint64_t token)>;

  /// `db` must outlive this object. Without `wait`, a read blocked by an
  /// intent fails at once with locked.
  shard_state(mvcc::store& db, actors::shard_id shard, post_fn post,
              scanned_fn scanned, wait_fn wait = {});

  /// Answers through `reply`, at once or later: a read (or scan) blocked
  /// by another transaction's intent or in-flight write is parked until a
  /// write of that transaction on this shard finishes, then runs again; at
  /// `expire` it runs a last time and answers whatever it finds (locked if
  /// still blocked). A scan answers once the store's scan thread scanned
  /// and the owner called `scanned`. Errors: see participant_actor;
  /// invalid_argument for another shard.
  void read(const actors::read_request& req, read_fn reply);
  void scan(const actors::scan_request& req, scan_fn reply);
  /// The scan of read `token` finished (unknown tokens are ignored).
  void scanned(std::uint64_t token);
  /// The wait of parked read `token` is over (unknown tokens are ignored).
  void expire(std::uint64_t token);
  [[nodiscard]] caf::expected<actors::txn_outcome>
  outcome(const actors::outcome_request& req);
  [[nodiscard]] actors::vote validate(const actors::validate_request& req);

  void prepare(const actors::prepare_request& req, reply_fn reply);
  void commit(const actors::commit_request& req, reply_fn reply);
  void precommit(const actors::precommit_request& req, reply_fn reply);
  void abort(const actors::abort_request& req, reply_fn reply);
  void one_phase(const actors::one_phase_request& req, reply_fn reply);

  /// Runs the reply of a finished write. Unknown tokens are ignored.
  void finish(std::uint64_t token, const actors::vote& v);

  [[nodiscard]] std::size_t in_flight() const { return pending_.size(); }
  [[nodiscard]] const shard_counters& counters() const { return counters_; }

  /// Returns this shard's prepared transactions (a RocksDB read).
  [[nodiscard]] caf::expected<std::vector<mvcc::prepared_txn>> prepared();

  [[nodiscard]] actors::shard_id shard() const { return shard_; }

 private:
  /// Registers `reply` and returns the store completion for its token.
  mvcc::completion track(reply_fn reply, actors::txn_id txn, write_kind kind,
                         actors::timestamp start_ts = 0);
  /// A NO vote for a request addressed to another shard, or nullopt.
  [[nodiscard]] std::optional<actors::vote>
  misrouted(actors::txn_id txn, actors::shard_id shard) const;

  /// One attempt of read `token`: it answers, or (only when `may_wait`)
  /// finds the transaction it is blocked by; either way it then calls
  /// `settle(token, blocked_by)`, at once or, for a scan, once scanned.
  using attempt_fn = std::function<void(std::uint64_t token, bool may_wait)>;
  /// Starts a read under a new token with its first attempt.
  void start_read(attempt_fn attempt);
  /// Runs an attempt of read `token`: it may wait unless its wait is over.
  void attempt(std::uint64_t token);
  /// The attempt of read `token` answered (nullopt), or is blocked by
  /// `blocked_by`: parks it behind that transaction.
  void settle(std::uint64_t token, std::optional<actors::txn_id> blocked_by);
  /// Runs the reads parked behind `txn` again (a write of it finished).
  void wake(actors::txn_id txn);

  struct pending_write {
    reply_fn reply;
    actors::txn_id txn;
  };
  /// A read or scan not answered yet: running, or parked behind `holder`.
  struct open_read {
    /// Shared: an attempt may end the read (and erase this) while it runs.
    std::shared_ptr<const attempt_fn> attempt;
    std::optional<actors::txn_id> holder; ///< while parked behind it
    bool timed = false;                   ///< its wait timer was armed
    bool expired = false; ///< the timer fired: the next attempt answers
    /// A scan on the store's thread: what `scanned` runs.
    std::function<void()> on_scanned;
  };

  mvcc::store* db_;
  actors::shard_id shard_;
  post_fn post_;
  scanned_fn scanned_;
  wait_fn wait_;
  std::uint64_t next_token_ = 1;
  std::unordered_map<std::uint64_t, pending_write> pending_;
  std::unordered_map<std::uint64_t, open_read> reads_;
  /// Tokens of the parked reads by the transaction they wait for.
  std::unordered_map<actors::txn_id, std::vector<std::uint64_t>> waiting_on_;
  shard_counters counters_;
};

} // namespace troupe::participants
