#pragma once

#include <limits>
#include <mutex>
#include <set>

#include "troupe/actors/participant_messages.hpp"

namespace troupe::coordinator {

/// The start timestamps of the transactions a node's service runs, for the
/// node's GC: its safe point must not pass the oldest of them anywhere in
/// the cluster (docs/mvcc.md, "GC"). Thread-safe: the service adds and
/// removes on its actor's thread, GC reads from another.
class running_txns {
 public:
  void add(actors::timestamp start_ts) {
    std::lock_guard<std::mutex> guard{mtx_};
    starts_.insert(start_ts);
  }
  void remove(actors::timestamp start_ts) {
    std::lock_guard<std::mutex> guard{mtx_};
    starts_.erase(start_ts);
  }
  /// Forgets every transaction (a restarted service: those of the one
  /// before ended with it).
  void clear() {
    std::lock_guard<std::mutex> guard{mtx_};
    starts_.clear();
  }
  /// The oldest start timestamp, or the largest timestamp when none runs.
  [[nodiscard]] actors::timestamp oldest() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return starts_.empty() ? std::numeric_limits<actors::timestamp>::max()
                           : *starts_.begin();
  }

 private:
  mutable std::mutex mtx_;
  std::set<actors::timestamp> starts_;
};

} // namespace troupe::coordinator
