#pragma once

#include <string>
#include <string_view>

#include "records.pb.h"
#include "rocks_status.hpp"

// Stored records are protobuf messages (proto/records.proto). Decoding
// failures become corrupt_record errors naming the key, never a crash.
namespace troupe::mvcc {

/// Returns `msg` in wire form.
template <class Message>
[[nodiscard]] std::string encode(const Message& msg) {
  return msg.SerializeAsString();
}

/// Returns the `Message` stored as `bytes` under user key `key`. Errors:
/// corrupt_record ("key 'K': unreadable <kind> record").
template <class Message>
[[nodiscard]] result<Message> decode(std::string_view bytes,
                                     const std::string& key, const char* kind) {
  Message msg;
  if (!msg.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return key_error(errc::corrupt_record, key,
                     std::string{"unreadable "} + kind + " record");
  return msg;
}

} // namespace troupe::mvcc
