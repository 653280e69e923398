#include "services/auth/attempt_throttle.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace skinlens::auth {
namespace {

class AttemptThrottleTest : public ::testing::Test {
 protected:
  ThrottleOptions Options() {
    ThrottleOptions o;
    o.free_failures = 3;
    o.base_delay = absl::Seconds(2);
    o.max_delay = absl::Seconds(20);
    o.forget_after = absl::Minutes(10);
    return o;
  }
  absl::Time now_ = absl::FromUnixSeconds(1000);
  AttemptThrottle throttle_{Options(), [this] { return now_; }};
};

TEST_F(AttemptThrottleTest, FreeFailuresCostNothing) {
  for (int i = 0; i < 3; ++i) throttle_.RecordFailure({"k"});
  EXPECT_EQ(throttle_.RetryAfter({"k"}), absl::ZeroDuration());
}

TEST_F(AttemptThrottleTest, BackOffDoublesUpToTheCap) {
  for (int i = 0; i < 3; ++i) throttle_.RecordFailure({"k"});
  const absl::Duration expected[] = {absl::Seconds(2),  absl::Seconds(4),  absl::Seconds(8),
                                     absl::Seconds(16), absl::Seconds(20), absl::Seconds(20)};
  for (absl::Duration e : expected) {
    throttle_.RecordFailure({"k"});
    EXPECT_EQ(throttle_.RetryAfter({"k"}), e);
  }
}

TEST_F(AttemptThrottleTest, WaitShrinksWithTimeAndEnds) {
  for (int i = 0; i < 4; ++i) throttle_.RecordFailure({"k"});
  now_ += absl::Seconds(1);
  EXPECT_EQ(throttle_.RetryAfter({"k"}), absl::Seconds(1));
  now_ += absl::Seconds(1);
  EXPECT_EQ(throttle_.RetryAfter({"k"}), absl::ZeroDuration());
}

TEST_F(AttemptThrottleTest, LongestWaitOfSeveralKeysWins) {
  for (int i = 0; i < 5; ++i) throttle_.RecordFailure({"a"});
  for (int i = 0; i < 4; ++i) throttle_.RecordFailure({"b"});
  EXPECT_EQ(throttle_.RetryAfter({"b", "a", "unknown"}), absl::Seconds(4));
}

TEST_F(AttemptThrottleTest, ClearForgetsAKey) {
  for (int i = 0; i < 5; ++i) throttle_.RecordFailure({"a", "b"});
  throttle_.Clear("a");
  EXPECT_EQ(throttle_.RetryAfter({"a"}), absl::ZeroDuration());
  EXPECT_GT(throttle_.RetryAfter({"b"}), absl::ZeroDuration());
}

TEST_F(AttemptThrottleTest, QuietKeyStartsOver) {
  for (int i = 0; i < 6; ++i) throttle_.RecordFailure({"k"});
  now_ += absl::Minutes(10);
  throttle_.RecordFailure({"k"});  // Counts as the first again.
  EXPECT_EQ(throttle_.RetryAfter({"k"}), absl::ZeroDuration());
}

TEST_F(AttemptThrottleTest, MemoryIsBoundedKeepingBlockedKeys) {
  ThrottleOptions o = Options();
  o.max_keys = 10;
  AttemptThrottle small(o, [this] { return now_; });
  for (int i = 0; i < 4; ++i) small.RecordFailure({"attacker"});
  for (int i = 0; i < 100; ++i) {
    now_ += absl::Milliseconds(1);
    small.RecordFailure({absl::StrCat("k", i)});
  }
  EXPECT_GT(small.RetryAfter({"attacker"}), absl::ZeroDuration());
  // Bounded: the blocked key and the nine most recent of the flood are all that is kept.
  int kept = 0;
  for (int i = 0; i < 100; ++i) kept += small.Failures(absl::StrCat("k", i)) > 0 ? 1 : 0;
  EXPECT_EQ(kept, 9);
  EXPECT_EQ(small.Failures("k0"), 0);
  EXPECT_EQ(small.Failures("k90"), 0);
  EXPECT_EQ(small.Failures("k91"), 1);
  EXPECT_EQ(small.Failures("k99"), 1);
}

}  // namespace
}  // namespace skinlens::auth
