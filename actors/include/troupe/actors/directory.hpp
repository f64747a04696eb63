#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>

#include "troupe/config/cluster_config.hpp"
#include "troupe/ring/placement.hpp"

namespace troupe::actors {

/// Which node owns an actor, and the actors registered on this node. Plain
/// state, no scheduler: the node actor asks it and acts on the answer.
///
/// Ownership: kind "shard" with a decimal id owns by the placement table
/// (the shard's node); kinds "txn_service" and "gc" with a member's name
/// are that member's (one of each per node); any other (kind, id) by the ring
/// owner of the key "kind/id". Every node computes the same answer from the
/// same config.
class directory {
 public:
  directory(ring::placement placement, std::string self);

  /// Returns the name of the node that owns (kind, id).
  [[nodiscard]] const std::string& owner_of(const std::string& kind,
                                            const std::string& id) const;

  /// Returns true when this node owns (kind, id).
  [[nodiscard]] bool owns(const std::string& kind,
                          const std::string& id) const {
    return owner_of(kind, id) == self_;
  }

  /// Registers a local actor as (kind, id), replacing an earlier one.
  void add(const std::string& kind, const std::string& id, caf::actor handle);

  /// Removes (kind, id) if it is `handle` (a newer registration stays).
  void remove(const std::string& kind, const std::string& id,
              const caf::actor_addr& handle);

  /// Removes every registration of the actor at `addr` (it went down).
  void remove_all(const caf::actor_addr& addr);

  /// Returns the local actor registered as (kind, id), if any.
  [[nodiscard]] std::optional<caf::actor> find(const std::string& kind,
                                               const std::string& id) const;

  [[nodiscard]] const ring::placement& placement() const { return placement_; }
  [[nodiscard]] std::size_t size() const { return local_.size(); }

 private:
  ring::placement placement_;
  std::string self_;
  std::map<std::pair<std::string, std::string>, caf::actor> local_;
};

/// Returns the cluster's placement: its nodes with their weights, virtual
/// nodes and shard count. Fails only for configs the loader rejects.
[[nodiscard]] ring::result<ring::placement>
placement_of(const config::cluster_config& cfg);

} // namespace troupe::actors
