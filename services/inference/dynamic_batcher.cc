#include "services/inference/dynamic_batcher.h"

#include <algorithm>
#include <cmath>

#include "common/metrics/metrics_registry.h"

namespace skinlens::inference {

void RealBatcherClock::WaitUntil(absl::Mutex* mu, absl::CondVar* cv, absl::Time deadline) {
  cv->WaitWithDeadline(mu, deadline);
}

absl::Time ManualBatcherClock::Now() {
  absl::MutexLock lock(&mu_);
  return now_;
}

void ManualBatcherClock::WaitUntil(absl::Mutex* mu, absl::CondVar* cv, absl::Time deadline) {
  {
    // Registering and reading the time in one critical section, with Advance()
    // doing both in one too, means an Advance() either sees this waiter (and
    // then signals it under `mu`, which the caller holds until it waits) or
    // happened before, so no wake-up is lost.
    absl::MutexLock lock(&mu_);
    if (now_ >= deadline) {
      return;
    }
    waiters_.push_back(Waiter{mu, cv, now_, deadline});
  }
  cv->Wait(mu);
  absl::MutexLock lock(&mu_);
  auto it =
      std::find_if(waiters_.begin(), waiters_.end(), [cv](const Waiter& w) { return w.cv == cv; });
  if (it != waiters_.end()) {
    waiters_.erase(it);
  }
}

void ManualBatcherClock::Advance(absl::Duration d) {
  std::vector<Waiter> to_wake;
  {
    absl::MutexLock lock(&mu_);
    now_ += d;
    to_wake = waiters_;
  }
  for (const Waiter& w : to_wake) {
    absl::MutexLock lock(w.mu);
    w.cv->SignalAll();
  }
}

absl::Time ManualBatcherClock::AwaitWaiter() {
  absl::MutexLock lock(&mu_);
  const Waiter* current = nullptr;
  auto found = [&]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
    for (const Waiter& w : waiters_) {
      if (w.registered_at == now_) {
        current = &w;
        return true;
      }
    }
    return false;
  };
  mu_.Await(absl::Condition(&found));
  return current->deadline;
}

absl::Status ValidateBatcherConfig(const BatcherConfig& config) {
  if (config.max_batch_size < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_batch_size must be >= 1, got ", config.max_batch_size));
  }
  if (config.max_queue_delay < absl::ZeroDuration() ||
      config.max_queue_delay == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(absl::StrCat("max_queue_delay must be finite and >= 0, got ",
                                                   absl::FormatDuration(config.max_queue_delay)));
  }
  if (config.max_queue_size < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_queue_size must be >= 1, got ", config.max_queue_size));
  }
  if (config.worker_threads < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("worker_threads must be >= 1, got ", config.worker_threads));
  }
  return absl::OkStatus();
}

namespace {

// Powers of two up to the largest batch: one bucket per plausible batch size.
std::vector<double> BatchSizeBuckets(int max_batch_size) {
  std::vector<double> bounds;
  for (double b = 1; b < max_batch_size; b *= 2) {
    bounds.push_back(b);
  }
  bounds.push_back(max_batch_size);
  return bounds;
}

}  // namespace

BatcherMetrics::BatcherMetrics(const BatcherConfig& config, MetricsRegistry* registry) {
  stats_.batch_size_counts.assign(static_cast<size_t>(std::max(config.max_batch_size, 0)) + 1, 0);
  if (registry == nullptr) {
    return;
  }
  const MetricLabels labels = {{"batcher", config.name}};
  queue_depth_ =
      &registry->GetGauge("skinlens_batcher_queue_depth", "Items waiting to be batched.", labels);
  batch_size_ = &registry->GetHistogram("skinlens_batcher_batch_size", "Items per computed batch.",
                                        labels, BatchSizeBuckets(config.max_batch_size));
  queue_wait_ =
      &registry->GetHistogram("skinlens_batcher_queue_wait_seconds",
                              "Time from Submit() to the item's batch being formed.", labels);
  compute_ = &registry->GetHistogram("skinlens_batcher_compute_seconds",
                                     "Time the batch function took per batch.", labels);
  expired_ =
      &registry->GetCounter("skinlens_batcher_items_expired_total",
                            "Items dropped before compute because their deadline passed.", labels);
  rejected_ = &registry->GetCounter("skinlens_batcher_items_rejected_total",
                                    "Submit() calls refused because the queue was full.", labels);
}

void BatcherMetrics::SetQueueDepth(int64_t depth) {
  {
    absl::MutexLock lock(&mu_);
    stats_.queue_depth = depth;
  }
  if (queue_depth_ != nullptr) {
    queue_depth_->Set(static_cast<double>(depth));
  }
}

void BatcherMetrics::RecordRejected() {
  {
    absl::MutexLock lock(&mu_);
    ++stats_.items_rejected;
  }
  if (rejected_ != nullptr) {
    rejected_->Increment();
  }
}

void BatcherMetrics::RecordExpired(int64_t n) {
  {
    absl::MutexLock lock(&mu_);
    stats_.items_expired += n;
  }
  if (expired_ != nullptr) {
    expired_->Increment(static_cast<double>(n));
  }
}

void BatcherMetrics::RecordQueueWait(absl::Duration wait) {
  if (queue_wait_ != nullptr) {
    queue_wait_->Observe(absl::ToDoubleSeconds(wait));
  }
}

void BatcherMetrics::RecordBatch(int64_t size, absl::Duration compute) {
  {
    absl::MutexLock lock(&mu_);
    ++stats_.batches;
    stats_.items_computed += size;
    stats_.largest_batch = std::max(stats_.largest_batch, size);
    if (size >= 0 && static_cast<size_t>(size) < stats_.batch_size_counts.size()) {
      ++stats_.batch_size_counts[static_cast<size_t>(size)];
    }
  }
  if (batch_size_ != nullptr) {
    batch_size_->Observe(static_cast<double>(size));
  }
  if (compute_ != nullptr) {
    compute_->Observe(absl::ToDoubleSeconds(compute));
  }
}

BatcherStats BatcherMetrics::Stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

}  // namespace skinlens::inference
