#pragma once

// Helpers shared by the transaction wire codecs (private).

#include <google/protobuf/repeated_ptr_field.h>

#include "troupe/actors/participant_messages.hpp"
#include "txn.pb.h"

namespace troupe::actors::detail {

using pb_writes = google::protobuf::RepeatedPtrField<wire::WriteOp>;

inline void put_writes(const std::vector<write_op>& in, pb_writes& out) {
  out.Reserve(static_cast<int>(in.size()));
  for (const auto& w : in) {
    auto* op = out.Add();
    op->set_key(w.key);
    op->set_erase(!w.value.has_value());
    if (w.value) op->set_value(*w.value);
  }
}

inline void get_writes(const pb_writes& in, std::vector<write_op>& out) {
  out.clear();
  out.reserve(in.size());
  for (const auto& op : in)
    out.push_back(op.erase() ? write_op::erase(op.key())
                             : write_op::put(op.key(), op.value()));
}

inline void put_read_reply(const read_reply& in, wire::ReadReply& out) {
  out.set_found(in.value.has_value());
  if (in.value) out.set_value(*in.value);
}

[[nodiscard]] inline read_reply get_read_reply(const wire::ReadReply& in) {
  read_reply out;
  if (in.found()) out.value = in.value();
  return out;
}

[[nodiscard]] inline bool get_isolation(std::uint32_t raw,
                                        isolation_level& out) {
  if (raw > static_cast<std::uint32_t>(isolation_level::serializable))
    return false;
  out = static_cast<isolation_level>(raw);
  return true;
}

[[nodiscard]] inline bool get_errc(std::uint32_t raw, errc& out) {
  if (raw < static_cast<std::uint32_t>(errc::unavailable) ||
      raw > static_cast<std::uint32_t>(errc::internal))
    return false;
  out = static_cast<errc>(raw);
  return true;
}

} // namespace troupe::actors::detail
