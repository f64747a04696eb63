#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "troupe/mvcc/types.hpp"

// Order-preserving key encoding (docs/mvcc.md, "Key encoding").
//
//   lock key     shard(4, BE) | esc(user key)
//   version key  lock key | ~commit_ts(8, BE)     newest version first
//   txn key      shard(4, BE) | txn id(8, BE)
//
// esc() is memcomparable: 0x00 becomes 0x00 0xFF and the key ends with
// 0x00 0x01, so byte order of encodings equals byte order of user keys and
// esc(p) without its terminator is a prefix of esc(k) for every k starting
// with p.
namespace troupe::mvcc::codec {

/// Appends `v` big-endian.
void put_u32(std::string& out, std::uint32_t v);
void put_u64(std::string& out, std::uint64_t v);
/// Reads a big-endian integer at `pos`; `in` must be long enough.
[[nodiscard]] std::uint32_t get_u32(std::string_view in, std::size_t pos);
[[nodiscard]] std::uint64_t get_u64(std::string_view in, std::size_t pos);

/// Appends esc(key) including the terminator.
void append_escaped(std::string& out, std::string_view key);

/// Returns shard | esc(key).
[[nodiscard]] std::string lock_key(shard_id shard, std::string_view key);

/// Returns shard | esc(key) | ~commit_ts.
[[nodiscard]] std::string version_key(shard_id shard, std::string_view key,
                                      timestamp commit_ts);

/// Returns the smallest encoded key above every version key of `key`:
/// shard | esc(key) with the terminator's last byte raised to 0x02.
[[nodiscard]] std::string after_versions(shard_id shard, std::string_view key);

/// Returns shard | txn.
[[nodiscard]] std::string txn_key(shard_id shard, txn_id txn);

/// Returns shard (the prefix of every key of the shard).
[[nodiscard]] std::string shard_prefix(shard_id shard);

/// Returns the smallest key above every key of `shard` ("" for the last).
[[nodiscard]] std::string shard_end(shard_id shard);

/// Returns the encoded bound for user key `key` in a range of `shard`:
/// shard | esc(key) (terminator included: for begin/end bounds it orders
/// before every longer key, as a user key does).
[[nodiscard]] std::string range_bound(shard_id shard, std::string_view key);

/// A decoded version or lock key.
struct decoded_key {
  shard_id shard = 0;
  std::string user_key;
  timestamp commit_ts = 0;  ///< version keys only
  std::size_t user_end = 0; ///< offset just past the escaped user key
};

/// Decodes a lock key (`with_ts` false) or version key (`with_ts` true);
/// nullopt when malformed.
[[nodiscard]] std::optional<decoded_key> decode(std::string_view encoded,
                                                bool with_ts);

/// Decodes a txn key; nullopt when malformed.
[[nodiscard]] std::optional<std::pair<shard_id, txn_id>>
decode_txn_key(std::string_view encoded);

} // namespace troupe::mvcc::codec
