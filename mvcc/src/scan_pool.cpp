#include "scan_pool.hpp"

#include <pthread.h>

namespace troupe::mvcc {

scan_pool::scan_pool(std::uint32_t threads) {
  for (std::uint32_t i = 0; i < threads; ++i)
    threads_.emplace_back([this] {
      pthread_setname_np(pthread_self(), "troupe-scan");
      loop();
    });
}

scan_pool::~scan_pool() {
  stop();
}

void scan_pool::run(std::function<void()> job) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (!threads_.empty() && !stopping_) {
      queue_.push_back(std::move(job));
      cv_.notify_one();
      return;
    }
  }
  job();
}

void scan_pool::stop() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

void scan_pool::loop() {
  std::unique_lock<std::mutex> lock{mtx_};
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return; // stopping, and nothing left
    auto job = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    job();
    lock.lock();
  }
}

} // namespace troupe::mvcc
