#include "group_writer.hpp"

#include <rocksdb/write_batch.h>

#include "rocks_status.hpp"

namespace troupe::mvcc {

namespace {

std::uint64_t request_bytes(const write_request& req) {
  std::uint64_t n = 0;
  for (const auto& op : req.ops)
    n += op.key.size() + op.value.size() + 16;
  return n;
}

thread_local bool may_lead = false;

} // namespace

leader_scope::leader_scope() : previous_(may_lead) {
  may_lead = true;
}

leader_scope::~leader_scope() {
  may_lead = previous_;
}

group_writer::group_writer(rocksdb::DB& db, family_handles cfs,
                           const options& opts)
  : db_(db), cfs_(cfs), sync_(opts.sync),
    max_batch_(opts.group_commit_max_batch == 0 ? 1
                                                : opts.group_commit_max_batch),
    max_bytes_(opts.group_commit_max_bytes), thread_([this] { run(); }) {}

group_writer::~group_writer() {
  stop();
}

void group_writer::stop() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void group_writer::submit(write_request req) {
  std::unique_lock<std::mutex> lock{mtx_};
  if (stopping_) {
    lock.unlock();
    req.done(error{errc::shutting_down, "store is closing", {}, 0, 0});
    return;
  }
  queue_.push_back(std::move(req));
  if (writing_) return; // the current writer wakes the thread when done
  if (may_lead)
    write_group(lock);
  else
    wake_.notify_one();
}

store_stats group_writer::stats() const {
  store_stats s;
  s.group_writes = group_writes_.load();
  s.synced_writes = synced_writes_.load();
  s.requests = requests_.load();
  s.commits = commits_.load();
  return s;
}

void group_writer::run() {
  std::unique_lock<std::mutex> lock{mtx_};
  for (;;) {
    wake_.wait(lock,
               [this] { return !writing_ && (stopping_ || !queue_.empty()); });
    if (queue_.empty()) return; // stopping and drained
    write_group(lock);
  }
}

void group_writer::write_group(std::unique_lock<std::mutex>& lock) {
  auto batch = take_batch(lock);
  writing_ = true;
  lock.unlock();
  write(batch);
  lock.lock();
  writing_ = false;
  // Requests queued meanwhile go out in the thread's next write.
  if (!queue_.empty() || stopping_) wake_.notify_one();
}

std::vector<write_request>
group_writer::take_batch(std::unique_lock<std::mutex>&) {
  // Everything queued since the last write goes into this one, bounded by
  // the limits; the first request is always taken so a large one cannot
  // starve.
  std::vector<write_request> batch;
  std::uint64_t bytes = 0;
  while (!queue_.empty() && batch.size() < max_batch_) {
    auto n = request_bytes(queue_.front());
    if (!batch.empty() && bytes + n > max_bytes_) break;
    bytes += n;
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return batch;
}

void group_writer::write(std::vector<write_request>& batch) {
  rocksdb::WriteBatch wb;
  std::uint32_t commits = 0;
  for (const auto& req : batch) {
    commits += req.commits;
    for (const auto& op : req.ops) {
      auto* cf = cfs_[static_cast<std::size_t>(op.cf)];
      // WriteBatch only fails on size overflow (> 4 GiB), which the byte
      // limit and the key/value limits rule out.
      if (op.del)
        static_cast<void>(wb.Delete(cf, op.key));
      else
        static_cast<void>(wb.Put(cf, op.key, op.value));
    }
  }
  rocksdb::WriteOptions wo;
  wo.sync = sync_;
  auto s = db_.Write(wo, &wb);
  group_writes_.fetch_add(1);
  if (sync_) synced_writes_.fetch_add(1);
  status result;
  if (s.ok()) {
    requests_.fetch_add(batch.size());
    commits_.fetch_add(commits);
  } else {
    result = from_status(s, "group write");
  }
  for (auto& req : batch)
    req.done(result);
}

} // namespace troupe::mvcc
