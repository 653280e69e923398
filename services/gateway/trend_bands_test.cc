#include "services/gateway/trend_bands.h"

#include <cmath>

#include "gtest/gtest.h"

namespace skinlens::gateway {
namespace {

v1::ModelInfo WithNoise(v1::Attribute attribute, double sd) {
  v1::ModelInfo info;
  v1::RetestNoise* n = info.add_retest_noise();
  n->set_attribute(attribute);
  n->set_expected_score_sd(sd);
  return info;
}

google::protobuf::RepeatedPtrField<v1::TrendSeries> Series(
    v1::Attribute attribute, std::initializer_list<std::pair<double, int>> points) {
  google::protobuf::RepeatedPtrField<v1::TrendSeries> series;
  v1::TrendSeries* s = series.Add();
  s->set_attribute(attribute);
  for (const auto& [mean, count] : points) {
    v1::TrendPoint* p = s->add_points();
    p->set_mean_expected_score(mean);
    p->set_count(count);
  }
  return series;
}

TEST(AddNoiseBands, BandsShrinkWithMorePhotosAndAreClamped) {
  auto series = Series(v1::ATTRIBUTE_OIL, {{2.0, 1}, {2.0, 4}, {0.1, 1}, {3.9, 1}});
  AddNoiseBands(WithNoise(v1::ATTRIBUTE_OIL, 0.25), &series);
  const auto& p = series[0].points();
  EXPECT_NEAR(p[0].band_lower(), 2.0 - 1.96 * 0.25, 1e-9);
  EXPECT_NEAR(p[0].band_upper(), 2.0 + 1.96 * 0.25, 1e-9);
  EXPECT_NEAR(p[1].band_upper() - p[1].band_lower(), 2 * 1.96 * 0.25 / 2, 1e-9);  // sqrt(4) = 2
  EXPECT_EQ(p[2].band_lower(), 0.0);
  EXPECT_EQ(p[3].band_upper(), 4.0);
}

TEST(AddNoiseBands, FlagsOnlyChangesBeyondRepeatScanNoise) {
  // sd 0.25: single photos must differ by more than 1.96 * sqrt(2) * 0.25 = 0.693.
  auto series = Series(v1::ATTRIBUTE_OIL, {{1.0, 1}, {1.6, 1}, {2.4, 1}, {2.0, 1}, {1.1, 1}});
  AddNoiseBands(WithNoise(v1::ATTRIBUTE_OIL, 0.25), &series);
  const auto& p = series[0].points();
  EXPECT_FALSE(p[0].change_significant());  // The first point has nothing to compare.
  EXPECT_FALSE(p[1].change_significant());  // +0.6
  EXPECT_TRUE(p[2].change_significant());   // +0.8
  EXPECT_FALSE(p[3].change_significant());  // -0.4
  EXPECT_TRUE(p[4].change_significant());   // -0.9
}

TEST(AddNoiseBands, BucketsOfSeveralPhotosDetectSmallerChanges) {
  // 0.5 is noise between two single photos, but not between two buckets of 9.
  auto single = Series(v1::ATTRIBUTE_OIL, {{1.0, 1}, {1.5, 1}});
  auto buckets = Series(v1::ATTRIBUTE_OIL, {{1.0, 9}, {1.5, 9}});
  AddNoiseBands(WithNoise(v1::ATTRIBUTE_OIL, 0.25), &single);
  AddNoiseBands(WithNoise(v1::ATTRIBUTE_OIL, 0.25), &buckets);
  EXPECT_FALSE(single[0].points(1).change_significant());
  EXPECT_TRUE(buckets[0].points(1).change_significant());
}

TEST(AddNoiseBands, WithoutFiguresTheBandIsTheMeanAndNothingIsFlagged) {
  auto series = Series(v1::ATTRIBUTE_WRINKLE, {{1.0, 1}, {3.5, 1}});
  AddNoiseBands(WithNoise(v1::ATTRIBUTE_OIL, 0.25), &series);  // No wrinkle figure.
  const auto& p = series[0].points();
  EXPECT_EQ(p[1].band_lower(), 3.5);
  EXPECT_EQ(p[1].band_upper(), 3.5);
  EXPECT_FALSE(p[1].change_significant());
}

}  // namespace
}  // namespace skinlens::gateway
