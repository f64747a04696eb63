#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace troupe::config {

using millis = std::chrono::milliseconds;

/// One node of the cluster: where it listens and where it keeps its data.
struct node_config {
  std::string name; ///< unique; letters, digits, '-', '_', '.'
  std::string host{"127.0.0.1"};
  std::uint16_t port{0};   ///< 1..65535, unique per host
  std::string data_dir;    ///< default "data/<name>", relative to cwd
  std::uint32_t weight{1}; ///< share of shards, 1..10000

  /// Returns "host:port".
  [[nodiscard]] std::string address() const;
};

/// How durable writes reach the disk (group commit, see docs/design.md).
struct durability_config {
  bool sync{true};                                ///< fsync every group commit
  std::uint32_t group_commit_max_batch{256};      ///< writes per WriteBatch
  std::uint64_t group_commit_max_bytes{4u << 20}; ///< bytes per WriteBatch
  /// Timestamps the oracle hands out per durable high-water-mark write.
  std::uint64_t timestamp_batch{10000};
};

/// Garbage collection of old versions on every node (docs/mvcc.md, "GC").
struct gc_config {
  /// How often a node collects; 0: never.
  millis interval{60000};
  /// How long a version stays readable after a newer one replaced it: the
  /// safe point trails the newest timestamp by this much (and never passes
  /// a running transaction's start).
  millis lifetime{600000};
};

/// Time limits of the runtime and the transaction protocol.
struct timeouts_config {
  millis request{5000};           ///< a client call end to end
  millis prepare{2000};           ///< waiting for all votes
  millis connect{1000};           ///< one connection attempt to a peer
  millis heartbeat_interval{500}; ///< how often peers are probed
  millis heartbeat_timeout{3000}; ///< silence after which a peer is down
  /// A three-phase participant's wait for its coordinator before it
  /// terminates the transaction with its peers; > prepare.
  millis three_phase{5000};
  /// How long a read blocked by another transaction's intent waits on the
  /// shard for it to resolve before failing with locked; < request.
  millis lock_wait{500};
};

/// A bounded retry policy (Temporal's shape): attempt n waits
/// min(initial_interval * multiplier^(n-1), max_interval), plus jitter.
struct retry_policy {
  std::uint32_t max_attempts{5}; ///< including the first attempt
  millis initial_interval{100};
  double multiplier{2.0};    ///< >= 1.0
  millis max_interval{5000}; ///< >= initial_interval
};

/// Size limits enforced on keys, values and network messages.
struct limits_config {
  std::uint32_t max_key_bytes{4096};
  std::uint32_t max_value_bytes{1u << 20};
  std::uint32_t max_message_bytes{4u << 20};
  /// What a message carries besides its keys and values, at most: framing,
  /// ids, timestamps, and per-row field tags (counted per row below).
  static constexpr std::uint32_t message_overhead_bytes = 4096;
  static constexpr std::uint32_t row_overhead_bytes = 16;
  static constexpr std::uint32_t max_scan_page_bytes = 256 * 1024;

  /// What one row (a key and, for a write or a read's answer, its value)
  /// adds to a message: the estimate every size check counts with.
  [[nodiscard]] static constexpr std::uint64_t
  row_bytes(std::size_t key_bytes, std::size_t value_bytes = 0) {
    return std::uint64_t{key_bytes} + value_bytes + row_overhead_bytes;
  }

  /// The end of the run of `keys` from `first` that one message of
  /// `max_bytes` can carry (a node drops the connection of a larger frame),
  /// counted with row_bytes: at least one key, which always fits a message
  /// the config allows.
  [[nodiscard]] static std::size_t
  keys_that_fit(const std::vector<std::string>& keys, std::size_t first,
                std::uint64_t max_bytes);
  /// The same with this config's max_message_bytes.
  [[nodiscard]] std::size_t keys_that_fit(const std::vector<std::string>& keys,
                                          std::size_t first) const {
    return keys_that_fit(keys, first, max_message_bytes);
  }

  /// A message of one key and one value at their limits (with the full
  /// framing): max_message_bytes must hold it.
  [[nodiscard]] std::uint64_t one_row_message_bytes() const {
    return std::uint64_t{max_key_bytes} + max_value_bytes +
           message_overhead_bytes;
  }

  /// What one page of a scan carries (keys, values and row_overhead_bytes
  /// per row): half of what a message holds besides one row at the limits
  /// (a page ends with the row that reaches its size), at most
  /// max_scan_page_bytes, so that every answer stays well inside
  /// max_message_bytes and no single answer holds up a connection for long.
  [[nodiscard]] std::uint32_t scan_page_bytes() const {
    auto one_row = one_row_message_bytes();
    std::uint64_t room =
      max_message_bytes > one_row ? (max_message_bytes - one_row) / 2 : 1;
    if (room < 1) room = 1;
    return static_cast<std::uint32_t>(
      room < max_scan_page_bytes ? room : max_scan_page_bytes);
  }
};

/// Log verbosity: trace, debug, info, warn, error or off.
struct log_config {
  std::string level{"info"};
};

/// A validated cluster configuration with every default filled in.
/// Produced by `load_file` or `parse`; never partially valid.
struct cluster_config {
  std::string source;               ///< file it came from (for messages)
  std::string name{"troupe"};       ///< cluster name
  std::uint32_t shards{64};         ///< keys hash into this many shards
  std::uint32_t virtual_nodes{256}; ///< ring points per unit of weight
  /// CAF workers per node; 0 = the cores shared by the nodes on one host
  std::uint32_t scheduler_threads{0};
  std::vector<node_config> nodes; ///< at least one
  durability_config durability;
  gc_config gc;
  timeouts_config timeouts;
  retry_policy retry;
  limits_config limits;
  log_config log;

  /// Returns the node called `node_name`, or nullptr.
  [[nodiscard]] const node_config*
  find_node(const std::string& node_name) const;

  /// Returns `scheduler_threads`, or the number of cores when it is 0.
  [[nodiscard]] std::uint32_t effective_scheduler_threads() const;

  /// Returns the workers of `node`: `scheduler_threads`, or when it is 0
  /// this machine's cores divided among the nodes of this config with the
  /// same `host` (at least 1). Nodes that share a machine then do not
  /// oversubscribe it: measured with 3 nodes on 2 cores, 2 workers each cost
  /// a third more CPU per transaction than 1 (bench/README.md).
  [[nodiscard]] std::uint32_t
  effective_scheduler_threads(const node_config& node) const;
  /// As above, for a machine with `cores` cores.
  [[nodiscard]] std::uint32_t
  effective_scheduler_threads(const node_config& node,
                              std::uint32_t cores) const;
};

} // namespace troupe::config
