#include "troupe/ring/hash.hpp"

#include <array>
#include <charconv>
#include <cstring>
#include <string>

#include <xxhash.h>

namespace troupe::ring {

std::uint64_t hash_key(std::string_view key) noexcept {
  return XXH64(key.data(), key.size(), hash_seed);
}

std::uint64_t hash_vnode(std::string_view name, std::uint32_t index) noexcept {
  // Names are short (the config allows 64 bytes), so the bytes are assembled
  // on the stack; a longer name falls back to the heap.
  std::array<char, 96> buf;
  std::string heap;
  char* first = buf.data();
  std::size_t cap = buf.size();
  if (name.size() + 12 > cap) {
    heap.resize(name.size() + 12);
    first = heap.data();
    cap = heap.size();
  }
  std::memcpy(first, name.data(), name.size());
  first[name.size()] = '#';
  auto end = std::to_chars(first + name.size() + 1, first + cap, index).ptr;
  return XXH64(first, static_cast<std::size_t>(end - first), hash_seed);
}

std::uint64_t hash_shard(std::uint32_t shard) noexcept {
  std::array<unsigned char, 8> bytes{};
  std::uint64_t v = shard;
  for (auto& b : bytes) {
    b = static_cast<unsigned char>(v & 0xff);
    v >>= 8;
  }
  return XXH64(bytes.data(), bytes.size(), hash_seed);
}

std::string_view hash_tag_of(std::string_view key) noexcept {
  auto open = key.find('{');
  if (open == std::string_view::npos) return key;
  auto close = key.find('}', open + 1);
  if (close == std::string_view::npos || close == open + 1) return key;
  return key.substr(open + 1, close - open - 1);
}

std::uint32_t shard_of(std::string_view key, std::uint32_t shards) noexcept {
  return static_cast<std::uint32_t>(hash_key(hash_tag_of(key)) % shards);
}

} // namespace troupe::ring
