#include "common/time/proto_time.h"

#include "gtest/gtest.h"

namespace skinlens {
namespace {

TEST(ProtoTime, TimestampsKeepNanosecondsAndNormaliseBefore1970) {
  google::protobuf::Timestamp ts;
  SetTimestamp(absl::FromUnixNanos(1700000000123456789), &ts);
  EXPECT_EQ(ts.seconds(), 1700000000);
  EXPECT_EQ(ts.nanos(), 123456789);
  // Half a second before the epoch is second -1 plus 0.5 s, not second 0 minus.
  SetTimestamp(absl::UnixEpoch() - absl::Milliseconds(500), &ts);
  EXPECT_EQ(ts.seconds(), -1);
  EXPECT_EQ(ts.nanos(), 500000000);
  EXPECT_EQ(TimeFromProto(ts), absl::UnixEpoch() - absl::Milliseconds(500));
  // A fraction of a nanosecond rounds toward the past.
  SetTimestamp(absl::UnixEpoch() - absl::Nanoseconds(1) / 2, &ts);
  EXPECT_EQ(ts.seconds(), -1);
  EXPECT_EQ(ts.nanos(), 999999999);
}

TEST(ProtoTime, DurationsRoundTrip) {
  google::protobuf::Duration d;
  SetDuration(absl::Milliseconds(2500), &d);
  EXPECT_EQ(d.seconds(), 2);
  EXPECT_EQ(d.nanos(), 500000000);
  EXPECT_EQ(DurationFromProto(d), absl::Milliseconds(2500));
  SetDuration(-absl::Milliseconds(1500), &d);
  EXPECT_EQ(d.seconds(), -1);
  EXPECT_EQ(d.nanos(), -500000000);  // Same sign as seconds, as Duration requires.
  EXPECT_EQ(DurationFromProto(d), -absl::Milliseconds(1500));
}

}  // namespace
}  // namespace skinlens
