#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "troupe/failpoints/failpoints.hpp"

namespace troupe::failpoints::detail {

/// The state of one fail-point name, shared by all its sites. Never freed,
/// so sites may keep a pointer to it.
struct entry {
  /// Configured with any spec, `off` included; sites read it without a lock.
  std::atomic<bool> active{false};
  bool has_site = false; ///< guarded by the registry's mutex

  std::mutex mu; ///< guards everything below
  bool configured = false;
  spec config;
  std::uint64_t hits = 0;
  std::uint64_t fired = 0;
  std::uint64_t rng = 0; ///< splitmix64 state
};

/// What one hit decided; carried out after the entry's lock is released.
struct decision {
  action what = action::off;
  std::uint32_t delay_ms = 0;
  std::uint64_t hit = 0;
};

/// All names of the process. A leaked singleton: sites may run during
/// static destruction on threads that outlive `main`.
class registry {
 public:
  static registry& instance();

  /// The entry of `name`, created on first use; `site` marks it as having a
  /// site in the program.
  entry& get(std::string_view name, bool site);
  /// The entry of `name`, or nullptr.
  entry* find(std::string_view name);

  /// Checks every name against the sites, then sets `seed` (if given) and
  /// applies all entries; nothing changes on failure.
  status apply(const std::vector<config_entry>& entries,
               std::optional<std::uint64_t> seed = std::nullopt);
  void clear(std::string_view name);
  void clear_all();
  void set_seed(std::uint64_t seed);
  std::vector<std::string> names_with_site();

 private:
  void refresh_any_active();

  std::mutex mu_;
  std::map<std::string, std::unique_ptr<entry>, std::less<>> entries_;
  std::size_t configured_ = 0;
  std::uint64_t seed_ = 0;
};

/// Decides one hit of `e` under its lock: counts it, applies `after`,
/// `times` and `p`.
decision decide(entry& e);

/// Reads the environment once per process (see `load_from_env`).
void ensure_loaded();

} // namespace troupe::failpoints::detail
