#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "troupe/mvcc/error.hpp"
#include "troupe/mvcc/options.hpp"
#include "troupe/mvcc/types.hpp"

namespace troupe::mvcc {

/// Called once when an asynchronous write finished: with success once it is
/// durable, or with the error. Runs inline in the submitting call (errors
/// found before anything was queued) or on the thread that did the group
/// write: the store's writer thread, or a thread inside one of the blocking
/// calls below, which writes the pending group itself when no write is in
/// flight. So it must be short and must not block (an actor sends itself a
/// message; the blocking wrappers fulfil a promise).
using completion = std::function<void(status)>;

/// A multi-version transactional store for all shards of one node: one
/// RocksDB instance, Percolator-style intents, snapshot isolation by default
/// (serializable on request) and a group-commit writer that puts the
/// durable writes of all concurrent callers into one WriteBatch and one
/// fsync. Layout and rules: docs/mvcc.md.
///
/// Thread-safe: any thread may call any member. Reads run on the calling
/// thread; every durable write goes through the writer thread. Errors common
/// to every call: key_too_large, value_too_large, corrupt_record (names the
/// key), io_error.
class store {
 public:
  /// Opens or creates the store at `opts.path`. Errors: io_error (cannot
  /// open; the message has RocksDB's reason), corrupt_record (metadata),
  /// invalid_argument (unknown format version or zero limits).
  [[nodiscard]] static result<std::unique_ptr<store>> open(const options& opts);

  /// Waits for queued writes to finish, then closes the database.
  ~store();
  store(const store&) = delete;
  store& operator=(const store&) = delete;

  // -- reads ---------------------------------------------------------------

  /// Returns the value of `key` visible at `ts` (newest version committed
  /// at or before `ts`), or nullopt when absent or deleted. Never skips an
  /// intent: errors locked{key, txn} when a transaction with start_ts <= ts
  /// holds an intent on `key` (durable or in flight); timestamp_too_old when
  /// `ts` is below the GC safe point.
  [[nodiscard]] result<std::optional<std::string>>
  get(shard_id shard, const std::string& key, timestamp ts);

  /// Returns the visible key/value pairs of `range` at `ts` in key order,
  /// at most `limit` (0: no limit), and with `max_bytes` (0: no budget) no
  /// more once their keys and values (plus scan_row_overhead each) reach
  /// `max_bytes` (one page of a paged scan: the row that reaches it is the
  /// last). Errors as `get`,
  /// locked for the first intent met in the part of the range the answer
  /// covers.
  [[nodiscard]] result<std::vector<key_value>>
  scan(shard_id shard, const key_range& range, timestamp ts,
       std::size_t limit = 0, std::size_t max_bytes = 0);

  using scan_completion = std::function<void(result<std::vector<key_value>>)>;
  /// `scan` on one of the store's scan threads (options::scan_threads), so
  /// that the caller's thread goes on meanwhile: a scan over many keys with
  /// long version chains takes milliseconds, which an actor thread must not
  /// spend. `done` runs once with scan's result, on the thread that
  /// scanned: a scan thread, or the caller (inline, before this returns)
  /// when there are none or the store is closing. Closing the store runs
  /// the scans still queued first.
  void scan_async(shard_id shard, key_range range, timestamp ts,
                  std::size_t limit, std::size_t max_bytes,
                  scan_completion done);

  // -- two-phase commit ----------------------------------------------------

  /// Checks conflicts and makes the intents plus the prepare record durable
  /// (phase one). Conflict check and intent reservation are atomic with
  /// respect to every other prepare and one-phase commit. A repeated prepare
  /// of a prepared transaction succeeds. Errors: write_conflict{key, ts}
  /// (a written key, or under serializable a read key, has a version
  /// committed after start_ts), locked{key, txn}, txn_aborted (already
  /// aborted here), txn_committed, busy, timestamp_too_old (start_ts below
  /// the safe point), invalid_argument (no writes, duplicate keys, zero
  /// ids), key_too_large, value_too_large, corrupt_record, io_error,
  /// shutting_down.
  void prepare_async(const prepare_request& req, completion done);

  /// Turns the intents of prepared (or precommitted) `txn` into versions
  /// at `commit_ts` and records the outcome, in one durable write. Repeating
  /// a commit is harmless; so is a late commit whose record GC collected
  /// (commit_ts at or below the safe point). Errors: txn_not_prepared,
  /// txn_aborted, invalid_argument (commit_ts <= start_ts, or a different
  /// commit_ts than the recorded or precommitted one), busy, corrupt_record,
  /// io_error, shutting_down.
  void commit_async(shard_id shard, txn_id txn, timestamp commit_ts,
                    completion done);

  /// Three-phase commit, phase two: records durably that every participant
  /// of prepared `txn` voted YES and that it commits at `commit_ts` (the
  /// intents stay). Repeating it, or precommitting a transaction committed
  /// at `commit_ts`, succeeds. Errors: txn_not_prepared, txn_aborted,
  /// invalid_argument (not prepared for three-phase commit, commit_ts <=
  /// start_ts, or precommitted or committed at another ts), busy,
  /// corrupt_record, io_error, shutting_down.
  void precommit_async(shard_id shard, txn_id txn, timestamp commit_ts,
                       completion done);

  /// Removes the intents of `txn` and records the abort, so that a late
  /// prepare (or precommit) of `txn` fails with txn_aborted. Aborting an
  /// unknown, aborted or precommitted transaction succeeds (`start_ts`
  /// fences the record for GC).
  /// Errors: txn_committed, busy, corrupt_record, io_error, shutting_down.
  void abort_async(shard_id shard, txn_id txn, timestamp start_ts,
                   completion done);

  /// Commits a single-shard transaction in one durable write: the prepare
  /// checks, then versions at commit_ts. A retry of a commit that already
  /// happened succeeds. Errors: as prepare_async, plus timestamp_too_old
  /// when a read at or above commit_ts was already served on this shard
  /// (retry with a newer commit_ts), invalid_argument (commit_ts <=
  /// start_ts).
  void one_phase_commit_async(const one_phase_request& req, completion done);

  /// Blocking forms of the calls above, for tests and tools; never call
  /// them from an actor's scheduler thread.
  [[nodiscard]] status prepare(const prepare_request& req);
  [[nodiscard]] status commit(shard_id shard, txn_id txn, timestamp commit_ts);
  [[nodiscard]] status precommit(shard_id shard, txn_id txn,
                                 timestamp commit_ts);
  [[nodiscard]] status abort(shard_id shard, txn_id txn, timestamp start_ts);
  [[nodiscard]] status one_phase_commit(const one_phase_request& req);

  /// Validates the reads of serializable transaction `txn` after its
  /// intents are in place: fails when any of `keys` has a version committed
  /// after `start_ts` (write_conflict{key, ts, txn}) or an intent or an
  /// in-flight write of another transaction (locked{key, txn}). Read-only
  /// (nothing durable, no read timestamp noted); runs on the calling
  /// thread. Run after every participant prepared, it rejects write skew
  /// across shards: of two transactions that each read what the other
  /// writes, the second to validate meets the first one's intent or
  /// version. Errors: also timestamp_too_old, key_too_large,
  /// corrupt_record, io_error.
  [[nodiscard]] status validate_reads(shard_id shard, txn_id txn,
                                      timestamp start_ts,
                                      const std::vector<std::string>& keys);

  // -- recovery --------------------------------------------------------------

  /// Returns every prepared (or precommitted) transaction of every shard (or
  /// of `shard`), in (shard, txn) order. Reads only the records of
  /// unresolved transactions (an in-memory index built when the store
  /// opens), so its cost does not grow with the outcome records kept
  /// until GC. Errors: corrupt_record, io_error.
  [[nodiscard]] result<std::vector<prepared_txn>>
  list_prepared(std::optional<shard_id> shard = std::nullopt);

  /// Returns what this shard knows about `txn`. One-phase commits leave no
  /// transaction record. Errors: corrupt_record, io_error.
  [[nodiscard]] result<txn_outcome> outcome(shard_id shard, txn_id txn);

  // -- metadata --------------------------------------------------------------

  /// Writes `value` under the metadata key `key` in one durable write
  /// through the group writer (shares fsyncs with concurrent transactions).
  /// Metadata lives apart from every shard's data and is never collected:
  /// the timestamp oracle's high-water mark and the coordinator's decision
  /// log use it. Errors: key_too_large, value_too_large, invalid_argument
  /// (empty key), io_error, shutting_down.
  void put_meta_async(const std::string& key, const std::string& value,
                      completion done);

  /// Deletes the metadata key `key` durably (absent keys succeed). Errors:
  /// key_too_large, invalid_argument (empty key), io_error, shutting_down.
  void erase_meta_async(const std::string& key, completion done);

  /// Blocking forms, for tests and tools.
  [[nodiscard]] status put_meta(const std::string& key,
                                const std::string& value);
  [[nodiscard]] status erase_meta(const std::string& key);

  /// Returns the value of metadata key `key` (nullopt when absent), as of
  /// the last completed write. Errors: io_error.
  [[nodiscard]] result<std::optional<std::string>>
  get_meta(const std::string& key);

  /// Returns every metadata entry whose key starts with `prefix`, in key
  /// order: one lookup per entry found, by an in-memory index of the keys,
  /// so erased entries cost nothing. Errors: io_error.
  [[nodiscard]] result<std::vector<key_value>>
  list_meta(const std::string& prefix);

  // -- maintenance -----------------------------------------------------------

  /// Raises the GC safe point to `safe_point` (durably) and removes, on all
  /// shards, every version no read at or above it can see: per key it keeps
  /// the newest version <= safe_point (unless a tombstone) and all newer
  /// ones. Also removes outcome records at or below it. Reads below the
  /// safe point fail with timestamp_too_old afterwards. A lower safe point
  /// than the current one collects nothing. The caller picks a safe point
  /// at or below every running transaction's start_ts.
  /// Errors: corrupt_record, io_error, shutting_down.
  [[nodiscard]] result<gc_stats> gc(timestamp safe_point);

  /// Returns the current GC safe point (0 before the first GC).
  [[nodiscard]] timestamp safe_point() const;

  /// Writes all of `shard`'s data (versions, intents, transaction records)
  /// as of now into a new directory `dir` of SST files, for `ingest_shard`.
  /// Returns the number of records written. Errors: invalid_argument (`dir`
  /// exists and is not empty), io_error.
  [[nodiscard]] result<std::uint64_t> export_shard(shard_id shard,
                                                   const std::string& dir);

  /// Adds the data that `export_shard(shard, dir)` wrote (files are copied,
  /// `dir` stays). Errors: shard_not_empty, invalid_argument (`dir` holds
  /// no export of `shard`), io_error.
  [[nodiscard]] status ingest_shard(shard_id shard, const std::string& dir);

  /// Returns counters since open.
  [[nodiscard]] store_stats stats() const;

  /// Returns the options the store was opened with.
  [[nodiscard]] const options& opts() const;

  struct impl; ///< private (src/store_impl.hpp)

 private:
  explicit store(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

} // namespace troupe::mvcc
