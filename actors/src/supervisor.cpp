#include "troupe/actors/supervisor.hpp"

#include <memory>
#include <set>
#include <utility>

#include <caf/actor_cast.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "supervisor_core.hpp"

namespace troupe::actors {

namespace {

using self_pointer = supervisor_actor::pointer;

/// Effects through the supervisor actor `self`.
class actor_effects : public supervisor_effects {
 public:
  explicit actor_effects(self_pointer self) : self_(self) {}

  caf::expected<caf::actor> spawn(const child_spec& spec) override {
    return spec.start(self_->system());
  }

  void monitor(const caf::actor& child) override { self_->monitor(child); }

  void stop(const caf::actor& child) override {
    self_->send_exit(child, caf::exit_reason::user_shutdown);
  }

  void schedule(std::uint64_t token, caf::timespan delay) override {
    auto me = caf::actor_cast<supervisor_actor>(self_);
    if (delay.count() <= 0)
      self_->send(me, restart_due_atom_v, token);
    else
      self_->delayed_send(me, delay, restart_due_atom_v, token);
  }

  void quit(caf::error reason) override { self_->quit(std::move(reason)); }

 private:
  self_pointer self_;
};

struct supervisor_state {
  std::unique_ptr<actor_effects> fx;
  // Shared with the exit functor, which outlives the state.
  std::shared_ptr<supervisor_core> core;

  static inline const char* name = "troupe.supervisor";
};

using stateful_self = supervisor_actor::stateful_pointer<supervisor_state>;

/// The token of the first start (restart tokens count up from 0).
constexpr std::uint64_t initial_start = ~std::uint64_t{0};

supervisor_actor::behavior_type
supervisor_impl(stateful_self self, supervisor_options options,
                std::vector<child_spec> children) {
  auto& st = self->state;
  st.fx = std::make_unique<actor_effects>(self);
  st.core = std::make_shared<supervisor_core>(std::move(options),
                                              std::move(children), *st.fx);
  // Safety net for exits that skip the orderly shutdown (kill, exceptions):
  // the children must not outlive their supervisor.
  self->attach_functor([core = st.core](const caf::error&) {
    for (auto& child : core->live_children())
      caf::anon_send_exit(child, caf::exit_reason::user_shutdown);
  });
  self->set_down_handler([self](caf::down_msg& msg) {
    self->state.core->on_down(msg.source, msg.reason, self->clock().now());
  });
  self->set_exit_handler([self](caf::exit_msg& msg) {
    // Like an actor that does not trap exits, ignore normal exits of links.
    if (!msg.reason || msg.reason == caf::exit_reason::normal) return;
    self->state.core->shutdown(std::move(msg.reason));
  });
  // The first start runs as the first message, not here: a crash loop
  // during it makes the supervisor quit, and CAF 0.17 does not reliably
  // honour a quit() from an actor's initialization (the returned behavior
  // keeps it alive).
  self->send(self, restart_due_atom::value, initial_start);
  return {
    [self](get_child_atom, const std::string& name) -> caf::result<caf::actor> {
      auto child = self->state.core->child(name);
      if (!child) return std::move(child.error());
      return std::move(*child);
    },
    [self](get_stats_atom) -> caf::result<supervisor_stats> {
      return self->state.core->stats(self->clock().now());
    },
    [self](restart_due_atom, std::uint64_t token) {
      if (token == initial_start)
        self->state.core->start(self->clock().now());
      else
        self->state.core->on_restart_due(token, self->clock().now());
    },
  };
}

caf::error validate(const std::vector<child_spec>& children) {
  std::set<std::string> names;
  for (auto& child : children) {
    if (child.name.empty())
      return caf::make_error(supervisor_errc::invalid_child_spec,
                             "empty child name");
    if (!child.start)
      return caf::make_error(supervisor_errc::invalid_child_spec,
                             "no start function", child.name);
    if (!names.insert(child.name).second)
      return caf::make_error(supervisor_errc::invalid_child_spec,
                             "duplicate child name", child.name);
  }
  return caf::none;
}

} // namespace

caf::expected<supervisor_actor>
spawn_supervisor(caf::actor_system& sys, supervisor_options options,
                 std::vector<child_spec> children) {
  if (auto err = validate(children)) return err;
  return sys.spawn(supervisor_impl, std::move(options), std::move(children));
}

child_spec supervisor_child(std::string name, supervisor_options options,
                            std::vector<child_spec> children,
                            restart_type restart) {
  child_spec spec;
  spec.name = std::move(name);
  spec.restart = restart;
  spec.start = [options = std::move(options), children = std::move(children)](
                 caf::actor_system& sys) -> caf::expected<caf::actor> {
    auto sup = spawn_supervisor(sys, options, children);
    if (!sup) return std::move(sup.error());
    return caf::actor_cast<caf::actor>(std::move(*sup));
  };
  return spec;
}

} // namespace troupe::actors
