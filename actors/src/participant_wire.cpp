// Protobuf encoding of the participant protocol (proto/txn.proto).
#include "troupe/actors/participant_messages.hpp"

#include "txn.pb.h"
#include "txn_wire.hpp"

namespace troupe::actors {

caf::error vote::to_error() const {
  if (yes) return caf::none;
  auto text = reason.empty() ? std::string{"participant voted no"} : reason;
  text +=
    " (txn " + std::to_string(txn) + ", shard " + std::to_string(shard) + ")";
  return make_error(code, std::move(text));
}

std::string encode(const prepare_request& x) {
  wire::Prepare pb;
  pb.set_txn(x.txn);
  pb.set_shard(x.shard);
  pb.set_start_ts(x.start_ts);
  detail::put_writes(x.writes, *pb.mutable_writes());
  for (const auto& r : x.reads)
    pb.add_reads(r);
  pb.set_isolation(static_cast<std::uint32_t>(x.isolation));
  pb.set_primary_key(x.primary_key);
  pb.set_coordinator(x.coordinator);
  pb.set_three_phase(x.three_phase);
  for (auto peer : x.peers)
    pb.add_peers(peer);
  return pb.SerializeAsString();
}

bool decode(const std::string& bytes, prepare_request& out) {
  wire::Prepare pb;
  if (!pb.ParseFromString(bytes) ||
      !detail::get_isolation(pb.isolation(), out.isolation))
    return false;
  out.txn = pb.txn();
  out.shard = pb.shard();
  out.start_ts = pb.start_ts();
  detail::get_writes(pb.writes(), out.writes);
  out.reads.assign(pb.reads().begin(), pb.reads().end());
  out.primary_key = pb.primary_key();
  out.coordinator = pb.coordinator();
  out.three_phase = pb.three_phase();
  out.peers.assign(pb.peers().begin(), pb.peers().end());
  return true;
}

std::string encode(const vote& x) {
  wire::Vote pb;
  pb.set_txn(x.txn);
  pb.set_shard(x.shard);
  pb.set_yes(x.yes);
  pb.set_code(static_cast<std::uint32_t>(x.code));
  pb.set_reason(x.reason);
  pb.set_conflict_key(x.conflict_key);
  pb.set_conflict_ts(x.conflict_ts);
  pb.set_conflict_txn(x.conflict_txn);
  pb.set_min_commit_ts(x.min_commit_ts);
  return pb.SerializeAsString();
}

bool decode(const std::string& bytes, vote& out) {
  wire::Vote pb;
  if (!pb.ParseFromString(bytes) || !detail::get_errc(pb.code(), out.code))
    return false;
  out.txn = pb.txn();
  out.shard = pb.shard();
  out.yes = pb.yes();
  out.reason = pb.reason();
  out.conflict_key = pb.conflict_key();
  out.conflict_ts = pb.conflict_ts();
  out.conflict_txn = pb.conflict_txn();
  out.min_commit_ts = pb.min_commit_ts();
  return true;
}

namespace {

/// Commit and PreCommit share one wire message.
template <class Request>
std::string encode_commit(const Request& x) {
  wire::Commit pb;
  pb.set_txn(x.txn);
  pb.set_shard(x.shard);
  pb.set_commit_ts(x.commit_ts);
  return pb.SerializeAsString();
}

template <class Request>
bool decode_commit(const std::string& bytes, Request& out) {
  wire::Commit pb;
  if (!pb.ParseFromString(bytes)) return false;
  out = {pb.txn(), pb.shard(), pb.commit_ts()};
  return true;
}

} // namespace

std::string encode(const commit_request& x) {
  return encode_commit(x);
}

bool decode(const std::string& bytes, commit_request& out) {
  return decode_commit(bytes, out);
}

std::string encode(const precommit_request& x) {
  return encode_commit(x);
}

bool decode(const std::string& bytes, precommit_request& out) {
  return decode_commit(bytes, out);
}

std::string encode(const abort_request& x) {
  wire::Abort pb;
  pb.set_txn(x.txn);
  pb.set_shard(x.shard);
  pb.set_start_ts(x.start_ts);
  return pb.SerializeAsString();
}

bool decode(const std::string& bytes, abort_request& out) {
  wire::Abort pb;
  if (!pb.ParseFromString(bytes)) return false;
  out = {pb.txn(), pb.shard(), pb.start_ts()};
  return true;
}

std::string encode(const one_phase_request& x) {
  wire::OnePhase pb;
  pb.set_txn(x.txn);
  pb.set_shard(x.shard);
  pb.set_start_ts(x.start_ts);
  pb.set_commit_ts(x.commit_ts);
  detail::put_writes(x.writes, *pb.mutable_writes());
  for (const auto& r : x.reads)
    pb.add_reads(r);
  pb.set_isolation(static_cast<std::uint32_t>(x.isolation));
  return pb.SerializeAsString();
}

bool decode(const std::string& bytes, one_phase_request& out) {
  wire::OnePhase pb;
  if (!pb.ParseFromString(bytes) ||
      !detail::get_isolation(pb.isolation(), out.isolation))
    return false;
  out.txn = pb.txn();
  out.shard = pb.shard();
  out.start_ts = pb.start_ts();
  out.commit_ts = pb.commit_ts();
  detail::get_writes(pb.writes(), out.writes);
  out.reads.assign(pb.reads().begin(), pb.reads().end());
  return true;
}

std::string encode(const ack& x) {
  wire::Ack pb;
  pb.set_txn(x.txn);
  pb.set_shard(x.shard);
  return pb.SerializeAsString();
}

bool decode(const std::string& bytes, ack& out) {
  wire::Ack pb;
  if (!pb.ParseFromString(bytes)) return false;
  out = {pb.txn(), pb.shard()};
  return true;
}

std::string encode(const read_request& x) {
  wire::Read pb;
  pb.set_shard(x.shard);
  pb.set_key(x.key);
  pb.set_ts(x.ts);
  return pb.SerializeAsString();
}

bool decode(const std::string& bytes, read_request& out) {
  wire::Read pb;
  if (!pb.ParseFromString(bytes)) return false;
  out = {pb.shard(), pb.key(), pb.ts()};
  return true;
}

std::string encode(const read_reply& x) {
  wire::ReadReply pb;
  detail::put_read_reply(x, pb);
  return pb.SerializeAsString();
}

bool decode(const std::string& bytes, read_reply& out) {
  wire::ReadReply pb;
  if (!pb.ParseFromString(bytes)) return false;
  out = detail::get_read_reply(pb);
  return true;
}

std::string encode(const scan_request& x) {
  wire::Scan pb;
  pb.set_shard(x.shard);
  pb.set_prefix(x.prefix);
  pb.set_ts(x.ts);
  pb.set_limit(x.limit);
  pb.set_after(x.after);
  pb.set_max_bytes(x.max_bytes);
  return pb.SerializeAsString();
}

bool decode(const std::string& bytes, scan_request& out) {
  wire::Scan pb;
  if (!pb.ParseFromString(bytes)) return false;
  out = {pb.shard(), pb.prefix(), pb.ts(),
         pb.limit(), pb.after(),  pb.max_bytes()};
  return true;
}

std::string encode(const scan_reply& x) {
  wire::ScanReply pb;
  for (const auto& kv : x.rows) {
    auto* row = pb.add_rows();
    row->set_key(kv.key);
    row->set_value(kv.value);
  }
  pb.set_truncated(x.truncated);
  pb.set_resume(x.resume);
  return pb.SerializeAsString();
}

bool decode(const std::string& bytes, scan_reply& out) {
  wire::ScanReply pb;
  if (!pb.ParseFromString(bytes)) return false;
  out.rows.clear();
  out.rows.reserve(pb.rows_size());
  for (const auto& row : pb.rows())
    out.rows.push_back({row.key(), row.value()});
  out.truncated = pb.truncated();
  out.resume = pb.resume();
  return true;
}

std::string encode(const validate_request& x) {
  wire::Validate pb;
  pb.set_txn(x.txn);
  pb.set_shard(x.shard);
  pb.set_start_ts(x.start_ts);
  for (const auto& k : x.keys)
    pb.add_keys(k);
  return pb.SerializeAsString();
}

bool decode(const std::string& bytes, validate_request& out) {
  wire::Validate pb;
  if (!pb.ParseFromString(bytes)) return false;
  out.txn = pb.txn();
  out.shard = pb.shard();
  out.start_ts = pb.start_ts();
  out.keys.assign(pb.keys().begin(), pb.keys().end());
  return true;
}

std::string encode(const outcome_request& x) {
  wire::OutcomeQuery pb;
  pb.set_txn(x.txn);
  pb.set_shard(x.shard);
  return pb.SerializeAsString();
}

bool decode(const std::string& bytes, outcome_request& out) {
  wire::OutcomeQuery pb;
  if (!pb.ParseFromString(bytes)) return false;
  out = {pb.txn(), pb.shard()};
  return true;
}

std::string encode(const txn_outcome& x) {
  wire::Outcome pb;
  pb.set_txn(x.txn);
  pb.set_shard(x.shard);
  pb.set_state(static_cast<std::uint32_t>(x.state));
  pb.set_start_ts(x.start_ts);
  pb.set_commit_ts(x.commit_ts);
  return pb.SerializeAsString();
}

bool decode(const std::string& bytes, txn_outcome& out) {
  wire::Outcome pb;
  if (!pb.ParseFromString(bytes) ||
      pb.state() > static_cast<std::uint32_t>(outcome_state::precommitted))
    return false;
  out.txn = pb.txn();
  out.shard = pb.shard();
  out.state = static_cast<outcome_state>(pb.state());
  out.start_ts = pb.start_ts();
  out.commit_ts = pb.commit_ts();
  return true;
}

} // namespace troupe::actors
