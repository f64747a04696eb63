#include "supervisor_core.hpp"

#include <utility>

#include <caf/exit_reason.hpp>

namespace troupe::actors {

namespace {

bool is_normal(const caf::error& reason) {
  return !reason || reason == caf::exit_reason::normal;
}

} // namespace

supervisor_core::supervisor_core(supervisor_options options,
                                 std::vector<child_spec> specs,
                                 supervisor_effects& fx)
  : options_(std::move(options)), fx_(fx),
    backoff_(options_.backoff, options_.seed),
    intensity_(options_.max_restarts, options_.window) {
  children_.reserve(specs.size());
  for (auto& spec : specs) {
    child_entry c;
    c.stats.name = spec.name;
    c.stats.status = child_status::restarting;
    c.spec = std::move(spec);
    children_.push_back(std::move(c));
  }
}

void supervisor_core::start(time_point now) {
  std::vector<std::size_t> all;
  for (std::size_t i = 0; i < children_.size(); ++i)
    all.push_back(i);
  start_batch(all, now);
}

void supervisor_core::start_batch(const std::vector<std::size_t>& batch,
                                  time_point now) {
  for (auto index : batch) {
    if (terminating_) return;
    if (children_[index].stats.status != child_status::restarting) continue;
    // Under all-for-one a failed start has just stopped the started siblings
    // and scheduled the whole group again: the rest of this batch waits.
    if (!start_child(index, now) &&
        options_.strategy == restart_strategy::all_for_one)
      return;
  }
}

bool supervisor_core::start_child(std::size_t index, time_point now) {
  auto& c = children_[index];
  caf::error failure;
  if (c.spec.recover) failure = c.spec.recover();
  if (!failure) {
    auto handle = fx_.spawn(c.spec);
    if (!handle)
      failure = std::move(handle.error());
    else if (!*handle)
      failure =
        caf::make_error(supervisor_errc::invalid_child_handle, c.spec.name);
    else
      c.handle = std::move(*handle);
  }
  if (failure) {
    ++c.stats.failed_starts;
    on_failure(index, failure, false, now);
    return false;
  }
  fx_.monitor(c.handle);
  c.stats.status = child_status::running;
  c.started_at = now;
  if (c.ever_started) ++c.stats.restarts;
  c.ever_started = true;
  return true;
}

void supervisor_core::on_down(const caf::actor_addr& who,
                              const caf::error& reason, time_point now) {
  std::size_t index = 0;
  auto c = find(who, index);
  if (c == nullptr) return;
  c->handle = nullptr;
  ++c->stats.exits;
  c->stats.last_exit = reason;
  if (c->stats.status == child_status::stopping || terminating_) {
    c->stats.status = c->restart_after_stop && !terminating_
                        ? child_status::restarting
                        : child_status::stopped;
    if (terminating_)
      maybe_quit();
    else
      maybe_schedule_group();
    return;
  }
  if (!should_restart(*c, reason)) {
    c->stats.status = child_status::stopped;
    return;
  }
  on_failure(index, reason, true, now);
}

bool supervisor_core::should_restart(const child_entry& c,
                                     const caf::error& reason) const {
  switch (c.spec.restart) {
  case restart_type::permanent:
    return true;
  case restart_type::transient:
    return !is_normal(reason);
  case restart_type::temporary:
    return false;
  }
  return false;
}

void supervisor_core::on_failure(std::size_t index, const caf::error& reason,
                                 bool was_running, time_point now) {
  auto& c = children_[index];
  c.stats.status = child_status::restarting;
  if (!intensity_.record(now)) {
    escalate(index);
    return;
  }
  // A child that ran for a whole window before failing starts over at the
  // initial delay; quick repeated failures back off further and further.
  auto stable = was_running && now - c.started_at >= options_.window;
  c.attempt = (stable ? 0 : c.attempt) + 1;
  auto delay = backoff_.delay(c.attempt);
  if (options_.strategy == restart_strategy::one_for_one) {
    schedule_restart({index}, delay);
    return;
  }
  // All-for-one: one timer restarts the whole group once every sibling
  // stopped, so older per-group timers are void.
  scheduled_.clear();
  group_pending_ = true;
  group_delay_ = delay;
  stop_siblings(index);
  maybe_schedule_group();
}

void supervisor_core::stop_siblings(std::size_t failed) {
  for (std::size_t i = 0; i < children_.size(); ++i) {
    auto& c = children_[i];
    if (i == failed || c.stats.status != child_status::running) continue;
    c.stats.status = child_status::stopping;
    // Temporary children are never restarted, not even with their group.
    c.restart_after_stop = c.spec.restart != restart_type::temporary;
    fx_.stop(c.handle);
  }
}

void supervisor_core::maybe_schedule_group() {
  if (!group_pending_) return;
  std::vector<std::size_t> batch;
  for (std::size_t i = 0; i < children_.size(); ++i) {
    auto status = children_[i].stats.status;
    if (status == child_status::stopping) return;
    if (status == child_status::restarting) batch.push_back(i);
  }
  group_pending_ = false;
  schedule_restart(std::move(batch), group_delay_);
}

void supervisor_core::schedule_restart(std::vector<std::size_t> batch,
                                       caf::timespan delay) {
  auto token = next_token_++;
  scheduled_.emplace(token, std::move(batch));
  fx_.schedule(token, delay);
}

void supervisor_core::on_restart_due(std::uint64_t token, time_point now) {
  auto i = scheduled_.find(token);
  if (i == scheduled_.end() || terminating_) return;
  auto batch = std::move(i->second);
  scheduled_.erase(i);
  start_batch(batch, now);
}

void supervisor_core::escalate(std::size_t index) {
  begin_shutdown(caf::make_error(supervisor_errc::restart_limit_exceeded,
                                 options_.name, children_[index].spec.name));
}

void supervisor_core::shutdown(caf::error reason) {
  if (terminating_) return;
  begin_shutdown(std::move(reason));
}

void supervisor_core::begin_shutdown(caf::error reason) {
  terminating_ = true;
  exit_reason_ = std::move(reason);
  scheduled_.clear();
  group_pending_ = false;
  for (auto& c : children_) {
    if (c.stats.status == child_status::running) {
      c.stats.status = child_status::stopping;
      c.restart_after_stop = false;
      fx_.stop(c.handle);
    } else if (c.stats.status == child_status::restarting) {
      c.stats.status = child_status::stopped;
    }
  }
  maybe_quit();
}

void supervisor_core::maybe_quit() {
  for (auto& c : children_)
    if (c.stats.status == child_status::stopping) return;
  fx_.quit(exit_reason_);
}

caf::expected<caf::actor>
supervisor_core::child(const std::string& name) const {
  for (auto& c : children_) {
    if (c.spec.name != name) continue;
    if (c.stats.status != child_status::running)
      return caf::make_error(supervisor_errc::child_not_running, name);
    return c.handle;
  }
  return caf::make_error(supervisor_errc::unknown_child, name);
}

supervisor_stats supervisor_core::stats(time_point now) {
  supervisor_stats result;
  result.name = options_.name;
  result.strategy = options_.strategy;
  result.recent_restarts = intensity_.count(now);
  for (auto& c : children_)
    result.children.push_back(c.stats);
  return result;
}

std::vector<caf::actor> supervisor_core::live_children() const {
  std::vector<caf::actor> result;
  for (auto& c : children_)
    if (c.handle) result.push_back(c.handle);
  return result;
}

supervisor_core::child_entry* supervisor_core::find(const caf::actor_addr& who,
                                                    std::size_t& index) {
  for (std::size_t i = 0; i < children_.size(); ++i) {
    if (children_[i].handle && children_[i].handle.address() == who) {
      index = i;
      return &children_[i];
    }
  }
  return nullptr;
}

} // namespace troupe::actors
