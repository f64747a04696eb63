#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <rocksdb/db.h>

#include "troupe/mvcc/error.hpp"
#include "troupe/mvcc/options.hpp"
#include "troupe/mvcc/types.hpp"

namespace troupe::mvcc {

/// The column families of a store (docs/mvcc.md, "Layout").
enum class family : std::uint8_t { meta, versions, locks, txns };
constexpr std::size_t family_count = 4;
using family_handles = std::array<rocksdb::ColumnFamilyHandle*, family_count>;

/// One put or delete of a durable request.
struct write_op {
  family cf;
  bool del = false;
  std::string key;
  std::string value;
};

/// What one caller wants written atomically, and whom to tell.
struct write_request {
  std::vector<write_op> ops;
  std::uint32_t commits = 0;        ///< transactions it commits (stats)
  std::function<void(status)> done; ///< called once, on the writer thread
};

/// Marks the current thread, while alive, as one that blocks for the result
/// of what it submits (the blocking store calls). Such a thread may write
/// the queued group itself when no write is in flight, like a RocksDB write
/// leader, which saves the hand-off to the writer thread and back; on a
/// loaded machine that hand-off costs more than the fsync.
class leader_scope {
 public:
  leader_scope();
  ~leader_scope();
  leader_scope(const leader_scope&) = delete;
  leader_scope& operator=(const leader_scope&) = delete;

 private:
  bool previous_;
};

/// The node-level group-commit writer: it takes every request queued since
/// its last write (up to the batch limits), puts them into one WriteBatch
/// and one RocksDB Write (sync per options), then completes each caller.
/// One write is in flight at a time, done by the writer thread or by a
/// blocking caller (leader_scope); asynchronous callers never block: while
/// a write (and its fsync) is in flight, new requests queue up and share
/// the next one. Requests are written in submission order, each atomically.
class group_writer {
 public:
  group_writer(rocksdb::DB& db, family_handles cfs, const options& opts);

  /// Stops after writing everything queued.
  ~group_writer();
  group_writer(const group_writer&) = delete;
  group_writer& operator=(const group_writer&) = delete;

  /// Queues `req`; `req.done` gets success once it is durable, io_error when
  /// the write failed, or shutting_down (inline) after `stop`. `done` runs
  /// on the thread that wrote the group: the writer thread, or a caller
  /// inside a leader_scope (possibly inline in this call).
  void submit(write_request req);

  /// Writes what is queued, then refuses new requests. Idempotent.
  void stop();

  /// Returns the counters (commits, writes, fsyncs).
  [[nodiscard]] store_stats stats() const;

 private:
  void run();
  std::vector<write_request> take_batch(std::unique_lock<std::mutex>& lock);
  /// Writes one group. Precondition: `lock` held, no write in flight,
  /// queue not empty.
  void write_group(std::unique_lock<std::mutex>& lock);
  void write(std::vector<write_request>& batch);

  rocksdb::DB& db_;
  family_handles cfs_;
  bool sync_;
  std::size_t max_batch_;
  std::uint64_t max_bytes_;

  std::mutex mtx_;
  std::condition_variable wake_;
  std::deque<write_request> queue_;
  bool stopping_ = false;
  bool writing_ = false; ///< a group write is in flight

  std::atomic<std::uint64_t> group_writes_{0};
  std::atomic<std::uint64_t> synced_writes_{0};
  std::atomic<std::uint64_t> requests_{0};
  std::atomic<std::uint64_t> commits_{0};

  std::thread thread_; // last: starts after the members above exist
};

} // namespace troupe::mvcc
