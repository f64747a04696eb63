#include "key_codec.hpp"

namespace troupe::mvcc::codec {

namespace {

constexpr char escape_byte = '\x00';
constexpr char escaped_zero = '\xff';
constexpr char terminator = '\x01';

} // namespace

void put_u32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xff));
}

void put_u64(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xff));
}

std::uint32_t get_u32(std::string_view in, std::size_t pos) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i)
    v = (v << 8) | static_cast<unsigned char>(in[pos + i]);
  return v;
}

std::uint64_t get_u64(std::string_view in, std::size_t pos) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i)
    v = (v << 8) | static_cast<unsigned char>(in[pos + i]);
  return v;
}

void append_escaped(std::string& out, std::string_view key) {
  out.reserve(out.size() + key.size() + 2);
  for (char c : key) {
    out.push_back(c);
    if (c == escape_byte) out.push_back(escaped_zero);
  }
  out.push_back(escape_byte);
  out.push_back(terminator);
}

std::string shard_prefix(shard_id shard) {
  std::string out;
  put_u32(out, shard);
  return out;
}

std::string shard_end(shard_id shard) {
  if (shard == UINT32_MAX) return {};
  return shard_prefix(shard + 1);
}

std::string lock_key(shard_id shard, std::string_view key) {
  auto out = shard_prefix(shard);
  append_escaped(out, key);
  return out;
}

std::string range_bound(shard_id shard, std::string_view key) {
  return lock_key(shard, key);
}

std::string version_key(shard_id shard, std::string_view key,
                        timestamp commit_ts) {
  auto out = lock_key(shard, key);
  put_u64(out, ~commit_ts);
  return out;
}

std::string after_versions(shard_id shard, std::string_view key) {
  auto out = lock_key(shard, key);
  out.back() = '\x02';
  return out;
}

std::string txn_key(shard_id shard, txn_id txn) {
  auto out = shard_prefix(shard);
  put_u64(out, txn);
  return out;
}

std::optional<decoded_key> decode(std::string_view encoded, bool with_ts) {
  if (encoded.size() < 4) return std::nullopt;
  decoded_key out;
  out.shard = get_u32(encoded, 0);
  out.user_key.reserve(encoded.size() - 4);
  std::size_t i = 4;
  for (;;) {
    // Copies the run up to the next escape byte at once (scans decode a
    // key per version they pass).
    auto at = encoded.find(escape_byte, i);
    if (at == std::string_view::npos) return std::nullopt;
    out.user_key.append(encoded.data() + i, at - i);
    i = at + 1;
    if (i >= encoded.size()) return std::nullopt;
    char next = encoded[i++];
    if (next == escaped_zero) {
      out.user_key.push_back(escape_byte);
    } else if (next == terminator) {
      break;
    } else {
      return std::nullopt;
    }
  }
  out.user_end = i;
  std::size_t want = i + (with_ts ? 8 : 0);
  if (encoded.size() != want) return std::nullopt;
  if (with_ts) out.commit_ts = ~get_u64(encoded, i);
  return out;
}

std::optional<std::pair<shard_id, txn_id>>
decode_txn_key(std::string_view encoded) {
  if (encoded.size() != 12) return std::nullopt;
  return std::make_pair(get_u32(encoded, 0), get_u64(encoded, 4));
}

} // namespace troupe::mvcc::codec
