#pragma once

// Children, options and a fixture shared by the supervisor tests.

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/atom.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

#include "support/deterministic_system.hpp"
#include "troupe/actors/supervisor.hpp"

namespace troupe::actors::testing {

using namespace std::chrono_literals;

/// Test-only atoms: not part of the runtime's type-id block.
using crash_atom = caf::atom_constant<caf::atom("t_crash")>;
using finish_atom = caf::atom_constant<caf::atom("t_finish")>;
constexpr crash_atom crash_atom_v{};
constexpr finish_atom finish_atom_v{};

/// Everything that happened, in order: "start:a", "exit:a", "a:hello", ...
using event_log = std::shared_ptr<std::vector<std::string>>;

/// A child that logs its messages and exit; `crash` makes it fail,
/// `finish` makes it exit normally.
inline caf::behavior worker(caf::event_based_actor* self, std::string name,
                            event_log log) {
  self->attach_functor([=] { log->push_back("exit:" + name); });
  return {
    [=](crash_atom) {
      self->quit(caf::make_error(caf::sec::runtime_error, "crash"));
    },
    [=](finish_atom) { self->quit(); },
    [=](const std::string& text) {
      log->push_back(name + ":" + text);
      return text;
    },
  };
}

inline child_spec worker_spec(const std::string& name, event_log log,
                              restart_type restart = restart_type::permanent) {
  child_spec spec;
  spec.name = name;
  spec.restart = restart;
  spec.start = [name,
                log](caf::actor_system& sys) -> caf::expected<caf::actor> {
    log->push_back("start:" + name);
    return sys.spawn(worker, name, log);
  };
  return spec;
}

/// No jitter, 100ms doubling to 1s, 10 restarts per 10s.
inline supervisor_options
plain_options(restart_strategy strategy = restart_strategy::one_for_one) {
  supervisor_options options;
  options.name = "test";
  options.strategy = strategy;
  options.max_restarts = 10;
  options.window = 10s;
  options.backoff.initial = 100ms;
  options.backoff.multiplier = 2.0;
  options.backoff.max = 1s;
  options.backoff.jitter = 0.0;
  return options;
}

inline bool is(const caf::error& err, supervisor_errc code) {
  return err.category() == caf::atom("supervisor") &&
         err.code() == static_cast<std::uint8_t>(code);
}

struct supervisor_fixture : troupe::test::deterministic_system {
  event_log log = std::make_shared<std::vector<std::string>>();
  supervisor_actor sup;

  void start(supervisor_options options, std::vector<child_spec> children) {
    auto spawned =
      spawn_supervisor(sys, std::move(options), std::move(children));
    BOOST_REQUIRE(spawned);
    sup = *spawned;
    run();
  }

  caf::expected<caf::actor> child(const std::string& name,
                                  const supervisor_actor& from) {
    return request<caf::actor>(from, get_child_atom_v, name);
  }

  caf::expected<caf::actor> child(const std::string& name) {
    return child(name, sup);
  }

  bool running(const std::string& name) {
    return static_cast<bool>(child(name));
  }

  supervisor_stats stats(const supervisor_actor& from) {
    auto result = request<supervisor_stats>(from, get_stats_atom_v);
    BOOST_REQUIRE(result);
    return *result;
  }

  supervisor_stats stats() { return stats(sup); }

  child_stats stats_of(const std::string& name) {
    auto all = stats();
    auto found = all.find(name);
    BOOST_REQUIRE(found != nullptr);
    return *found;
  }

  /// Makes the current instance of `name` fail.
  void crash(const std::string& name, const supervisor_actor& from) {
    auto handle = child(name, from);
    if (!handle) BOOST_FAIL(name << ": " << sys.render(handle.error()));
    caf::anon_send(*handle, crash_atom_v);
    run();
  }

  void crash(const std::string& name) { crash(name, sup); }

  /// Makes the current instance of `name` exit normally.
  void finish(const std::string& name) {
    auto handle = child(name);
    BOOST_REQUIRE(handle);
    caf::anon_send(*handle, finish_atom_v);
    run();
  }

  /// Watches `whom` (see deterministic_system::watch) and logs
  /// "down:watched" when it terminates.
  template <class Handle>
  std::shared_ptr<std::optional<caf::error>> watch(const Handle& whom) {
    auto log = this->log;
    return deterministic_system::watch(
      whom, [log](const caf::error&) { log->push_back("down:watched"); });
  }

  /// Advances the clock 1ms at a time until `name` runs; returns the time
  /// that took (capped at `limit`).
  caf::timespan time_until_running(const std::string& name,
                                   caf::timespan limit = 10s) {
    caf::timespan waited{0};
    while (!running(name) && waited < limit) {
      advance(1ms);
      waited += 1ms;
    }
    return waited;
  }
};

} // namespace troupe::actors::testing
