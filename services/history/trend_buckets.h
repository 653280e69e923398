// Trend points from a user's samples of one attribute: one per diagnosis, or
// one per day, ISO week (Monday first) or month in an IANA time zone, with
// the mean, minimum and maximum expected score and the mean grade. No gRPC.
//
//   std::vector<v1::TrendPoint> points =
//       BucketTrend(samples, v1::TREND_BUCKET_WEEK, *LoadIanaTimeZone("Asia/Seoul"));
#pragma once

#include <vector>

#include "absl/time/time.h"
#include "common/storage/history_store.h"
#include "skinlens/v1/history.pb.h"

namespace skinlens::history {

// Groups `samples` (oldest first) into trend points: one per sample for
// TREND_BUCKET_NONE / UNSPECIFIED, else one per non-empty day, ISO week
// (Monday first) or month in `zone`.
std::vector<v1::TrendPoint> BucketTrend(const std::vector<storage::TrendSample>& samples,
                                        v1::TrendBucket bucket, absl::TimeZone zone);

}  // namespace skinlens::history
