// What a fail-point site costs. Compiled with TROUPE_FAILPOINTS in every
// build (a Release build would otherwise make every site the constant
// `false`, which `no_site` stands for). Results: bench/README.md.
#ifndef TROUPE_FAILPOINTS
#define TROUPE_FAILPOINTS 1
#endif
#include "troupe/failpoints/failpoints.hpp"

#include <benchmark/benchmark.h>

namespace fp = troupe::failpoints;

namespace {

bool site() {
  return TROUPE_FAILPOINT("bench.site");
}
bool other_site() {
  return TROUPE_FAILPOINT("bench.other");
}

/// Configures `name` for the whole benchmark or fails it.
bool setup(benchmark::State& state, const char* name, const char* spec) {
  fp::clear_all();
  if (name == nullptr) return true;
  auto st = fp::set(name, spec);
  if (!st) state.SkipWithError(st.reason().c_str());
  return st.ok();
}

/// The loop alone: what a compiled-out site costs.
void no_site(benchmark::State& state) {
  bool x = false;
  for (auto _ : state)
    benchmark::DoNotOptimize(x);
}

/// No fail point configured anywhere: one relaxed load.
void idle_site(benchmark::State& state) {
  if (state.thread_index() == 0 && !setup(state, nullptr, nullptr)) return;
  (void)site(); // the first hit reads the environment
  for (auto _ : state)
    benchmark::DoNotOptimize(site());
}

/// Another fail point configured: this site checks its own flag too.
void site_while_another_is_active(benchmark::State& state) {
  if (state.thread_index() == 0 && !setup(state, "bench.other", "error@p=0.5"))
    return;
  benchmark::DoNotOptimize(other_site());
  for (auto _ : state)
    benchmark::DoNotOptimize(site());
}

/// This site configured `off`: counted under its entry's mutex.
void configured_site(benchmark::State& state) {
  if (state.thread_index() == 0 && !setup(state, "bench.site", "off")) return;
  for (auto _ : state)
    benchmark::DoNotOptimize(site());
}

} // namespace

BENCHMARK(no_site);
BENCHMARK(idle_site)->Threads(1)->Threads(2);
BENCHMARK(site_while_another_is_active)->Threads(1)->Threads(2);
BENCHMARK(configured_site)->Threads(1)->Threads(2);

BENCHMARK_MAIN();
