#pragma once

#include <cstdint>
#include <string>

namespace troupe::mvcc {

/// How to open a store. The apps layer fills it from the cluster config
/// (durability and limits sections); mvcc does not depend on troupe::config.
struct options {
  std::string path; ///< RocksDB directory; created when missing
  bool sync = true; ///< fsync every group write (off: OS crash may lose
                    ///< acknowledged writes; a process crash cannot)
  std::uint32_t group_commit_max_batch = 256;      ///< requests per write
  std::uint64_t group_commit_max_bytes = 4u << 20; ///< bytes per write
  std::uint32_t max_key_bytes = 4096;              ///< per user key
  std::uint32_t max_value_bytes = 1u << 20;        ///< per value
  /// Threads that run scan_async's scans; 0: scan_async scans on the
  /// calling thread.
  std::uint32_t scan_threads = 1;
  /// Memory for the newest versions of recently committed keys, which
  /// reads and conflict checks find without searching the versions family
  /// (docs/mvcc.md, "The version cache"); 0: none.
  std::uint64_t version_cache_bytes = 32u << 20;
};

} // namespace troupe::mvcc
