#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "troupe/actors/wire.hpp"
#include "troupe/config/cluster_config.hpp"

namespace troupe::actors {

/// What one node knows about the liveness of every node of its cluster.
/// Plain state, no actors: the node actor feeds it heartbeats, lost
/// connections and clock ticks, and logs the changes it returns. Time is
/// always passed in, so tests control it.
class membership {
 public:
  using clock = std::chrono::steady_clock;

  /// Every node of `cfg` except `self` starts as down (not yet heard).
  membership(const config::cluster_config& cfg, std::string self,
             std::uint64_t incarnation, clock::time_point started);

  /// Records a heartbeat from a peer. Returns a log line when the peer came
  /// up or restarted (new incarnation); nothing for unknown nodes, for nodes
  /// of another cluster or for ourselves (those are rejected: see `accepts`).
  std::optional<std::string> on_heard(const heartbeat& hb,
                                      clock::time_point now);

  /// Returns false for a heartbeat that must be ignored (other cluster,
  /// unknown node name, or our own name).
  [[nodiscard]] bool accepts(const heartbeat& hb) const;

  /// Marks `peer` down at once (its connection was lost). Returns a log line
  /// when it was up.
  std::optional<std::string> on_lost(const std::string& peer,
                                     const std::string& reason);

  /// Marks down every up peer not heard for longer than the heartbeat
  /// timeout. Returns one log line per peer that went down.
  std::vector<std::string> on_tick(clock::time_point now);

  /// Returns our own heartbeat as of `now`.
  [[nodiscard]] heartbeat self_heartbeat(clock::time_point now) const;

  /// Returns every node (config order) with state, address and uptime;
  /// `shards_of` gives each node's shards.
  [[nodiscard]] cluster_status status(
    clock::time_point now,
    const std::map<std::string, std::vector<std::uint32_t>>& shards_of) const;

  /// Returns true when `peer` is currently up (self is always up).
  [[nodiscard]] bool is_up(const std::string& peer) const;

  [[nodiscard]] const std::string& self() const { return self_; }

 private:
  struct peer {
    std::string address;
    bool up = false;
    std::uint64_t incarnation = 0;
    clock::time_point last_heard{};
    std::uint64_t uptime_ms_when_heard = 0;
  };

  std::string cluster_;
  std::string self_;
  std::uint64_t incarnation_;
  clock::time_point started_;
  clock::duration timeout_;
  std::vector<std::string> order_;
  std::map<std::string, peer> peers_;
};

} // namespace troupe::actors
