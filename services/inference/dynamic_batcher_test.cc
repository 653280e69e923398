#include "services/inference/dynamic_batcher.h"

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/metrics/metrics_registry.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skinlens::inference {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using IntBatcher = DynamicBatcher<int, int>;
using IntResults = absl::StatusOr<std::vector<absl::StatusOr<int>>>;

// Collects results by item id; tests block on it (no sleeping) until the
// expected number arrived. Thread-safe.
class ResultSink {
 public:
  explicit ResultSink(int size) : results_(size, absl::UnknownError("no result")), counts_(size) {}

  IntBatcher::Callback For(int id) {
    return [this, id](absl::StatusOr<int> result) {
      absl::MutexLock lock(&mu_);
      results_[id] = std::move(result);
      ++counts_[id];
      ++total_;
    };
  }

  // Blocks until `n` results arrived. The timeout is only a safety net that
  // turns a batcher that never answers into a failure instead of a hang.
  void AwaitTotal(int n) {
    absl::MutexLock lock(&mu_);
    auto done = [&]() ABSL_NO_THREAD_SAFETY_ANALYSIS { return total_ >= n; };
    ASSERT_TRUE(mu_.AwaitWithTimeout(absl::Condition(&done), absl::Seconds(30)))
        << "only " << total_ << " of " << n << " results arrived";
  }

  int Total() {
    absl::MutexLock lock(&mu_);
    return total_;
  }
  absl::StatusOr<int> Result(int id) {
    absl::MutexLock lock(&mu_);
    return results_[id];
  }
  // The result as text: the value, or the status ("DEADLINE_EXCEEDED: ...").
  std::string Text(int id) {
    absl::StatusOr<int> result = Result(id);
    return result.ok() ? absl::StrCat(*result) : result.status().ToString();
  }
  int Count(int id) {
    absl::MutexLock lock(&mu_);
    return counts_[id];
  }

 private:
  absl::Mutex mu_;
  std::vector<absl::StatusOr<int>> results_ ABSL_GUARDED_BY(mu_);
  std::vector<int> counts_ ABSL_GUARDED_BY(mu_);
  int total_ ABSL_GUARDED_BY(mu_) = 0;
};

// A batch function that returns 10 * x and records every batch it saw.
class RecordingModel {
 public:
  IntBatcher::BatchFunction Function() {
    return [this](std::vector<int>& inputs) -> IntResults {
      {
        absl::MutexLock lock(&mu_);
        batches_.push_back(inputs);
      }
      std::vector<absl::StatusOr<int>> out;
      for (int x : inputs) {
        out.push_back(10 * x);
      }
      return out;
    };
  }
  std::vector<std::vector<int>> Batches() {
    absl::MutexLock lock(&mu_);
    return batches_;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::vector<int>> batches_ ABSL_GUARDED_BY(mu_);
};

BatcherConfig Config(int max_batch_size, absl::Duration max_queue_delay, int max_queue_size = 256,
                     int worker_threads = 1) {
  BatcherConfig config;
  config.max_batch_size = max_batch_size;
  config.max_queue_delay = max_queue_delay;
  config.max_queue_size = max_queue_size;
  config.worker_threads = worker_threads;
  config.name = "test";
  // These tests time batches by max_batch_size and max_queue_delay alone;
  // the idle dispatch has tests of its own.
  config.dispatch_when_idle = false;
  return config;
}

std::unique_ptr<IntBatcher> MakeBatcher(const BatcherConfig& config,
                                        IntBatcher::BatchFunction function, BatcherClock* clock) {
  absl::StatusOr<std::unique_ptr<IntBatcher>> batcher =
      IntBatcher::Create(config, std::move(function), BatcherDeps{clock, nullptr});
  EXPECT_TRUE(batcher.ok()) << batcher.status();
  return std::move(batcher).value();
}

// Config() with idle dispatch on, as the service runs it.
BatcherConfig IdleDispatchConfig(int max_batch_size, absl::Duration max_queue_delay) {
  BatcherConfig config = Config(max_batch_size, max_queue_delay);
  config.dispatch_when_idle = true;
  return config;
}

constexpr absl::Time kNoDeadline = absl::InfiniteFuture();

TEST(DynamicBatcher, RejectsInvalidConfig) {
  RecordingModel model;
  EXPECT_EQ(IntBatcher::Create(Config(0, absl::ZeroDuration()), model.Function()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(IntBatcher::Create(Config(4, absl::Milliseconds(-1)), model.Function()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      IntBatcher::Create(Config(4, absl::ZeroDuration(), 0), model.Function()).status().code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      IntBatcher::Create(Config(4, absl::ZeroDuration(), 8, 0), model.Function()).status().code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(IntBatcher::Create(Config(4, absl::ZeroDuration()), nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(DynamicBatcher, FlushesWhenMaxBatchSizeReached) {
  ManualBatcherClock clock;  // Never advanced: only a full batch can flush.
  RecordingModel model;
  ResultSink sink(4);
  auto batcher = MakeBatcher(Config(4, absl::Hours(1)), model.Function(), &clock);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(batcher->Submit(i, kNoDeadline, sink.For(i)).ok());
  }
  sink.AwaitTotal(4);
  EXPECT_THAT(model.Batches(), ElementsAre(ElementsAre(0, 1, 2, 3)));
  EXPECT_EQ(sink.Text(3), "30");
}

TEST(DynamicBatcher, FlushesWhenMaxDelayExpires) {
  ManualBatcherClock clock;
  const absl::Time start = clock.Now();
  RecordingModel model;
  ResultSink sink(3);
  auto batcher = MakeBatcher(Config(8, absl::Milliseconds(100)), model.Function(), &clock);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(batcher->Submit(i, kNoDeadline, sink.For(i)).ok());
  }
  // The delay counts from the oldest item's arrival.
  EXPECT_EQ(clock.AwaitWaiter(), start + absl::Milliseconds(100));
  clock.Advance(absl::Milliseconds(99));
  // The batcher saw the new time and still waits: nothing computed yet.
  EXPECT_EQ(clock.AwaitWaiter(), start + absl::Milliseconds(100));
  EXPECT_EQ(batcher->Stats().batches, 0);
  EXPECT_EQ(sink.Total(), 0);

  clock.Advance(absl::Milliseconds(1));
  sink.AwaitTotal(3);
  EXPECT_THAT(model.Batches(), ElementsAre(ElementsAre(0, 1, 2)));
}

// A lone item finds nothing queued or computing: it is computed at once, on
// a clock that never moves, although the delay is an hour.
TEST(DynamicBatcher, IdleDispatchComputesALoneItemWithoutWaitingTheDelay) {
  ManualBatcherClock clock;
  RecordingModel model;
  ResultSink sink(3);
  const BatcherConfig config = IdleDispatchConfig(8, absl::Hours(1));
  auto batcher = MakeBatcher(config, model.Function(), &clock);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(batcher->Submit(i, kNoDeadline, sink.For(i)).ok());
    sink.AwaitTotal(i + 1);  // Each is answered before the next arrives.
  }
  EXPECT_THAT(model.Batches(), ElementsAre(ElementsAre(0), ElementsAre(1), ElementsAre(2)));
  EXPECT_EQ(sink.Text(2), "20");
}

// While a batch computes, arrivals are batched as usual: they wait for the
// worker and then go together.
TEST(DynamicBatcher, IdleDispatchStillBatchesWhatArrivesWhileTheWorkerIsBusy) {
  ManualBatcherClock clock;
  absl::Notification release;
  absl::Notification first_started;
  RecordingModel model;
  auto recording = model.Function();
  ResultSink sink(4);
  const BatcherConfig config = IdleDispatchConfig(8, absl::Milliseconds(10));
  auto batcher = MakeBatcher(
      config,
      [&](std::vector<int>& inputs) -> IntResults {
        if (!first_started.HasBeenNotified()) {
          first_started.Notify();
          release.WaitForNotification();
        }
        return recording(inputs);
      },
      &clock);
  ASSERT_TRUE(batcher->Submit(0, kNoDeadline, sink.For(0)).ok());
  first_started.WaitForNotification();
  for (int i = 1; i < 4; ++i) {
    ASSERT_TRUE(batcher->Submit(i, kNoDeadline, sink.For(i)).ok());
  }
  release.Notify();
  sink.AwaitTotal(1);
  // The three wait for the delay (the worker is free again, nothing is
  // full), then go as one batch.
  clock.AwaitWaiter();
  clock.Advance(absl::Milliseconds(10));
  sink.AwaitTotal(4);
  EXPECT_THAT(model.Batches(), ElementsAre(ElementsAre(0), ElementsAre(1, 2, 3)));
}

// A request larger than a batch: the first max_batch_size items go at once,
// the rest are batched by the usual rules.
TEST(DynamicBatcher, IdleDispatchSplitsARequestLargerThanABatch) {
  ManualBatcherClock clock;
  RecordingModel model;
  ResultSink sink(5);
  const BatcherConfig config = IdleDispatchConfig(3, absl::Milliseconds(10));
  auto batcher = MakeBatcher(config, model.Function(), &clock);
  std::vector<int> inputs = {0, 1, 2, 3, 4};
  std::vector<IntBatcher::Callback> dones;
  for (int i = 0; i < 5; ++i) dones.push_back(sink.For(i));
  ASSERT_TRUE(batcher->SubmitAll(inputs, kNoDeadline, std::move(dones)).ok());
  sink.AwaitTotal(3);
  clock.AwaitWaiter();
  clock.Advance(absl::Milliseconds(10));
  sink.AwaitTotal(5);
  EXPECT_THAT(model.Batches(), ElementsAre(ElementsAre(0, 1, 2), ElementsAre(3, 4)));
}

TEST(DynamicBatcher, NeverExceedsMaxBatchSizeUnderManyConcurrentSubmitters) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 100;
  constexpr int kMaxBatch = 4;
  ManualBatcherClock clock;
  absl::Notification all_submitted;
  std::atomic<int> largest{0};
  auto function = [&](std::vector<int>& inputs) -> IntResults {
    all_submitted.WaitForNotification();  // Lets the queue fill, so batches are full.
    int seen = largest.load();
    while (static_cast<int>(inputs.size()) > seen &&
           !largest.compare_exchange_weak(seen, static_cast<int>(inputs.size()))) {
    }
    return std::vector<absl::StatusOr<int>>(inputs.begin(), inputs.end());
  };
  ResultSink sink(kThreads * kPerThread);
  auto batcher = MakeBatcher(Config(kMaxBatch, absl::ZeroDuration(), kThreads * kPerThread, 2),
                             function, &clock);
  std::vector<std::thread> submitters;
  for (int t = 0; t < kThreads; ++t) {
    submitters.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const int id = t * kPerThread + i;
        EXPECT_TRUE(batcher->Submit(id, kNoDeadline, sink.For(id)).ok());
      }
    });
  }
  for (std::thread& s : submitters) {
    s.join();
  }
  all_submitted.Notify();
  sink.AwaitTotal(kThreads * kPerThread);
  EXPECT_EQ(largest.load(), kMaxBatch);
  const BatcherStats stats = batcher->Stats();
  EXPECT_EQ(stats.largest_batch, kMaxBatch);
  EXPECT_EQ(stats.items_computed, kThreads * kPerThread);
}

TEST(DynamicBatcher, GrowsBatchesWhileEveryWorkerIsBusy) {
  ManualBatcherClock clock;
  absl::Notification first_started;
  absl::Notification release;
  RecordingModel model;
  auto inner = model.Function();
  auto function = [&](std::vector<int>& inputs) -> IntResults {
    if (!first_started.HasBeenNotified()) {
      first_started.Notify();
      release.WaitForNotification();
    }
    return inner(inputs);
  };
  ResultSink sink(6);
  auto batcher = MakeBatcher(Config(8, absl::ZeroDuration()), function, &clock);
  ASSERT_TRUE(batcher->Submit(0, kNoDeadline, sink.For(0)).ok());
  first_started.WaitForNotification();
  for (int i = 1; i < 6; ++i) {
    ASSERT_TRUE(batcher->Submit(i, kNoDeadline, sink.For(i)).ok());
  }
  release.Notify();
  sink.AwaitTotal(6);
  EXPECT_THAT(model.Batches(), ElementsAre(ElementsAre(0), ElementsAre(1, 2, 3, 4, 5)));
}

TEST(DynamicBatcher, RejectsWhenQueueFullWithResourceExhaustedAndRecovers) {
  ManualBatcherClock clock;
  absl::Notification first_started;
  absl::Notification release;
  auto function = [&](std::vector<int>& inputs) -> IntResults {
    if (!first_started.HasBeenNotified()) {
      first_started.Notify();
      release.WaitForNotification();
    }
    return std::vector<absl::StatusOr<int>>(inputs.begin(), inputs.end());
  };
  ResultSink sink(5);
  auto batcher =
      MakeBatcher(Config(1, absl::ZeroDuration(), /*max_queue_size=*/2), function, &clock);
  ASSERT_TRUE(batcher->Submit(0, kNoDeadline, sink.For(0)).ok());
  first_started.WaitForNotification();  // Item 0 left the queue; the only worker is busy.
  ASSERT_TRUE(batcher->Submit(1, kNoDeadline, sink.For(1)).ok());
  ASSERT_TRUE(batcher->Submit(2, kNoDeadline, sink.For(2)).ok());
  const absl::Status full = batcher->Submit(3, kNoDeadline, sink.For(3));
  EXPECT_EQ(full.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(full.message(), HasSubstr("queue is full"));
  EXPECT_EQ(batcher->Stats().items_rejected, 1);
  EXPECT_EQ(batcher->Stats().queue_depth, 2);

  release.Notify();
  sink.AwaitTotal(3);
  ASSERT_TRUE(batcher->Submit(4, kNoDeadline, sink.For(4)).ok());
  sink.AwaitTotal(4);
  EXPECT_EQ(sink.Text(4), "4");
  EXPECT_EQ(sink.Count(3), 0);  // The refused item's callback never runs.
}

TEST(DynamicBatcher, SubmitAllAdmitsEveryItemOrNone) {
  ManualBatcherClock clock;
  RecordingModel model;
  ResultSink sink(6);
  auto batcher = MakeBatcher(Config(8, absl::Milliseconds(10), /*max_queue_size=*/4),
                             model.Function(), &clock);
  std::vector<IntBatcher::Callback> first;
  for (int i = 0; i < 3; ++i) {
    first.push_back(sink.For(i));
  }
  ASSERT_TRUE(batcher->SubmitAll({0, 1, 2}, kNoDeadline, std::move(first)).ok());
  // Two more do not fit beside the three waiting: neither is queued.
  std::vector<IntBatcher::Callback> second = {sink.For(3), sink.For(4)};
  const absl::Status full = batcher->SubmitAll({3, 4}, kNoDeadline, std::move(second));
  EXPECT_EQ(full.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(batcher->Stats().queue_depth, 3);
  EXPECT_EQ(batcher->Stats().items_rejected, 1);
  EXPECT_EQ(batcher->SubmitAll({5}, kNoDeadline, {}).code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(batcher->Submit(5, kNoDeadline, sink.For(5)).ok());  // One still fits.

  clock.AwaitWaiter();
  clock.Advance(absl::Milliseconds(10));
  sink.AwaitTotal(4);
  EXPECT_THAT(model.Batches(), ElementsAre(ElementsAre(0, 1, 2, 5)));
  EXPECT_EQ(sink.Count(3), 0);
  EXPECT_EQ(sink.Count(4), 0);
}

TEST(DynamicBatcher, DropsExpiredItemsBeforeCompute) {
  ManualBatcherClock clock;
  const absl::Time start = clock.Now();
  RecordingModel model;
  ResultSink sink(3);
  auto batcher = MakeBatcher(Config(4, absl::Milliseconds(10)), model.Function(), &clock);
  ASSERT_TRUE(batcher->Submit(0, start + absl::Milliseconds(5), sink.For(0)).ok());
  ASSERT_TRUE(batcher->Submit(1, kNoDeadline, sink.For(1)).ok());
  ASSERT_TRUE(batcher->Submit(2, start + absl::Milliseconds(20), sink.For(2)).ok());
  clock.AwaitWaiter();
  clock.Advance(absl::Milliseconds(10));
  sink.AwaitTotal(3);
  EXPECT_THAT(model.Batches(), ElementsAre(ElementsAre(1, 2)));
  EXPECT_EQ(sink.Text(0), "DEADLINE_EXCEEDED: deadline passed while queued for a batch");
  EXPECT_EQ(sink.Text(1), "10");
  EXPECT_EQ(sink.Text(2), "20");
  EXPECT_EQ(batcher->Stats().items_expired, 1);
  EXPECT_EQ(batcher->Stats().items_computed, 2);
}

TEST(DynamicBatcher, ResultsReachTheRightCallerIncludingPerItemErrors) {
  constexpr int kItems = 30;
  ManualBatcherClock clock;
  auto function = [](std::vector<int>& inputs) -> IntResults {
    std::vector<absl::StatusOr<int>> out;
    for (int x : inputs) {
      if (x % 3 == 0) {
        out.push_back(absl::InvalidArgumentError(absl::StrCat("bad item ", x)));
      } else {
        out.push_back(x * x);
      }
    }
    return out;
  };
  ResultSink sink(kItems);
  auto batcher = MakeBatcher(Config(8, absl::ZeroDuration(), 64, 3), function, &clock);
  for (int i = 0; i < kItems; ++i) {
    ASSERT_TRUE(batcher->Submit(i, kNoDeadline, sink.For(i)).ok());
  }
  sink.AwaitTotal(kItems);
  for (int i = 0; i < kItems; ++i) {
    if (i % 3 == 0) {
      EXPECT_EQ(sink.Text(i), absl::StrCat("INVALID_ARGUMENT: bad item ", i));
    } else {
      EXPECT_EQ(sink.Text(i), absl::StrCat(i * i)) << i;
    }
  }
}

TEST(DynamicBatcher, BatchFunctionErrorFailsOnlyThatBatch) {
  ManualBatcherClock clock;
  auto function = [](std::vector<int>& inputs) -> IntResults {
    for (int x : inputs) {
      if (x == 13) {
        return absl::ResourceExhaustedError("out of device memory");
      }
    }
    return std::vector<absl::StatusOr<int>>(inputs.begin(), inputs.end());
  };
  ResultSink sink(4);
  auto batcher = MakeBatcher(Config(2, absl::Hours(1)), function, &clock);
  ASSERT_TRUE(batcher->Submit(13, kNoDeadline, sink.For(0)).ok());
  ASSERT_TRUE(batcher->Submit(14, kNoDeadline, sink.For(1)).ok());
  sink.AwaitTotal(2);
  ASSERT_TRUE(batcher->Submit(1, kNoDeadline, sink.For(2)).ok());
  ASSERT_TRUE(batcher->Submit(2, kNoDeadline, sink.For(3)).ok());
  sink.AwaitTotal(4);
  EXPECT_EQ(sink.Text(0), "RESOURCE_EXHAUSTED: out of device memory");
  EXPECT_EQ(sink.Text(1), "RESOURCE_EXHAUSTED: out of device memory");
  EXPECT_EQ(sink.Text(2), "1");
  EXPECT_EQ(sink.Text(3), "2");
}

TEST(DynamicBatcher, ThrowingOrMiscountingBatchFunctionFailsThatBatchWithInternal) {
  ManualBatcherClock clock;
  auto function = [](std::vector<int>& inputs) -> IntResults {
    if (inputs[0] == 0) {
      throw std::runtime_error("tensor shape mismatch");
    }
    if (inputs[0] == 1) {
      return std::vector<absl::StatusOr<int>>{};  // Too few results.
    }
    return std::vector<absl::StatusOr<int>>(inputs.begin(), inputs.end());
  };
  ResultSink sink(3);
  auto batcher = MakeBatcher(Config(1, absl::ZeroDuration()), function, &clock);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(batcher->Submit(i, kNoDeadline, sink.For(i)).ok());
  }
  sink.AwaitTotal(3);
  EXPECT_EQ(sink.Text(0), "INTERNAL: batch function threw: tensor shape mismatch");
  EXPECT_EQ(sink.Text(1), "INTERNAL: batch function returned 0 results for 1 inputs");
  EXPECT_EQ(sink.Text(2), "2");
}

TEST(DynamicBatcher, ShutdownDrainsQueuedItemsAndRefusesNew) {
  ManualBatcherClock clock;  // Never advanced: only the drain can flush.
  RecordingModel model;
  ResultSink sink(4);
  auto batcher = MakeBatcher(Config(8, absl::Hours(1)), model.Function(), &clock);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(batcher->Submit(i, kNoDeadline, sink.For(i)).ok());
  }
  batcher->Shutdown();
  EXPECT_EQ(sink.Total(), 3);  // Shutdown() returned after computing them.
  EXPECT_THAT(model.Batches(), ElementsAre(ElementsAre(0, 1, 2)));
  EXPECT_EQ(batcher->Submit(3, kNoDeadline, sink.For(3)).code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(sink.Count(3), 0);
  batcher->Shutdown();  // Idempotent.
}

TEST(DynamicBatcher, ExportsMetricsToTheRegistry) {
  ManualBatcherClock clock;
  MetricsRegistry registry;
  RecordingModel model;
  ResultSink sink(2);
  auto batcher = IntBatcher::Create(Config(2, absl::Hours(1)), model.Function(),
                                    BatcherDeps{&clock, &registry})
                     .value();
  ASSERT_TRUE(batcher->Submit(0, kNoDeadline, sink.For(0)).ok());
  ASSERT_TRUE(batcher->Submit(1, kNoDeadline, sink.For(1)).ok());
  sink.AwaitTotal(2);
  batcher->Shutdown();
  const std::string text = registry.RenderText();
  EXPECT_THAT(text, HasSubstr("skinlens_batcher_batch_size_bucket{batcher=\"test\",le=\"1\"} 0"));
  EXPECT_THAT(text, HasSubstr("skinlens_batcher_batch_size_bucket{batcher=\"test\",le=\"2\"} 1"));
  EXPECT_THAT(text, HasSubstr("skinlens_batcher_queue_wait_seconds_count{batcher=\"test\"} 2"));
  EXPECT_THAT(text, HasSubstr("skinlens_batcher_compute_seconds_count{batcher=\"test\"} 1"));
  EXPECT_THAT(text, HasSubstr("skinlens_batcher_queue_depth{batcher=\"test\"} 0"));
}

// Many threads, several workers, a small queue (so some Submit() calls are
// refused and retried) and real time: every admitted item gets exactly one
// result, and it is its own.
TEST(DynamicBatcher, EveryItemGetsExactlyOneResultUnderStress) {
  constexpr int kThreads = 16;
  constexpr int kPerThread = 250;
  constexpr int kItems = kThreads * kPerThread;
  auto function = [](std::vector<int>& inputs) -> IntResults {
    std::vector<absl::StatusOr<int>> out;
    for (int x : inputs) {
      out.push_back(x + 1'000'000);
    }
    return out;
  };
  ResultSink sink(kItems);
  absl::StatusOr<std::unique_ptr<IntBatcher>> batcher = IntBatcher::Create(
      Config(8, absl::Microseconds(50), /*max_queue_size=*/32, /*worker_threads=*/3), function);
  ASSERT_TRUE(batcher.ok());
  std::vector<std::thread> submitters;
  for (int t = 0; t < kThreads; ++t) {
    submitters.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const int id = t * kPerThread + i;
        absl::Status admitted;
        while ((admitted = (*batcher)->Submit(id, kNoDeadline, sink.For(id))).code() ==
               absl::StatusCode::kResourceExhausted) {
          std::this_thread::yield();
        }
        EXPECT_TRUE(admitted.ok()) << admitted;
      }
    });
  }
  for (std::thread& s : submitters) {
    s.join();
  }
  (*batcher)->Shutdown();
  EXPECT_EQ(sink.Total(), kItems);
  for (int id = 0; id < kItems; ++id) {
    ASSERT_EQ(sink.Count(id), 1) << id;
    ASSERT_EQ(sink.Text(id), absl::StrCat(id + 1'000'000)) << id;
  }
  const BatcherStats stats = (*batcher)->Stats();
  EXPECT_EQ(stats.items_computed, kItems);
  EXPECT_LE(stats.largest_batch, 8);
}

}  // namespace
}  // namespace skinlens::inference
