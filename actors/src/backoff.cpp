#include "troupe/actors/backoff.hpp"

#include <algorithm>
#include <cmath>

namespace troupe::actors {

namespace {

using std::chrono::nanoseconds;

backoff_policy clamp(backoff_policy p) {
  p.initial = std::max(p.initial, nanoseconds{0});
  p.max = std::max(p.max, p.initial);
  if (!(p.multiplier >= 1.0)) p.multiplier = 1.0; // also catches NaN
  if (!(p.jitter >= 0.0)) p.jitter = 0.0;
  p.jitter = std::min(p.jitter, 1.0);
  return p;
}

/// A uniform double in [0, 1) from the top 53 bits: unlike
/// std::uniform_real_distribution, identical on every standard library.
double unit_interval(std::mt19937_64& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

} // namespace

backoff_policy backoff_policy::from(const config::retry_policy& policy,
                                    double jitter) {
  backoff_policy result;
  result.initial = policy.initial_interval;
  result.multiplier = policy.multiplier;
  result.max = policy.max_interval;
  result.jitter = jitter;
  return result;
}

backoff::backoff(backoff_policy policy, std::uint64_t seed)
  : policy_(clamp(policy)), rng_(seed) {}

nanoseconds backoff::base_delay(std::uint32_t attempt) const {
  auto exponent = static_cast<double>(std::max(attempt, 1u) - 1);
  auto initial = static_cast<double>(policy_.initial.count());
  auto max = static_cast<double>(policy_.max.count());
  // pow may overflow to inf for large attempts; min() caps it at max.
  auto scaled = initial * std::pow(policy_.multiplier, exponent);
  return nanoseconds{static_cast<nanoseconds::rep>(std::min(scaled, max))};
}

nanoseconds backoff::delay(std::uint32_t attempt) {
  auto base = base_delay(attempt);
  auto cut = policy_.jitter * unit_interval(rng_);
  auto jittered = static_cast<double>(base.count()) * (1.0 - cut);
  return nanoseconds{static_cast<nanoseconds::rep>(jittered)};
}

restart_intensity::restart_intensity(std::uint32_t max_restarts,
                                     std::chrono::nanoseconds window)
  : max_restarts_(max_restarts), window_(window) {}

void restart_intensity::expire(time_point now) {
  while (!restarts_.empty() && restarts_.front() <= now - window_)
    restarts_.pop_front();
}

bool restart_intensity::record(time_point now) {
  expire(now);
  restarts_.push_back(now);
  return restarts_.size() <= max_restarts_;
}

std::uint32_t restart_intensity::count(time_point now) {
  expire(now);
  return static_cast<std::uint32_t>(restarts_.size());
}

} // namespace troupe::actors
