// A dynamic batcher with the semantics of Triton's dynamic batch scheduler
// (https://docs.nvidia.com/deeplearning/triton-inference-server/user-guide/docs/user_guide/model_configuration.html#dynamic-batcher):
// concurrent callers Submit() single items; one batcher thread merges them into
// batches of at most `max_batch_size`, waiting at most `max_queue_delay` after
// the OLDEST queued item arrived (a full batch goes at once); worker threads
// run the batch function, and each caller gets its own result through a
// callback. It knows nothing of LibTorch or gRPC: the inference service
// instantiates it with its crop and prediction types.
//
//   BatcherConfig config;
//   config.max_batch_size = 16;
//   config.max_queue_delay = absl::Milliseconds(2);
//   auto batcher = DynamicBatcher<Crop, Prediction>::Create(
//       config, [&model](std::vector<Crop>& crops) { return model.PredictBatch(crops); });
//   absl::Status admitted = (*batcher)->Submit(std::move(crop), call_deadline,
//       [reactor](absl::StatusOr<Prediction> p) { reactor->Finish(std::move(p)); });
//   if (!admitted.ok()) { /* RESOURCE_EXHAUSTED or UNAVAILABLE: the callback never runs */ }
//
// Semantics, in order of an item's life:
//  * Admission: Submit() fails at once with RESOURCE_EXHAUSTED when
//    `max_queue_size` items are waiting (the caller may retry), and with
//    UNAVAILABLE after Shutdown() began. Admitted items get exactly one
//    callback. SubmitAll() admits the items of one request all or none.
//  * Idle dispatch (`dispatch_when_idle`, not in Triton): an admission that
//    finds the queue empty, no formed batch waiting and every worker free is
//    formed into a batch at once, in Submit(), without waiting
//    `max_queue_delay`: with nothing in flight no partner can be waiting to
//    join, so a lone caller pays no delay and no hop through the batcher
//    thread. Items admitted while a batch computes are batched as below.
//  * Forming a batch: the batcher thread forms a batch only while a worker is
//    free (as Triton waits for a free model instance), so under load items pile
//    up and batches grow. It flushes when `max_batch_size` items wait, or when
//    the oldest waiting item has waited `max_queue_delay`, or when draining.
//    Items are taken in arrival order (Triton's `preserve_ordering` holds for
//    dispatch; with several workers completions may interleave).
//  * Deadlines: an item whose deadline has passed when its batch is formed is
//    never given to the batch function; its callback gets DEADLINE_EXCEEDED.
//  * Compute: a worker runs the batch function; it returns one StatusOr per
//    item in the same order, so an item may fail alone. A batch function that
//    returns a non-OK status, the wrong number of results, or throws, fails
//    every item of that batch (and only that batch).
//  * Shutdown: Shutdown() refuses new items, computes everything already
//    queued (without waiting for `max_queue_delay`), then joins the threads.
//
// Not implemented (yet): Triton's `preferred_batch_sizes` and priority levels.
#pragma once

#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace skinlens {
class Counter;
class Gauge;
class Histogram;
class MetricsRegistry;
}  // namespace skinlens

namespace skinlens::inference {

// The time source of a batcher, injected so that tests never depend on real
// time. Implementations are thread-safe.
class BatcherClock {
 public:
  virtual ~BatcherClock() = default;

  virtual absl::Time Now() = 0;

  // Blocks on `cv` (releasing `mu`, which the caller holds) until `deadline`
  // on this clock has passed or `cv` is signalled; may return early
  // (callers loop). Returns with `mu` held.
  virtual void WaitUntil(absl::Mutex* mu, absl::CondVar* cv, absl::Time deadline)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) = 0;
};

// Wall-clock time; the default.
class RealBatcherClock final : public BatcherClock {
 public:
  absl::Time Now() override { return absl::Now(); }
  void WaitUntil(absl::Mutex* mu, absl::CondVar* cv, absl::Time deadline) override
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
};

// Virtual time that only Advance() moves, for tests. Waiters are woken when an
// Advance() reaches their deadline. Thread-safe.
class ManualBatcherClock final : public BatcherClock {
 public:
  explicit ManualBatcherClock(absl::Time start = absl::FromUnixSeconds(1'780'000'000))
      : now_(start) {}

  absl::Time Now() override;
  void WaitUntil(absl::Mutex* mu, absl::CondVar* cv, absl::Time deadline) override
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);

  // Moves time forward by `d` and wakes every waiter. A batcher waiting on
  // this clock must not be destroyed during the call.
  void Advance(absl::Duration d);

  // Blocks until a thread is inside WaitUntil() having read the current time
  // (so it waits for a later Advance()), and returns the deadline it waits
  // for: lets a test know the batcher is waiting for the timer.
  absl::Time AwaitWaiter();

 private:
  struct Waiter {
    absl::Mutex* mu;
    absl::CondVar* cv;
    absl::Time registered_at;  // now_ when it began waiting.
    absl::Time deadline;
  };

  absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
  std::vector<Waiter> waiters_ ABSL_GUARDED_BY(mu_);  // Those inside WaitUntil now.
};

// How a batcher forms batches. See the file comment for the semantics.
struct BatcherConfig {
  int max_batch_size = 8;                                  // Items per batch, >= 1.
  absl::Duration max_queue_delay = absl::Milliseconds(1);  // >= 0; 0: never wait.
  int max_queue_size = 256;      // Items waiting (not yet in a batch), >= 1.
  int worker_threads = 1;        // Batches computed at once, >= 1.
  std::string name = "default";  // The `batcher` label of its metrics.
  // Form a batch at once when nothing is queued or computing (file comment).
  bool dispatch_when_idle = true;
};

// INVALID_ARGUMENT naming the first bad field, else OK.
absl::Status ValidateBatcherConfig(const BatcherConfig& config);

// Counters of one batcher, read by tests and the bench.
struct BatcherStats {
  int64_t queue_depth = 0;                 // Items waiting now.
  int64_t batches = 0;                     // Batches given to the batch function.
  int64_t items_computed = 0;              // Items given to the batch function.
  int64_t items_expired = 0;               // Items dropped for their deadline.
  int64_t items_rejected = 0;              // Submit() calls refused for a full queue.
  int64_t largest_batch = 0;               // Largest batch seen.
  std::vector<int64_t> batch_size_counts;  // [k]: batches of size k (0..max_batch_size).
};

// Records a batcher's metrics into its stats and, when given, a
// MetricsRegistry (series labelled {batcher=<name>}):
//   skinlens_batcher_queue_depth (gauge), skinlens_batcher_batch_size
//   (histogram), skinlens_batcher_queue_wait_seconds and
//   skinlens_batcher_compute_seconds (histograms),
//   skinlens_batcher_items_expired_total, skinlens_batcher_items_rejected_total.
// Thread-safe.
class BatcherMetrics {
 public:
  // `registry` may be null; it must outlive this object.
  BatcherMetrics(const BatcherConfig& config, MetricsRegistry* registry);

  void SetQueueDepth(int64_t depth);
  void RecordRejected();
  void RecordExpired(int64_t n);
  void RecordQueueWait(absl::Duration wait);
  void RecordBatch(int64_t size, absl::Duration compute);

  BatcherStats Stats() const;

 private:
  mutable absl::Mutex mu_;
  BatcherStats stats_ ABSL_GUARDED_BY(mu_);
  Gauge* queue_depth_ = nullptr;  // Registry series, or null without a registry.
  Histogram* batch_size_ = nullptr;
  Histogram* queue_wait_ = nullptr;
  Histogram* compute_ = nullptr;
  Counter* expired_ = nullptr;
  Counter* rejected_ = nullptr;
};

// What a batcher needs besides its configuration; both optional.
struct BatcherDeps {
  BatcherClock* clock = nullptr;       // Null: real time. Must outlive the batcher.
  MetricsRegistry* metrics = nullptr;  // Null: Stats() only. Must outlive the batcher.
};

// Merges single items from many threads into batches for `BatchFunction` (see
// the file comment). Thread-safe: Submit(), Stats() and Shutdown() may be
// called from any thread; the destructor shuts down.
template <typename In, typename Out>
class DynamicBatcher {
 public:
  // Computes one batch: returns one result per input, in input order, or a
  // status that fails the whole batch. Runs on a worker thread, several at
  // once when `worker_threads` > 1; it may move from its argument.
  using BatchFunction =
      std::function<absl::StatusOr<std::vector<absl::StatusOr<Out>>>(std::vector<In>&)>;
  // Receives an item's result, exactly once, on a worker thread (or on the
  // batcher thread for DEADLINE_EXCEEDED). Must not block, throw, nor call
  // Shutdown(); may call Submit().
  using Callback = std::function<void(absl::StatusOr<Out>)>;

  // Starts the batcher and worker threads; INVALID_ARGUMENT for a bad config.
  static absl::StatusOr<std::unique_ptr<DynamicBatcher>> Create(const BatcherConfig& config,
                                                                BatchFunction batch_function,
                                                                BatcherDeps deps = {}) {
    if (absl::Status valid = ValidateBatcherConfig(config); !valid.ok()) {
      return valid;
    }
    if (!batch_function) {
      return absl::InvalidArgumentError("batch function is empty");
    }
    return std::unique_ptr<DynamicBatcher>(
        new DynamicBatcher(config, std::move(batch_function), deps));
  }

  DynamicBatcher(const DynamicBatcher&) = delete;
  DynamicBatcher& operator=(const DynamicBatcher&) = delete;
  ~DynamicBatcher() { Shutdown(); }

  // Queues `input`; `done` later receives its result, or DEADLINE_EXCEEDED if
  // `deadline` (on the batcher's clock; absl::InfiniteFuture() for none) has
  // passed before its batch is formed. Returns RESOURCE_EXHAUSTED when the
  // queue is full and UNAVAILABLE after Shutdown() began; then `done` is never
  // called.
  absl::Status Submit(In input, absl::Time deadline, Callback done) {
    std::vector<In> inputs;
    inputs.push_back(std::move(input));
    std::vector<Callback> dones;
    dones.push_back(std::move(done));
    return SubmitAll(std::move(inputs), deadline, std::move(dones));
  }

  // Queues the items of one request as a unit: either all are admitted
  // (consecutively, so they tend to share a batch) or none is, so a refused
  // request leaves nothing behind in the queue to be computed for nobody.
  // `dones[i]` receives `inputs[i]`'s result. RESOURCE_EXHAUSTED when fewer
  // than inputs.size() places are free (counted once as rejected);
  // UNAVAILABLE after Shutdown() began; INVALID_ARGUMENT when the sizes
  // differ or are 0. On error no callback is ever called.
  absl::Status SubmitAll(std::vector<In> inputs, absl::Time deadline, std::vector<Callback> dones) {
    if (inputs.empty() || inputs.size() != dones.size()) {
      return absl::InvalidArgumentError(absl::StrCat("SubmitAll needs as many callbacks (",
                                                     dones.size(), ") as inputs (", inputs.size(),
                                                     "), at least one"));
    }
    absl::MutexLock lock(&mu_);
    if (stopping_) {
      return absl::UnavailableError(absl::StrCat("batcher '", config_.name, "' is shutting down"));
    }
    if (queue_.size() + inputs.size() > static_cast<size_t>(config_.max_queue_size)) {
      metrics_.RecordRejected();
      return absl::ResourceExhaustedError(absl::StrCat(
          "batcher '", config_.name, "' queue is full (", queue_.size(), " of ",
          config_.max_queue_size, " items waiting, ", inputs.size(), " more asked); retry later"));
    }
    const absl::Time now = clock_->Now();
    const bool idle = config_.dispatch_when_idle && queue_.empty() && ready_.empty() &&
                      free_workers_ == config_.worker_threads;
    for (size_t i = 0; i < inputs.size(); ++i) {
      queue_.push_back(Item{std::move(inputs[i]), deadline, now, std::move(dones[i])});
    }
    // Nothing in flight: no partner can come before a worker is needed. A
    // live deadline keeps FormBatchLocked from calling back on this thread.
    if (idle && deadline > now) {
      FormBatchLocked(now);
    } else {
      metrics_.SetQueueDepth(static_cast<int64_t>(queue_.size()));
    }
    cv_.SignalAll();
    return absl::OkStatus();
  }

  // Refuses new items, computes every queued one, then stops the threads.
  // Idempotent; must not be called from a callback or the batch function.
  void Shutdown() {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
      cv_.SignalAll();
    }
    absl::MutexLock join_lock(&join_mu_);
    if (batcher_thread_.joinable()) {
      batcher_thread_.join();
    }
    for (std::thread& worker : workers_) {
      if (worker.joinable()) {
        worker.join();
      }
    }
  }

  BatcherStats Stats() const { return metrics_.Stats(); }
  const BatcherConfig& config() const { return config_; }

 private:
  // One admitted item.
  struct Item {
    In input;
    absl::Time deadline;
    absl::Time enqueued;
    Callback done;
  };
  // A formed batch handed from the batcher thread to a worker.
  struct Batch {
    std::vector<In> inputs;
    std::vector<Callback> callbacks;
  };

  DynamicBatcher(const BatcherConfig& config, BatchFunction batch_function, BatcherDeps deps)
      : config_(config),
        batch_function_(std::move(batch_function)),
        owned_clock_(deps.clock == nullptr ? std::make_unique<RealBatcherClock>() : nullptr),
        clock_(deps.clock == nullptr ? owned_clock_.get() : deps.clock),
        metrics_(config, deps.metrics),
        free_workers_(config.worker_threads) {
    batcher_thread_ = std::thread([this] { BatcherLoop(); });
    workers_.reserve(config_.worker_threads);
    for (int i = 0; i < config_.worker_threads; ++i) {
      workers_.emplace_back([this] { WorkerLoop(); });
    }
  }

  // The batcher thread: forms batches while a worker is free.
  void BatcherLoop() {
    absl::MutexLock lock(&mu_);
    while (true) {
      while (!(stopping_ && queue_.empty()) && (queue_.empty() || free_workers_ == 0)) {
        cv_.Wait(&mu_);
      }
      if (queue_.empty()) {  // Stopping and drained.
        break;
      }
      const absl::Time flush_at = queue_.front().enqueued + config_.max_queue_delay;
      const absl::Time now = clock_->Now();
      if (static_cast<int>(queue_.size()) < config_.max_batch_size && !stopping_ &&
          now < flush_at) {
        clock_->WaitUntil(&mu_, &cv_, flush_at);
        continue;
      }
      FormBatchLocked(now);
    }
    batcher_done_ = true;
    cv_.SignalAll();
  }

  // Takes up to max_batch_size live items from the queue; answers expired
  // ones; hands the batch to a free worker.
  void FormBatchLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    Batch batch;
    std::vector<Callback> expired;
    while (!queue_.empty() && static_cast<int>(batch.inputs.size()) < config_.max_batch_size) {
      Item& item = queue_.front();
      if (item.deadline <= now) {
        expired.push_back(std::move(item.done));
      } else {
        metrics_.RecordQueueWait(now - item.enqueued);
        batch.inputs.push_back(std::move(item.input));
        batch.callbacks.push_back(std::move(item.done));
      }
      queue_.pop_front();
    }
    metrics_.SetQueueDepth(static_cast<int64_t>(queue_.size()));
    if (!batch.inputs.empty()) {
      --free_workers_;
      ready_.push_back(std::move(batch));
      cv_.SignalAll();
    }
    if (!expired.empty()) {
      metrics_.RecordExpired(static_cast<int64_t>(expired.size()));
      mu_.Unlock();  // Callbacks run without the lock.
      for (Callback& done : expired) {
        done(absl::DeadlineExceededError("deadline passed while queued for a batch"));
      }
      mu_.Lock();
    }
  }

  // A worker thread: computes ready batches until the batcher is done.
  void WorkerLoop() {
    absl::MutexLock lock(&mu_);
    while (true) {
      while (ready_.empty() && !batcher_done_) {
        cv_.Wait(&mu_);
      }
      if (ready_.empty()) {
        break;
      }
      Batch batch = std::move(ready_.front());
      ready_.pop_front();
      mu_.Unlock();
      Results results = Compute(batch);
      mu_.Lock();
      // Free before any caller hears back, so a caller that submits again on
      // its answer finds the batcher idle (dispatch_when_idle).
      ++free_workers_;
      cv_.SignalAll();
      mu_.Unlock();
      Deliver(batch, std::move(results));
      mu_.Lock();
    }
  }

  using Results = absl::StatusOr<std::vector<absl::StatusOr<Out>>>;

  // Runs the batch function; a throw or a wrong count fails the whole batch.
  Results Compute(Batch& batch) ABSL_LOCKS_EXCLUDED(mu_) {
    const size_t n = batch.inputs.size();
    const absl::Time start = clock_->Now();
    Results results;
    try {
      results = batch_function_(batch.inputs);
    } catch (const std::exception& e) {
      results = absl::InternalError(absl::StrCat("batch function threw: ", e.what()));
    } catch (...) {
      results = absl::InternalError("batch function threw a non-standard exception");
    }
    metrics_.RecordBatch(static_cast<int64_t>(n), clock_->Now() - start);
    if (results.ok() && results->size() != n) {
      results = absl::InternalError(
          absl::StrCat("batch function returned ", results->size(), " results for ", n, " inputs"));
    }
    return results;
  }

  // Routes each result to its caller.
  static void Deliver(Batch& batch, Results results) {
    for (size_t i = 0; i < batch.callbacks.size(); ++i) {
      if (results.ok()) {
        batch.callbacks[i](std::move((*results)[i]));
      } else {
        batch.callbacks[i](results.status());
      }
    }
  }

  const BatcherConfig config_;
  const BatchFunction batch_function_;               // Called by workers without mu_.
  const std::unique_ptr<BatcherClock> owned_clock_;  // The real clock when none was given.
  BatcherClock* const clock_;                        // Thread-safe itself.
  BatcherMetrics metrics_;                           // Thread-safe itself.

  absl::Mutex mu_;
  absl::CondVar cv_;                                // Signalled on every change to the state below.
  std::deque<Item> queue_ ABSL_GUARDED_BY(mu_);     // Admitted items not yet in a batch.
  std::deque<Batch> ready_ ABSL_GUARDED_BY(mu_);    // Formed batches no worker took yet.
  int free_workers_ ABSL_GUARDED_BY(mu_);           // Workers not computing nor promised a batch.
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;      // Shutdown() began: refuse, drain.
  bool batcher_done_ ABSL_GUARDED_BY(mu_) = false;  // The batcher thread formed its last batch.

  absl::Mutex join_mu_;               // Serialises joining the threads in Shutdown().
  std::thread batcher_thread_;        // Written in the constructor only.
  std::vector<std::thread> workers_;  // Written in the constructor only.
};

}  // namespace skinlens::inference
