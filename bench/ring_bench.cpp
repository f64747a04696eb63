// Ring lookups per second at 10, 100 and 1,000 nodes x 256 virtual nodes.
// Probes are random, so the larger rings miss the caches as a real router
// would. Results and the machine they ran on: bench/README.md.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "troupe/ring/hash.hpp"
#include "troupe/ring/modulo.hpp"
#include "troupe/ring/ring.hpp"

namespace {

using troupe::ring::ring;

constexpr std::uint32_t vnodes = 256;
constexpr std::size_t probe_count = 1 << 16; // a power of two: cheap wrap

std::vector<troupe::ring::node> equal_nodes(std::int64_t count) {
  std::vector<troupe::ring::node> nodes;
  for (std::int64_t i = 1; i <= count; ++i)
    nodes.push_back({"n" + std::to_string(i), 1});
  return nodes;
}

ring make_ring(std::int64_t nodes) {
  return troupe::ring::ring::make(equal_nodes(nodes), vnodes).value();
}

std::vector<std::uint64_t> random_hashes() {
  std::mt19937_64 rng{1};
  std::vector<std::uint64_t> hashes(probe_count);
  std::generate(hashes.begin(), hashes.end(), [&rng] { return rng(); });
  return hashes;
}

/// The ring's lookup from a precomputed 64-bit hash (the router's case).
void ring_owner_of_hash(benchmark::State& state) {
  auto r = make_ring(state.range(0));
  auto hashes = random_hashes();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(r.owner_index(hashes[i]));
    i = (i + 1) & (probe_count - 1);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["points"] = static_cast<double>(r.point_count());
}

/// Hashing a short string key with XXH64, then the lookup.
void ring_owner_of_key(benchmark::State& state) {
  auto r = make_ring(state.range(0));
  std::vector<std::string> keys;
  for (std::size_t k = 0; k < probe_count; ++k)
    keys.push_back("account/" + std::to_string(k));
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(&r.owner(keys[i]));
    i = (i + 1) & (probe_count - 1);
  }
  state.SetItemsProcessed(state.iterations());
}

/// What the bucket index saves: std::upper_bound over the same sorted
/// positions without it.
void plain_binary_search(benchmark::State& state) {
  std::vector<std::uint64_t> points;
  for (const auto& n : equal_nodes(state.range(0)))
    for (std::uint32_t v = 0; v < vnodes; ++v)
      points.push_back(troupe::ring::hash_vnode(n.name, v));
  std::sort(points.begin(), points.end());
  auto hashes = random_hashes();
  std::size_t i = 0;
  for (auto _ : state) {
    auto it = std::lower_bound(points.begin(), points.end(), hashes[i]);
    benchmark::DoNotOptimize(it == points.end() ? points.begin() : it);
    i = (i + 1) & (probe_count - 1);
  }
  state.SetItemsProcessed(state.iterations());
}

/// The modulo baseline, h(x) = (x mod m) + 1: one division.
void modulo_node(benchmark::State& state) {
  auto m = static_cast<std::uint32_t>(state.range(0));
  auto hashes = random_hashes();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(troupe::ring::modulo_node(hashes[i], m));
    i = (i + 1) & (probe_count - 1);
  }
  state.SetItemsProcessed(state.iterations());
}

/// Building a ring: the cost of every membership change.
void ring_build(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(make_ring(state.range(0)).point_count());
}

} // namespace

BENCHMARK(ring_owner_of_hash)->Arg(10)->Arg(100)->Arg(1000);
BENCHMARK(ring_owner_of_key)->Arg(10)->Arg(100)->Arg(1000);
BENCHMARK(plain_binary_search)->Arg(10)->Arg(100)->Arg(1000);
BENCHMARK(modulo_node)->Arg(10)->Arg(100)->Arg(1000);
BENCHMARK(ring_build)->Arg(10)->Arg(1000)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
