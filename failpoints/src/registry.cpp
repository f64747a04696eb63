#include "registry.hpp"

namespace troupe::failpoints::detail {

namespace {

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/// FNV-1a: gives each name its own stream under one seed.
std::uint64_t hash_name(std::string_view name) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : name)
    h = (h ^ c) * 0x100000001b3ull;
  return h;
}

} // namespace

// Starts true so that the first site takes the slow path, which reads the
// environment and then stores the real value.
std::atomic<bool> any_active{true};

registry& registry::instance() {
  static registry* r = new registry;
  return *r;
}

entry& registry::get(std::string_view name, bool site) {
  std::lock_guard<std::mutex> guard{mu_};
  auto it = entries_.find(name);
  if (it == entries_.end())
    it = entries_.emplace(std::string{name}, std::make_unique<entry>()).first;
  if (site) it->second->has_site = true;
  return *it->second;
}

entry* registry::find(std::string_view name) {
  std::lock_guard<std::mutex> guard{mu_};
  auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : it->second.get();
}

status registry::apply(const std::vector<config_entry>& entries,
                       std::optional<std::uint64_t> seed) {
  std::lock_guard<std::mutex> guard{mu_};
  for (const auto& [name, s] : entries) {
    auto it = entries_.find(name);
    if (it == entries_.end() || !it->second->has_site)
      return status::fail("unknown fail point '" + name +
                          "': no site of that name in this program "
                          "(`troupe failpoints list` prints them)");
  }
  if (seed) seed_ = *seed;
  for (const auto& [name, s] : entries) {
    entry& e = *entries_.find(name)->second;
    std::lock_guard<std::mutex> entry_guard{e.mu};
    if (!e.configured) ++configured_;
    e.configured = true;
    e.config = s;
    e.hits = 0;
    e.fired = 0;
    e.rng = seed_ ^ hash_name(name);
    e.active.store(true, std::memory_order_release);
  }
  refresh_any_active();
  return {};
}

void registry::clear(std::string_view name) {
  std::lock_guard<std::mutex> guard{mu_};
  auto it = entries_.find(name);
  if (it == entries_.end()) return;
  entry& e = *it->second;
  std::lock_guard<std::mutex> entry_guard{e.mu};
  if (e.configured) --configured_;
  e.configured = false;
  e.active.store(false, std::memory_order_release);
  refresh_any_active();
}

void registry::clear_all() {
  std::lock_guard<std::mutex> guard{mu_};
  for (auto& [name, e] : entries_) {
    std::lock_guard<std::mutex> entry_guard{e->mu};
    e->configured = false;
    e->active.store(false, std::memory_order_release);
    e->hits = 0;
    e->fired = 0;
  }
  configured_ = 0;
  refresh_any_active();
}

void registry::set_seed(std::uint64_t seed) {
  std::lock_guard<std::mutex> guard{mu_};
  seed_ = seed;
}

std::vector<std::string> registry::names_with_site() {
  std::lock_guard<std::mutex> guard{mu_};
  std::vector<std::string> names;
  for (const auto& [name, e] : entries_)
    if (e->has_site) names.push_back(name);
  return names;
}

void registry::refresh_any_active() {
  any_active.store(configured_ > 0, std::memory_order_release);
}

decision decide(entry& e) {
  std::lock_guard<std::mutex> guard{e.mu};
  decision d;
  if (!e.configured) return d;
  d.hit = ++e.hits;
  const spec& s = e.config;
  if (s.what == action::off || d.hit <= s.after) return d;
  if (s.times > 0 && e.fired >= s.times) return d;
  if (s.probability < 1.0) {
    // 53 random bits -> a double in [0, 1).
    double draw = static_cast<double>(splitmix64(e.rng) >> 11) * 0x1.0p-53;
    if (draw >= s.probability) return d;
  }
  ++e.fired;
  d.what = s.what;
  d.delay_ms = s.delay_ms;
  return d;
}

} // namespace troupe::failpoints::detail
