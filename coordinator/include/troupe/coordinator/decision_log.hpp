#pragma once

#include <memory>
#include <vector>

#include <caf/expected.hpp>

#include "troupe/actors/participant_messages.hpp"
#include "troupe/mvcc/store.hpp"

namespace troupe::coordinator {

/// A durable COMMIT decision of a 2PC transaction (presumed abort: aborts
/// are never logged). Written before the client hears "committed" and
/// before any COMMIT message leaves; deleted once every participant
/// acknowledged. What is left after a crash is the recovery's to-do list:
/// re-send COMMIT at `commit_ts` to `shards`.
struct decision {
  actors::txn_id txn = 0;
  actors::timestamp start_ts = 0;
  actors::timestamp commit_ts = 0;
  std::vector<actors::shard_id> shards; ///< the participants
};

/// The node's decision log: metadata entries of the node's store
/// ("txn/decision/" + big-endian txn id), written through the group-commit
/// writer so that decisions share fsyncs with prepares and commits.
/// Thread-safe (the store is).
class decision_log {
 public:
  /// `db` must outlive this object.
  explicit decision_log(mvcc::store& db);

  /// Makes `d` durable; `done` runs on the writer thread (see
  /// mvcc::completion). Errors: those of mvcc::store::put_meta_async.
  void record_async(const decision& d, mvcc::completion done);

  /// Deletes the decision of `txn` (absent: success).
  void erase_async(actors::txn_id txn, mvcc::completion done);

  /// Returns every logged decision, by txn id. Errors: corrupt (a record
  /// does not decode), unavailable (the store failed).
  [[nodiscard]] caf::expected<std::vector<decision>> list() const;

  /// Returns the decision of `txn`, if logged. Errors as `list`.
  [[nodiscard]] caf::expected<std::optional<decision>>
  find(actors::txn_id txn) const;

 private:
  mvcc::store* db_;
};

} // namespace troupe::coordinator
