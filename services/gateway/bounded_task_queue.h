// A fixed pool of worker threads with a bounded queue, for cpp-httplib's
// server (httplib::TaskQueue). httplib's own ThreadPool queues without limit;
// here, once `max_pending` connections wait for a worker, enqueue() blocks the
// accepting thread, so further connections wait in the kernel's listen backlog
// (and are refused once it is full) instead of piling up in memory.
//
//   server.new_task_queue = [] { return new BoundedTaskQueue(16, 64); };
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "httplib.h"

namespace skinlens::gateway {

// See the file comment. Thread-safe; httplib owns it and calls shutdown()
// once before deleting it.
class BoundedTaskQueue final : public httplib::TaskQueue {
 public:
  // `workers` >= 1 threads; at most `max_pending` >= 1 tasks waiting.
  BoundedTaskQueue(size_t workers, size_t max_pending);
  ~BoundedTaskQueue() override;

  // Queues `fn`; blocks while the queue is full. After shutdown() `fn` runs on
  // the calling thread (httplib must still close the connection).
  void enqueue(std::function<void()> fn) override;
  // Runs what is queued, then joins the workers. Idempotent.
  void shutdown() override;

  // Callers of enqueue() waiting for room right now (for tests and gauges).
  size_t waiting_producers() const;

 private:
  void Work();

  const size_t max_pending_;
  mutable absl::Mutex mu_;
  size_t waiting_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<std::function<void()>> pending_ ABSL_GUARDED_BY(mu_);
  bool shutdown_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;  // Started in the constructor, joined in shutdown().
};

}  // namespace skinlens::gateway
