#pragma once

// The one place where mvcc errors become troupe errors.

#include <caf/error.hpp>

#include "troupe/actors/participant_messages.hpp"
#include "troupe/mvcc/error.hpp"

namespace troupe::participants {

/// What a durable write was for; decides how some store codes read.
enum class write_kind { prepare, commit, abort, one_phase };

/// Returns the troupe code for a store error in a request of `kind`:
/// write_conflict, locked, aborted (txn_aborted, timestamp_too_old),
/// overloaded (busy), not_found (commit without prepare), invalid_argument
/// (abort of a committed txn, bad requests, shard_not_empty), too_large,
/// corrupt, unavailable (io_error, shutting_down).
[[nodiscard]] actors::errc map_code(mvcc::errc code, write_kind kind) noexcept;

/// Returns the vote for the result `st` of a durable write: YES on
/// success, else NO with the mapped code, reason and conflict facts.
[[nodiscard]] actors::vote to_vote(const mvcc::status& st, actors::txn_id txn,
                                   actors::shard_id shard, write_kind kind);

/// Returns the `caf::error` for a failed read or scan.
[[nodiscard]] caf::error to_error(const mvcc::error& err);

} // namespace troupe::participants
