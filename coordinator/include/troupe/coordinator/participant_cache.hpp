#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include <caf/actor_cast.hpp>

#include "troupe/actors/participant.hpp"

namespace troupe::coordinator {

/// The participants that the transactions of one service resolved, by
/// shard: a transaction asks its node actor only for a shard no transaction
/// before it resolved (a cross-shard transfer saves two local round trips
/// and two request timers). An entry goes when its actor ends (a functor
/// attached to it), so a restarted shard, or a relay that ended with its
/// target, is resolved anew. Thread-safe.
class participant_cache
  : public std::enable_shared_from_this<participant_cache> {
 public:
  [[nodiscard]] std::optional<actors::participant_actor>
  find(actors::shard_id shard) const {
    std::lock_guard<std::mutex> guard{mtx_};
    if (auto i = map_.find(shard); i != map_.end()) return i->second;
    return std::nullopt;
  }

  /// Keeps `p` for `shard` until `p` ends (at once when it already did).
  void insert(actors::shard_id shard, const actors::participant_actor& p) {
    if (!p) return;
    {
      std::lock_guard<std::mutex> guard{mtx_};
      auto& slot = map_[shard];
      if (slot == p) return; // its functor is attached already
      slot = p;
    }
    // Outside the lock: on an actor that ended, the functor runs here.
    auto ptr = caf::actor_cast<caf::strong_actor_ptr>(p);
    ptr->get()->attach_functor(
      [weak = weak_from_this(), shard, addr = p.address()] {
        if (auto self = weak.lock()) self->erase(shard, addr);
      });
  }

  /// Forgets `shard` if it still maps to `addr` (a newer entry stays).
  void erase(actors::shard_id shard, const caf::actor_addr& addr) {
    std::lock_guard<std::mutex> guard{mtx_};
    if (auto i = map_.find(shard);
        i != map_.end() && i->second.address() == addr)
      map_.erase(i);
  }

 private:
  mutable std::mutex mtx_;
  std::unordered_map<actors::shard_id, actors::participant_actor> map_;
};

} // namespace troupe::coordinator
