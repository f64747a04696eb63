// Protobuf encoding of the client-facing transaction protocol
// (proto/txn.proto).
#include "troupe/actors/transaction_messages.hpp"

#include "txn.pb.h"
#include "txn_wire.hpp"

namespace troupe::actors {

namespace {

using pb_values = google::protobuf::RepeatedPtrField<wire::ReadReply>;

void put_values(const std::vector<read_reply>& in, pb_values& out) {
  out.Reserve(static_cast<int>(in.size()));
  for (const auto& v : in)
    detail::put_read_reply(v, *out.Add());
}

void get_values(const pb_values& in, std::vector<read_reply>& out) {
  out.clear();
  out.reserve(static_cast<std::size_t>(in.size()));
  for (const auto& r : in)
    out.push_back(detail::get_read_reply(r));
}

} // namespace

std::string encode(const txn_begin& x) {
  wire::TxnBegin pb;
  pb.set_isolation(static_cast<std::uint32_t>(x.isolation));
  pb.set_three_phase(x.three_phase);
  for (const auto& k : x.prefetch)
    pb.add_prefetch(k);
  pb.set_by_id(x.by_id);
  return pb.SerializeAsString();
}

bool decode(const std::string& bytes, txn_begin& out) {
  wire::TxnBegin pb;
  if (!pb.ParseFromString(bytes) ||
      !detail::get_isolation(pb.isolation(), out.isolation))
    return false;
  out.three_phase = pb.three_phase();
  out.prefetch.assign(pb.prefetch().begin(), pb.prefetch().end());
  out.by_id = pb.by_id();
  return true;
}

std::string encode(const txn_started& x) {
  wire::TxnStarted pb;
  pb.set_txn(x.txn);
  pb.set_start_ts(x.start_ts);
  put_values(x.values, *pb.mutable_values());
  return pb.SerializeAsString();
}

bool decode(const std::string& bytes, txn_started& out) {
  wire::TxnStarted pb;
  if (!pb.ParseFromString(bytes)) return false;
  out.txn = pb.txn();
  out.start_ts = pb.start_ts();
  get_values(pb.values(), out.values);
  return true;
}

std::string encode(const txn_get& x) {
  wire::TxnGet pb;
  pb.set_key(x.key);
  return pb.SerializeAsString();
}

bool decode(const std::string& bytes, txn_get& out) {
  wire::TxnGet pb;
  if (!pb.ParseFromString(bytes)) return false;
  out.key = pb.key();
  return true;
}

std::string encode(const txn_put& x) {
  wire::TxnPut pb;
  pb.set_key(x.key);
  pb.set_value(x.value);
  return pb.SerializeAsString();
}

bool decode(const std::string& bytes, txn_put& out) {
  wire::TxnPut pb;
  if (!pb.ParseFromString(bytes)) return false;
  out = {pb.key(), pb.value()};
  return true;
}

std::string encode(const txn_erase& x) {
  wire::TxnErase pb;
  pb.set_key(x.key);
  return pb.SerializeAsString();
}

bool decode(const std::string& bytes, txn_erase& out) {
  wire::TxnErase pb;
  if (!pb.ParseFromString(bytes)) return false;
  out.key = pb.key();
  return true;
}

std::string encode(const txn_scan& x) {
  wire::TxnScan pb;
  pb.set_prefix(x.prefix);
  pb.set_limit(x.limit);
  pb.set_after(x.after);
  pb.set_max_bytes(x.max_bytes);
  return pb.SerializeAsString();
}

bool decode(const std::string& bytes, txn_scan& out) {
  wire::TxnScan pb;
  if (!pb.ParseFromString(bytes)) return false;
  out = {pb.prefix(), pb.limit(), pb.after(), pb.max_bytes()};
  return true;
}

std::string encode(const txn_commit& x) {
  wire::TxnCommit pb;
  detail::put_writes(x.writes, *pb.mutable_writes());
  return pb.SerializeAsString();
}

bool decode(const std::string& bytes, txn_commit& out) {
  wire::TxnCommit pb;
  if (!pb.ParseFromString(bytes)) return false;
  detail::get_writes(pb.writes(), out.writes);
  return true;
}

std::string encode(const txn_committed& x) {
  wire::TxnCommitted pb;
  pb.set_txn(x.txn);
  pb.set_commit_ts(x.commit_ts);
  pb.set_one_phase(x.one_phase);
  return pb.SerializeAsString();
}

bool decode(const std::string& bytes, txn_committed& out) {
  wire::TxnCommitted pb;
  if (!pb.ParseFromString(bytes)) return false;
  out = {pb.txn(), pb.commit_ts(), pb.one_phase()};
  return true;
}

std::string encode(const txn_resolve& x) {
  wire::TxnResolve pb;
  pb.set_txn(x.txn);
  return pb.SerializeAsString();
}

bool decode(const std::string& bytes, txn_resolve& out) {
  wire::TxnResolve pb;
  if (!pb.ParseFromString(bytes)) return false;
  out.txn = pb.txn();
  return true;
}

std::string encode(const txn_ref& x) {
  wire::TxnRef pb;
  pb.set_txn(x.txn);
  return pb.SerializeAsString();
}

bool decode(const std::string& bytes, txn_ref& out) {
  wire::TxnRef pb;
  if (!pb.ParseFromString(bytes)) return false;
  out.txn = pb.txn();
  return true;
}

std::string encode(const txn_resolution& x) {
  wire::TxnResolution pb;
  pb.set_txn(x.txn);
  pb.set_state(static_cast<std::uint32_t>(x.state));
  pb.set_commit_ts(x.commit_ts);
  return pb.SerializeAsString();
}

bool decode(const std::string& bytes, txn_resolution& out) {
  wire::TxnResolution pb;
  if (!pb.ParseFromString(bytes) ||
      pb.state() > static_cast<std::uint32_t>(resolution::aborted))
    return false;
  out = {pb.txn(), static_cast<resolution>(pb.state()), pb.commit_ts()};
  return true;
}

std::string encode(const txn_get_many& x) {
  wire::TxnGetMany pb;
  pb.mutable_keys()->Reserve(static_cast<int>(x.keys.size()));
  for (const auto& k : x.keys)
    pb.add_keys(k);
  return pb.SerializeAsString();
}

bool decode(const std::string& bytes, txn_get_many& out) {
  wire::TxnGetMany pb;
  if (!pb.ParseFromString(bytes)) return false;
  out.keys.assign(pb.keys().begin(), pb.keys().end());
  return true;
}

std::string encode(const txn_values& x) {
  wire::TxnValues pb;
  put_values(x.values, *pb.mutable_values());
  return pb.SerializeAsString();
}

bool decode(const std::string& bytes, txn_values& out) {
  wire::TxnValues pb;
  if (!pb.ParseFromString(bytes)) return false;
  get_values(pb.values(), out.values);
  return true;
}

std::string encode(const txn_abort&) {
  return wire::TxnAbort{}.SerializeAsString();
}

bool decode(const std::string& bytes, txn_abort&) {
  wire::TxnAbort pb;
  return pb.ParseFromString(bytes);
}

} // namespace troupe::actors
