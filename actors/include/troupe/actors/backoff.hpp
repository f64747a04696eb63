#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <random>

#include "troupe/config/cluster_config.hpp"

namespace troupe::actors {

/// Shape of an exponential backoff: attempt n (1-based) waits
/// `min(initial * multiplier^(n-1), max)`, then loses up to `jitter` of that
/// (a fraction in [0, 1]) at random, so a delay lies in
/// `[base * (1 - jitter), base]` and never exceeds `max`.
struct backoff_policy {
  std::chrono::nanoseconds initial{std::chrono::milliseconds{100}};
  double multiplier{2.0}; ///< >= 1.0
  std::chrono::nanoseconds max{std::chrono::seconds{5}};
  double jitter{0.2}; ///< in [0, 1]; 0 disables jitter

  /// Takes interval, multiplier and maximum from the project's retry policy
  /// (its `max_attempts` is not a backoff property and is ignored).
  [[nodiscard]] static backoff_policy from(const config::retry_policy& policy,
                                           double jitter = 0.2);
};

/// Computes restart delays. Deterministic: two instances built with the same
/// policy and seed return the same sequence of delays. Not thread-safe; no
/// clock or scheduler involved.
class backoff {
 public:
  /// Out-of-range policy fields are clamped (multiplier to >= 1, jitter to
  /// [0, 1], max to >= initial, negative durations to 0).
  explicit backoff(backoff_policy policy, std::uint64_t seed = 0);

  /// Returns the delay before attempt `attempt` (1-based; 0 is treated as 1),
  /// without jitter.
  [[nodiscard]] std::chrono::nanoseconds
  base_delay(std::uint32_t attempt) const;

  /// Returns the jittered delay before attempt `attempt` and advances the RNG.
  [[nodiscard]] std::chrono::nanoseconds delay(std::uint32_t attempt);

  [[nodiscard]] const backoff_policy& policy() const noexcept {
    return policy_;
  }

 private:
  backoff_policy policy_;
  std::mt19937_64 rng_;
};

/// Restart intensity: allows at most `max_restarts` restarts within any
/// sliding `window`. Time is passed in (e.g. an actor clock's `now()`), never
/// read from a clock, so tests control it.
class restart_intensity {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  restart_intensity(std::uint32_t max_restarts,
                    std::chrono::nanoseconds window);

  /// Records a restart at `now` and returns whether it stays within the
  /// limit, i.e. whether at most `max_restarts` restarts (this one included)
  /// fall into `(now - window, now]`. `now` must not go backwards.
  [[nodiscard]] bool record(time_point now);

  /// Returns how many recorded restarts fall into `(now - window, now]`.
  [[nodiscard]] std::uint32_t count(time_point now);

  [[nodiscard]] std::uint32_t max_restarts() const noexcept {
    return max_restarts_;
  }
  [[nodiscard]] std::chrono::nanoseconds window() const noexcept {
    return window_;
  }

 private:
  void expire(time_point now);

  std::uint32_t max_restarts_;
  std::chrono::nanoseconds window_;
  std::deque<time_point> restarts_;
};

} // namespace troupe::actors
