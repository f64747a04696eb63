#pragma once

#include <cstdint>
#include <string_view>

namespace troupe::ring {

// Every position on the ring is XXH64 (the 64-bit xxHash of xxHash 0.6+,
// whose output is frozen and the same on every platform) with `hash_seed`.
// Placement is part of the cluster's persistent state: changing the function,
// the seed or the byte encodings below moves every shard. Never change them.

/// The seed of every ring hash: the ASCII bytes "troupe" as a big-endian
/// integer (0x74726f757065).
inline constexpr std::uint64_t hash_seed = 0x74726f757065ULL;

/// Returns XXH64(key bytes, hash_seed): the ring position of a key.
[[nodiscard]] std::uint64_t hash_key(std::string_view key) noexcept;

/// Returns the ring position of virtual node `index` of the node called
/// `name`: XXH64 of the bytes of `name`, '#', then `index` in decimal
/// (e.g. "n1#0", "n1#1", ...).
[[nodiscard]] std::uint64_t hash_vnode(std::string_view name,
                                       std::uint32_t index) noexcept;

/// Returns the ring position of shard `shard`: XXH64 of the 8-byte
/// little-endian encoding of `shard`.
[[nodiscard]] std::uint64_t hash_shard(std::uint32_t shard) noexcept;

/// Returns the part of `key` that places it (its hash tag, as in Redis
/// Cluster): when `key` holds a `{` and, after it, a `}` with at least one
/// byte between them, the bytes between the first `{` and the first `}`
/// after it; otherwise the whole key. Keys with the same tag share a shard
/// ("acct/{7}" and "journal/{7}/t1" both place by "7").
[[nodiscard]] std::string_view hash_tag_of(std::string_view key) noexcept;

/// Returns the shard of `key` among `shards` shards:
/// hash_key(hash_tag_of(key)) % shards. Depends only on the key and the
/// shard count, never on membership. Precondition: shards > 0.
[[nodiscard]] std::uint32_t shard_of(std::string_view key,
                                     std::uint32_t shards) noexcept;

} // namespace troupe::ring
