#include "troupe/actors/handoff.hpp"

#include <caf/actor_cast.hpp>
#include <caf/send.hpp>

namespace troupe::actors {

handoff direct_handoff() {
  return [](const caf::weak_actor_ptr& dest, caf::message msg) {
    if (auto strong = dest.lock())
      caf::anon_send(caf::actor_cast<caf::actor>(strong), std::move(msg));
  };
}

} // namespace troupe::actors
