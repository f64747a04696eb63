#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "troupe/actors/handoff.hpp"
#include "troupe/actors/participant.hpp"
#include "troupe/actors/transaction.hpp"
#include "troupe/config/cluster_config.hpp"
#include "troupe/coordinator/participant_cache.hpp"
#include "troupe/coordinator/running_txns.hpp"
#include "troupe/coordinator/tso.hpp"
#include "troupe/mvcc/store.hpp"

namespace troupe::coordinator {

/// Which shard holds a key: `of(key)` when set, else ring::shard_of(key,
/// count). Every coordinator of a cluster must use the same map.
struct shard_map {
  std::uint32_t count = 1;
  std::function<actors::shard_id(const std::string&)> of;

  [[nodiscard]] actors::shard_id operator()(const std::string& key) const;

  /// Returns the one shard that holds every key starting with `prefix`:
  /// when `of` is unset and the prefix holds a whole hash tag
  /// (ring::hash_tag_of), every such key has that tag. nullopt: any shard.
  [[nodiscard]] std::optional<actors::shard_id>
  of_prefix(const std::string& prefix) const;
};

/// What transaction actors need. Shared (read-only) by all transactions of
/// a service.
struct coordinator_config {
  std::string node; ///< this node's name, named in prepare records
  /// Holds the decision log; must outlive the actor system (see
  /// participants::spawn_shard).
  mvcc::store* db = nullptr;
  tso_actor tso;
  /// Finds participants: answers `(resolve_atom, "shard", "<id>") ->
  /// caf::actor` like the node actor (actors/node.hpp); tests pass
  /// `spawn_static_resolver`.
  caf::actor resolver;
  shard_map shards;
  std::chrono::milliseconds prepare_timeout{2000}; ///< all votes in
  std::chrono::milliseconds request_timeout{5000}; ///< any other call
  std::chrono::milliseconds idle_timeout{30000};   ///< between client calls
  /// How often the service re-sends logged COMMITs whose coordinator is
  /// gone (the first sweep runs when the service starts).
  std::chrono::milliseconds recovery_interval{1000};
  /// Bounds retries of commit/abort delivery and of reads that meet an
  /// undecided intent; attempt n waits by `actors::backoff`.
  config::retry_policy retry;
  /// Shards one scan reads at a time. A scan over every shard is a burst
  /// of work on every node; reading a few shards at a time lets the
  /// transactions queued behind it through in between, at the cost of a
  /// few round trips more for the scan. At least 1.
  std::uint32_t scan_parallelism = 4;
  /// The keys and values (plus 16 bytes per row) of one page of a scan:
  /// the most a txn_scan answer carries (config::limits_config).
  std::uint32_t scan_page_bytes = 256 * 1024;
  std::uint32_t max_key_bytes = 4096;
  std::uint32_t max_value_bytes = 1u << 20;
  /// The largest frame a node accepts (limits.max_message_bytes): a commit
  /// whose request to one participant (its writes there and, under
  /// serializable, its reads there) would be larger fails with too_large
  /// before anything is sent.
  std::uint64_t max_message_bytes = 4u << 20;
  std::uint64_t seed = 0; ///< backoff jitter
  /// Where the service records the start of every transaction it runs,
  /// until it ends (null: nowhere); the node's GC reads it.
  std::shared_ptr<running_txns> running;
  /// The participants resolved so far, shared by the service's
  /// transactions (null: spawn_txn_service makes one).
  std::shared_ptr<participant_cache> participants;
  actors::handoff handoff = actors::direct_handoff();
};

/// Spawns the transaction service (actors/transaction.hpp). Register it in
/// the node's directory as kind "txn_service". Recovery: at once and every
/// `recovery_interval` it re-sends the COMMIT of every logged decision
/// whose coordinator does not run here (after a restart: all of them) and
/// erases the decision once every participant acked; it answers
/// `txn_resolve` for in-doubt participants (presumed abort).
[[nodiscard]] actors::txn_service_actor
spawn_txn_service(caf::actor_system& sys, coordinator_config cfg);

/// Spawns the coordinator of one transaction that started at
/// `started.start_ts`, with the isolation level and commit protocol of
/// `options` (normally done by the service).
[[nodiscard]] actors::transaction_actor
spawn_transaction(caf::actor_system& sys,
                  std::shared_ptr<const coordinator_config> cfg,
                  actors::txn_started started, actors::txn_begin options);

/// Spawns a resolver that answers `(resolve_atom, "shard", id)` from a
/// fixed table; errc::not_found for other ids or kinds.
[[nodiscard]] caf::actor
spawn_static_resolver(caf::actor_system& sys,
                      std::map<actors::shard_id, caf::actor> shards);

} // namespace troupe::coordinator
