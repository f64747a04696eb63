#include "error_map.hpp"

#include <string>

namespace troupe::participants {

using actors::errc;

errc map_code(mvcc::errc code, write_kind kind) noexcept {
  switch (code) {
  case mvcc::errc::write_conflict:
    return errc::write_conflict;
  case mvcc::errc::locked:
    return errc::locked;
  case mvcc::errc::timestamp_too_old:
  case mvcc::errc::txn_aborted:
    return errc::aborted;
  case mvcc::errc::busy:
    return errc::overloaded;
  case mvcc::errc::txn_not_prepared:
    return errc::not_found;
  case mvcc::errc::txn_committed:
    // A prepare of a committed transaction is a duplicate the coordinator
    // no longer waits for; an abort of one is a protocol violation.
    return kind == write_kind::abort ? errc::invalid_argument : errc::aborted;
  case mvcc::errc::key_too_large:
  case mvcc::errc::value_too_large:
    return errc::too_large;
  case mvcc::errc::invalid_argument:
  case mvcc::errc::shard_not_empty:
    return errc::invalid_argument;
  case mvcc::errc::corrupt_record:
    return errc::corrupt;
  case mvcc::errc::io_error:
  case mvcc::errc::shutting_down:
    // The storage may come back (or the shard move to another node): the
    // caller retries the call.
    return errc::unavailable;
  }
  return errc::internal;
}

namespace {

/// The store's message, prefixed with the store's code when it says more
/// than the troupe code (e.g. "txn_aborted" under "aborted"); `describe`
/// already names the troupe code.
std::string reason_of(const mvcc::error& e, errc mapped) {
  std::string store_code = mvcc::to_string(e.code);
  if (store_code == actors::to_string(mapped)) return e.message;
  return store_code + ": " + e.message;
}

} // namespace

actors::vote to_vote(const mvcc::status& st, actors::txn_id txn,
                     actors::shard_id shard, write_kind kind) {
  actors::vote v;
  v.txn = txn;
  v.shard = shard;
  if (st) {
    v.yes = true;
    return v;
  }
  const auto& e = st.error();
  v.code = map_code(e.code, kind);
  v.reason = reason_of(e, v.code);
  v.conflict_key = e.key;
  v.conflict_txn = e.txn;
  v.conflict_ts = e.ts;
  if (kind == write_kind::one_phase &&
      e.code == mvcc::errc::timestamp_too_old && e.ts != 0)
    v.min_commit_ts = e.ts;
  return v;
}

caf::error to_error(const mvcc::error& err) {
  auto code = map_code(err.code, write_kind::prepare);
  return actors::make_error(code, reason_of(err, code));
}

} // namespace troupe::participants
