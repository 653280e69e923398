#include "services/gateway/bounded_task_queue.h"

#include <utility>

namespace skinlens::gateway {

BoundedTaskQueue::BoundedTaskQueue(size_t workers, size_t max_pending)
    : max_pending_(max_pending < 1 ? 1 : max_pending) {
  if (workers < 1) workers = 1;
  for (size_t i = 0; i < workers; ++i) threads_.emplace_back([this] { Work(); });
}

BoundedTaskQueue::~BoundedTaskQueue() { shutdown(); }

void BoundedTaskQueue::enqueue(std::function<void()> fn) {
  {
    absl::MutexLock lock(&mu_);
    auto has_room = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return shutdown_ || pending_.size() < max_pending_;
    };
    if (!has_room()) {
      ++waiting_;
      mu_.Await(absl::Condition(&has_room));
      --waiting_;
    }
    if (!shutdown_) {
      pending_.push_back(std::move(fn));
      return;
    }
  }
  fn();
}

size_t BoundedTaskQueue::waiting_producers() const {
  absl::MutexLock lock(&mu_);
  return waiting_;
}

void BoundedTaskQueue::shutdown() {
  {
    absl::MutexLock lock(&mu_);
    if (shutdown_) return;
    shutdown_ = true;
  }
  for (std::thread& t : threads_) t.join();
}

void BoundedTaskQueue::Work() {
  for (;;) {
    std::function<void()> fn;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return shutdown_ || !pending_.empty();
      };
      mu_.Await(absl::Condition(&ready));
      if (pending_.empty()) return;  // Shut down and drained.
      fn = std::move(pending_.front());
      pending_.pop_front();
    }
    fn();
  }
}

}  // namespace skinlens::gateway
