#include "services/history/trend_buckets.h"

#include <algorithm>
#include <utility>

#include "common/time/proto_time.h"

namespace skinlens::history {
namespace {

using storage::TrendSample;

// The start of the bucket holding `t`, and of the next one.
std::pair<absl::Time, absl::Time> BucketOf(absl::Time t, v1::TrendBucket bucket,
                                           absl::TimeZone zone) {
  const absl::CivilDay day = absl::ToCivilDay(t, zone);
  switch (bucket) {
    case v1::TREND_BUCKET_WEEK: {
      const absl::CivilDay monday = absl::PrevWeekday(day + 1, absl::Weekday::monday);
      return {absl::FromCivil(monday, zone), absl::FromCivil(monday + 7, zone)};
    }
    case v1::TREND_BUCKET_MONTH: {
      const absl::CivilMonth month(day);
      return {absl::FromCivil(month, zone), absl::FromCivil(month + 1, zone)};
    }
    default:
      return {absl::FromCivil(day, zone), absl::FromCivil(day + 1, zone)};
  }
}

}  // namespace

std::vector<v1::TrendPoint> BucketTrend(const std::vector<TrendSample>& samples,
                                        v1::TrendBucket bucket, absl::TimeZone zone) {
  std::vector<v1::TrendPoint> points;
  if (bucket == v1::TREND_BUCKET_NONE || bucket == v1::TREND_BUCKET_UNSPECIFIED) {
    for (const TrendSample& s : samples) {
      v1::TrendPoint& p = points.emplace_back();
      SetTimestamp(s.time, p.mutable_start_time());
      SetTimestamp(s.time, p.mutable_end_time());
      p.set_count(1);
      p.set_mean_expected_score(s.expected_score);
      p.set_min_expected_score(s.expected_score);
      p.set_max_expected_score(s.expected_score);
      p.set_mean_grade(s.grade);
      p.set_diagnosis_id(s.diagnosis_id);
    }
    return points;
  }
  absl::Time current_start = absl::InfinitePast();
  double score_sum = 0;
  double grade_sum = 0;
  for (const TrendSample& s : samples) {  // Oldest first, so buckets arrive in order.
    const auto [start, end] = BucketOf(s.time, bucket, zone);
    if (points.empty() || start != current_start) {
      if (!points.empty()) {
        points.back().set_mean_expected_score(score_sum / points.back().count());
        points.back().set_mean_grade(grade_sum / points.back().count());
      }
      current_start = start;
      score_sum = grade_sum = 0;
      v1::TrendPoint& p = points.emplace_back();
      SetTimestamp(start, p.mutable_start_time());
      SetTimestamp(end, p.mutable_end_time());
      p.set_min_expected_score(s.expected_score);
      p.set_max_expected_score(s.expected_score);
    }
    v1::TrendPoint& p = points.back();
    p.set_count(p.count() + 1);
    p.set_min_expected_score(std::min(p.min_expected_score(), s.expected_score));
    p.set_max_expected_score(std::max(p.max_expected_score(), s.expected_score));
    score_sum += s.expected_score;
    grade_sum += s.grade;
  }
  if (!points.empty()) {
    points.back().set_mean_expected_score(score_sum / points.back().count());
    points.back().set_mean_grade(grade_sum / points.back().count());
  }
  return points;
}

}  // namespace skinlens::history
