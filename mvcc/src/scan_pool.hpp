#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace troupe::mvcc {

/// The threads that run the store's asynchronous scans (scan_async), so
/// that a long scan holds up neither its caller's thread nor, on a node,
/// the actors that share it. Jobs run in submission order, each on one of
/// the threads; with no threads a job runs on the submitting thread before
/// `run` returns.
class scan_pool {
 public:
  explicit scan_pool(std::uint32_t threads);

  /// Stops after running everything queued.
  ~scan_pool();
  scan_pool(const scan_pool&) = delete;
  scan_pool& operator=(const scan_pool&) = delete;

  /// Queues `job` (runs it at once without threads, or after `stop`).
  void run(std::function<void()> job);

  /// Runs what is queued, then joins the threads; later jobs run on the
  /// submitting thread. Idempotent.
  void stop();

 private:
  void loop();

  std::mutex mtx_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

} // namespace troupe::mvcc
