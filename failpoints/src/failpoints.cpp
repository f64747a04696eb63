#include "troupe/failpoints/failpoints.hpp"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "registry.hpp"

namespace troupe::failpoints {

namespace {

std::once_flag env_once;

status read_env() {
  const char* seed_text = std::getenv("TROUPE_FAILPOINTS_SEED");
  const char* config_text = std::getenv("TROUPE_FAILPOINTS");
  std::string_view config = config_text ? config_text : "";
  if (!config.empty() && !enabled_in_build())
    return status::fail("fail points are compiled out of this build "
                        "(configure with -DTROUPE_FAILPOINTS=ON)");
  std::optional<std::uint64_t> seed;
  if (seed_text && *seed_text) {
    char* end = nullptr;
    errno = 0;
    seed = std::strtoull(seed_text, &end, 10);
    if (*seed_text < '0' || *seed_text > '9' || *end != '\0' || errno != 0)
      return status::fail(std::string{"TROUPE_FAILPOINTS_SEED: '"} + seed_text +
                          "' is not an unsigned 64-bit integer");
  }
  std::vector<config_entry> entries;
  if (auto st = parse_config(config, entries); !st) return st;
  return detail::registry::instance().apply(entries, seed);
}

[[noreturn]] void exit_bad_env(const status& st) {
  std::fprintf(stderr, "troupe: TROUPE_FAILPOINTS: %s\n", st.reason().c_str());
  std::fflush(stderr);
  std::_Exit(2);
}

[[noreturn]] void crash(const char* name, std::uint64_t hit) {
  // One line a test can look for; stderr is unbuffered, the flush is for
  // the case where someone made it buffered.
  std::fprintf(stderr, "troupe: fail point %s crashed the process (hit %llu)\n",
               name, static_cast<unsigned long long>(hit));
  std::fflush(stderr);
  std::_Exit(crash_exit_code);
}

} // namespace

namespace detail {

void ensure_loaded() {
  std::call_once(env_once, [] {
    if (auto st = read_env(); !st) exit_bad_env(st);
  });
}

site::site(const char* name) : slot(&registry::instance().get(name, true)) {}

bool evaluate(site& s, const char* name) {
  ensure_loaded();
  // A site reached during static initialization, before its own
  // constructor ran, finds its entry by name.
  entry& e = s.slot ? *s.slot : registry::instance().get(name, true);
  if (!e.active.load(std::memory_order_acquire)) return false;
  decision d = decide(e);
  switch (d.what) {
  case action::off:
    return false;
  case action::error:
    return true;
  case action::crash:
    crash(name, d.hit);
  case action::delay:
    std::this_thread::sleep_for(std::chrono::milliseconds{d.delay_ms});
    return false;
  }
  return false;
}

} // namespace detail

bool enabled_in_build() noexcept {
#ifdef TROUPE_FAILPOINTS
  return true;
#else
  return false;
#endif
}

status set(std::string_view name, std::string_view spec_text) {
  detail::ensure_loaded();
  if (!is_valid_name(name))
    return status::fail("invalid fail-point name '" + std::string{name} +
                        "' (dot-separated words of a-z, 0-9, _)");
  spec s;
  if (auto st = parse_spec(spec_text, s); !st)
    return status::fail("fail point '" + std::string{name} +
                        "': " + st.reason());
  return detail::registry::instance().apply({{std::string{name}, s}});
}

status configure(std::string_view config_text) {
  detail::ensure_loaded();
  std::vector<config_entry> entries;
  if (auto st = parse_config(config_text, entries); !st) return st;
  return detail::registry::instance().apply(entries);
}

void clear(std::string_view name) {
  detail::ensure_loaded();
  detail::registry::instance().clear(name);
}

void clear_all() {
  detail::ensure_loaded();
  detail::registry::instance().clear_all();
}

void set_seed(std::uint64_t seed) {
  detail::ensure_loaded();
  detail::registry::instance().set_seed(seed);
}

status load_from_env() {
  bool first = false;
  status result;
  std::call_once(env_once, [&] {
    first = true;
    result = read_env();
  });
  if (!first) result = read_env();
  // Also after a failure: the site flag must stop saying "not read yet".
  (void)detail::registry::instance().apply({});
  return result;
}

std::uint64_t hits(std::string_view name) {
  detail::entry* e = detail::registry::instance().find(name);
  if (!e) return 0;
  std::lock_guard<std::mutex> guard{e->mu};
  return e->hits;
}

std::uint64_t fired(std::string_view name) {
  detail::entry* e = detail::registry::instance().find(name);
  if (!e) return 0;
  std::lock_guard<std::mutex> guard{e->mu};
  return e->fired;
}

std::optional<spec> current(std::string_view name) {
  detail::entry* e = detail::registry::instance().find(name);
  if (!e) return std::nullopt;
  std::lock_guard<std::mutex> guard{e->mu};
  if (!e->configured) return std::nullopt;
  return e->config;
}

std::vector<std::string> list() {
  return detail::registry::instance().names_with_site();
}

} // namespace troupe::failpoints
