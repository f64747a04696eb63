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
/// owner's thread; the owner then calls `finish(token, vote)`. Not
/// thread-safe: one owner thread calls every member.
class shard_state {
 public:
  using reply_fn = std::function<void(const actors::vote&)>;
  using post_fn = std::function<void(std::uint64_t token, actors::vote)>;
  using read_fn = std::function<void(caf::expected<actors::read_reply>)>;
  using scan_fn = std::function<void(caf::expected<actors::scan_reply>)>;
  /// Arms the owner's timer for a parked read: `expire(token)` when due.
  using wait_fn = std::function<void(std::uint64_t token)>;

  /// `db` must outlive this object. Without `wait`, a read blocked by an
  /// intent fails at once with locked.
  shard_state(mvcc::store& db, actors::shard_id shard, post_fn post,
              wait_fn wait = {});

  /// Answers through `reply`, at once or later: a read (or scan) blocked
  /// by another transaction's intent or in-flight write is parked until a
  /// write of that transaction on this shard finishes, then runs again; at
  /// `expire` it runs a last time and answers whatever it finds (locked if
  /// still blocked). Errors: see participant_actor; invalid_argument for
  /// another shard.
  void read(const actors::read_request& req, read_fn reply);
  void scan(const actors::scan_request& req, scan_fn reply);
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

  /// One attempt of a parked read: answers and returns nullopt, or (only
  /// when `may_wait`) returns the transaction it is blocked by.
  using attempt_fn = std::function<std::optional<actors::txn_id>(bool)>;
  /// Runs `attempt`; parks it under a new token when blocked.
  void run_or_park(attempt_fn attempt);
  /// Runs the reads parked behind `txn` again (a write of it finished).
  void wake(actors::txn_id txn);

  struct pending_write {
    reply_fn reply;
    actors::txn_id txn;
  };
  struct parked_read {
    actors::txn_id holder;
    attempt_fn attempt;
  };

  mvcc::store* db_;
  actors::shard_id shard_;
  post_fn post_;
  wait_fn wait_;
  std::uint64_t next_token_ = 1;
  std::unordered_map<std::uint64_t, pending_write> pending_;
  std::unordered_map<std::uint64_t, parked_read> parked_;
  /// Tokens of the parked reads by the transaction they wait for.
  std::unordered_map<actors::txn_id, std::vector<std::uint64_t>> waiting_on_;
  shard_counters counters_;
};

} // namespace troupe::participants
