#pragma once

#include <cstdint>

namespace troupe::ring {

/// The seed document's naive placement, h(x) = (x mod m) + 1: the 1-based
/// number of the node among `m` nodes that holds `x`. Kept only as the
/// baseline that `simulate` and the docs compare the ring against: changing
/// `m` moves almost every x. Precondition: m > 0.
[[nodiscard]] constexpr std::uint32_t modulo_node(std::uint64_t x,
                                                  std::uint32_t m) noexcept {
  return static_cast<std::uint32_t>(x % m) + 1;
}

} // namespace troupe::ring
