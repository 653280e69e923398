#include "services/gateway/bounded_task_queue.h"

#include <atomic>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace skinlens::gateway {
namespace {

TEST(BoundedTaskQueue, RunsEveryTaskOnceThoughTheQueueIsSmall) {
  std::atomic<int> ran{0};
  {
    BoundedTaskQueue queue(/*workers=*/2, /*max_pending=*/2);
    for (int i = 0; i < 200; ++i) queue.enqueue([&ran] { ran.fetch_add(1); });
    queue.shutdown();  // Drains what is queued.
  }
  EXPECT_EQ(ran.load(), 200);
}

TEST(BoundedTaskQueue, ProducerWaitsWhileTheQueueIsFull) {
  BoundedTaskQueue queue(/*workers=*/1, /*max_pending=*/1);
  absl::Notification release;
  absl::Notification started;
  queue.enqueue([&] {  // Occupies the only worker.
    started.Notify();
    release.WaitForNotification();
  });
  started.WaitForNotification();
  queue.enqueue([] {});  // Fills the queue.
  std::atomic<bool> third_enqueued{false};
  std::thread producer([&] {
    queue.enqueue([] {});
    third_enqueued = true;
  });
  // The producer is seen blocked inside enqueue() (if enqueue never blocked,
  // it would finish instead and this wait would give up), so it cannot have
  // finished; releasing the worker must let it through.
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (queue.waiting_producers() == 0 && !third_enqueued.load() && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  ASSERT_EQ(queue.waiting_producers(), 1u) << "the third enqueue did not wait for room";
  EXPECT_FALSE(third_enqueued.load());
  release.Notify();
  producer.join();
  EXPECT_TRUE(third_enqueued.load());
  queue.shutdown();
}

TEST(BoundedTaskQueue, AfterShutdownTasksRunOnTheCaller) {
  BoundedTaskQueue queue(1, 1);
  queue.shutdown();
  const std::thread::id caller = std::this_thread::get_id();
  std::thread::id ran_on;
  queue.enqueue([&] { ran_on = std::this_thread::get_id(); });
  EXPECT_EQ(ran_on, caller);
}

}  // namespace
}  // namespace skinlens::gateway
