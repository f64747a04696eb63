#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <caf/error.hpp>

#include "troupe/actors/participant_messages.hpp"
#include "troupe/actors/write_buffer.hpp"
#include "troupe/coordinator/coordinator.hpp"

namespace troupe::coordinator {

/// Where a transaction is.
enum class txn_phase {
  active,     ///< reads and buffered writes
  preparing,  ///< 2PC phase one (and serializable validation)
  committing, ///< 1PC in flight, or commit ts / decision being made durable
  committed,  ///< decided: commit (client told)
  aborted,
  in_doubt, ///< the decision may or may not be durable: recovery's job
};

/// One participant's share of a commit.
struct participant_plan {
  std::vector<actors::write_op> writes;
  std::vector<std::string> reads; ///< serializable only
};

/// The transaction's own data, without a scheduler: buffered writes, read
/// set, per-shard plan, vote tally.
class txn_state {
 public:
  txn_state(actors::txn_started started, actors::isolation_level level,
            const shard_map& shards);

  /// Buffers a write. Errors: too_large, invalid_argument (not active).
  [[nodiscard]] caf::error buffer(const std::string& key,
                                  std::optional<std::string> value,
                                  std::uint32_t max_key,
                                  std::uint32_t max_value);

  /// The buffered write of `key` (nullopt: none; inner nullopt: erased).
  [[nodiscard]] std::optional<std::optional<std::string>>
  buffered(const std::string& key) const;

  /// Notes a key read from storage, for validation under serializable
  /// (snapshot isolation validates no reads, so keeps none).
  void note_read(const std::string& key) {
    if (level_ == actors::isolation_level::serializable) reads_.insert(key);
  }

  /// Applies the buffered writes under `prefix` in `window` to the merged
  /// storage rows of one page of a scan (actors::overlay_writes).
  [[nodiscard]] actors::scan_reply overlay(std::vector<actors::key_value> rows,
                                           const std::string& prefix,
                                           const actors::scan_window& window,
                                           std::uint32_t limit) const;

  /// Groups the writes (and, under serializable, the reads that are not
  /// also written) by shard. Shards with reads only have no writes.
  [[nodiscard]] std::map<actors::shard_id, participant_plan> plan() const;

  /// Starts counting votes of `shards`.
  void expect_votes(const std::set<actors::shard_id>& shards) {
    waiting_ = shards;
  }
  /// Records a YES; returns true when none is missing any more.
  bool yes_from(actors::shard_id shard) {
    waiting_.erase(shard);
    return waiting_.empty();
  }
  [[nodiscard]] bool waiting_for(actors::shard_id shard) const {
    return waiting_.count(shard) > 0;
  }

  [[nodiscard]] const actors::txn_started& id() const { return id_; }
  [[nodiscard]] actors::isolation_level level() const { return level_; }
  [[nodiscard]] bool read_only() const { return writes_.empty(); }
  [[nodiscard]] const std::string& primary_key() const {
    return writes_.begin()->first;
  }

  txn_phase phase = txn_phase::active;

 private:
  actors::txn_started id_;
  actors::isolation_level level_;
  const shard_map& shards_;
  actors::write_buffer writes_;
  std::set<std::string> reads_;
  std::set<actors::shard_id> waiting_;
};

} // namespace troupe::coordinator
