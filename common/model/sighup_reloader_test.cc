// SighupReloader in this test process: a SIGHUP runs the reload on the
// reloader's thread, one runs per process, and it stops when destroyed.
#include "common/model/sighup_reloader.h"

#include <signal.h>

#include <atomic>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace skinlens::model {
namespace {

// Waits up to 10 s for `count` to reach `want`.
bool AwaitCount(const std::atomic<int>& count, int want) {
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (count.load() < want && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(5));
  return count.load() >= want;
}

TEST(SighupReloader, EachSighupRunsTheReloadOnItsThread) {
  std::atomic<int> reloads{0};
  std::atomic<bool> on_caller{false};
  const std::thread::id caller = std::this_thread::get_id();
  absl::StatusOr<std::unique_ptr<SighupReloader>> reloader = SighupReloader::Start([&] {
    if (std::this_thread::get_id() == caller) on_caller = true;
    ++reloads;
  });
  ASSERT_TRUE(reloader.ok()) << reloader.status();
  ASSERT_EQ(raise(SIGHUP), 0);
  ASSERT_TRUE(AwaitCount(reloads, 1));
  ASSERT_EQ(raise(SIGHUP), 0);
  ASSERT_TRUE(AwaitCount(reloads, 2));
  EXPECT_FALSE(on_caller.load());
}

TEST(SighupReloader, OnePerProcessAndAnotherAfterItStops) {
  std::atomic<int> first_reloads{0}, second_reloads{0};
  {
    absl::StatusOr<std::unique_ptr<SighupReloader>> first =
        SighupReloader::Start([&] { ++first_reloads; });
    ASSERT_TRUE(first.ok()) << first.status();
    EXPECT_EQ(SighupReloader::Start([] {}).status().code(), absl::StatusCode::kFailedPrecondition);
  }
  absl::StatusOr<std::unique_ptr<SighupReloader>> second =
      SighupReloader::Start([&] { ++second_reloads; });
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_EQ(raise(SIGHUP), 0);
  ASSERT_TRUE(AwaitCount(second_reloads, 1));
  EXPECT_EQ(first_reloads.load(), 0);
}

}  // namespace
}  // namespace skinlens::model
