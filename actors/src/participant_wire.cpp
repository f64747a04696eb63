// Protobuf encoding of the participant protocol (proto/txn.proto).
#include "troupe/actors/participant_messages.hpp"

#include <climits>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

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

// A scan's answer carries up to a page of rows (256 KiB by default), the
// largest message on the wire. It is written and read in protobuf's wire
// format (txn.proto's ScanReply, byte for byte what the generated code
// writes) without building a protobuf object per row: each side copies a
// key or value once instead of twice, and the sender allocates nothing per
// row.
namespace {

using wfl = google::protobuf::internal::WireFormatLite;
using google::protobuf::io::CodedInputStream;
using google::protobuf::io::CodedOutputStream;

constexpr std::uint32_t tag_of(int field, wfl::WireType type) {
  return static_cast<std::uint32_t>(field) << 3 | type;
}

std::size_t bytes_field_size(const std::string& s) {
  // A proto3 bytes field is left out when empty.
  return s.empty() ? 0
                   : 1 +
                       CodedOutputStream::VarintSize32(
                         static_cast<std::uint32_t>(s.size())) +
                       s.size();
}

std::size_t row_size(const key_value& kv) {
  return bytes_field_size(kv.key) + bytes_field_size(kv.value);
}

std::uint8_t* put_bytes_field(int field, const std::string& s,
                              std::uint8_t* at) {
  if (s.empty()) return at;
  at = CodedOutputStream::WriteTagToArray(
    tag_of(field, wfl::WIRETYPE_LENGTH_DELIMITED), at);
  at = CodedOutputStream::WriteVarint32ToArray(
    static_cast<std::uint32_t>(s.size()), at);
  return CodedOutputStream::WriteRawToArray(s.data(),
                                            static_cast<int>(s.size()), at);
}

/// Reads one KeyValue of `size` bytes into `out`: fields 1 and 2, unknown
/// fields skipped, the last occurrence winning (as protobuf parses).
bool get_row(CodedInputStream& in, std::uint32_t size, key_value& out) {
  auto limit = in.PushLimit(static_cast<int>(size));
  while (!in.ExpectAtEnd()) {
    auto tag = in.ReadTag();
    if (tag == 0) return false;
    auto field = wfl::GetTagFieldNumber(tag);
    bool bytes = wfl::GetTagWireType(tag) == wfl::WIRETYPE_LENGTH_DELIMITED;
    if (bytes && field == 1) {
      if (!wfl::ReadBytes(&in, &out.key)) return false;
    } else if (bytes && field == 2) {
      if (!wfl::ReadBytes(&in, &out.value)) return false;
    } else if (!wfl::SkipField(&in, tag)) {
      return false;
    }
  }
  in.PopLimit(limit);
  return true;
}

} // namespace

std::string encode(const scan_reply& x) {
  std::size_t size = 0;
  for (const auto& kv : x.rows) {
    auto n = row_size(kv);
    size +=
      1 + CodedOutputStream::VarintSize32(static_cast<std::uint32_t>(n)) + n;
  }
  if (x.truncated) size += 2;
  size += bytes_field_size(x.resume);
  std::string out(size, '\0');
  auto* at = reinterpret_cast<std::uint8_t*>(out.data());
  for (const auto& kv : x.rows) {
    at = CodedOutputStream::WriteTagToArray(
      tag_of(1, wfl::WIRETYPE_LENGTH_DELIMITED), at);
    at = CodedOutputStream::WriteVarint32ToArray(
      static_cast<std::uint32_t>(row_size(kv)), at);
    at = put_bytes_field(1, kv.key, at);
    at = put_bytes_field(2, kv.value, at);
  }
  if (x.truncated) {
    at =
      CodedOutputStream::WriteTagToArray(tag_of(2, wfl::WIRETYPE_VARINT), at);
    at = CodedOutputStream::WriteVarint32ToArray(1, at);
  }
  put_bytes_field(3, x.resume, at);
  return out;
}

bool decode(const std::string& bytes, scan_reply& out) {
  if (bytes.size() > static_cast<std::size_t>(INT_MAX)) return false;
  CodedInputStream in{reinterpret_cast<const std::uint8_t*>(bytes.data()),
                      static_cast<int>(bytes.size())};
  out.rows.clear();
  out.truncated = false;
  out.resume.clear();
  while (!in.ExpectAtEnd()) {
    auto tag = in.ReadTag();
    if (tag == 0) return false;
    auto field = wfl::GetTagFieldNumber(tag);
    auto type = wfl::GetTagWireType(tag);
    if (field == 1 && type == wfl::WIRETYPE_LENGTH_DELIMITED) {
      // A row cannot be longer than what is left of the input.
      std::uint32_t size = 0;
      if (!in.ReadVarint32(&size) ||
          size > bytes.size() - static_cast<std::size_t>(in.CurrentPosition()))
        return false;
      if (!get_row(in, size, out.rows.emplace_back())) return false;
    } else if (field == 2 && type == wfl::WIRETYPE_VARINT) {
      std::uint64_t v = 0;
      if (!in.ReadVarint64(&v)) return false;
      out.truncated = v != 0;
    } else if (field == 3 && type == wfl::WIRETYPE_LENGTH_DELIMITED) {
      if (!wfl::ReadBytes(&in, &out.resume)) return false;
    } else if (!wfl::SkipField(&in, tag)) {
      return false;
    }
  }
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
