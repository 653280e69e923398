// Abseil times and durations to and from protobuf's well-known types, the one
// conversion every service uses (protobuf's TimeUtil does the normalisation:
// nanos always in [0, 1e9), also before 1970).
//
//   SetTimestamp(absl::Now(), response->mutable_create_time());
//   absl::Time t = TimeFromProto(request.since());
#pragma once

#include "absl/time/time.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/timestamp.pb.h"

namespace skinlens {

// `t` to whole nanoseconds, rounded toward the past.
void SetTimestamp(absl::Time t, google::protobuf::Timestamp* out);
// `d` to whole nanoseconds, rounded toward zero.
void SetDuration(absl::Duration d, google::protobuf::Duration* out);

absl::Time TimeFromProto(const google::protobuf::Timestamp& t);
absl::Duration DurationFromProto(const google::protobuf::Duration& d);

}  // namespace skinlens
