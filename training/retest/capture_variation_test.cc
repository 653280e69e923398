#include "training/retest/capture_variation.h"

#include <algorithm>
#include <cmath>

#include "gtest/gtest.h"

namespace skinlens::training {
namespace {

TEST(LightGainsRgb, DaylightIsNeutralAndALampIsWarm) {
  const cv::Vec3d daylight = LightGainsRgb(6500);
  EXPECT_NEAR(daylight[0], 1.0, 1e-9);
  EXPECT_NEAR(daylight[2], 1.0, 1e-9);
  const cv::Vec3d lamp = LightGainsRgb(3000);
  EXPECT_GT(lamp[0], 1.3);  // more red
  EXPECT_LT(lamp[2], 0.6);  // much less blue
  // Monotone: warmer light, redder and less blue.
  EXPECT_GT(LightGainsRgb(2700)[0], LightGainsRgb(4000)[0]);
  EXPECT_LT(LightGainsRgb(2700)[2], LightGainsRgb(4000)[2]);
}

TEST(DrawVariation, StaysInRangeAndColourOnlyChangesOnlyTheLight) {
  std::mt19937 random(1);
  // How far each condition got over the draws: in range is not enough, it must vary.
  double all_kelvin_min = 1e9, all_kelvin_max = 0, colour_kelvin_min = 1e9, colour_kelvin_max = 0;
  double ev_min = 0, ev_max = 0, blur_max = 0, rotation_max = 0, shift_max = 0;
  int quality_min = 100;
  for (int i = 0; i < 200; ++i) {
    const CaptureVariation all = DrawVariation(random, VariationSet::kAll);
    EXPECT_GE(all.kelvin, 2700);
    EXPECT_LE(all.kelvin, 6500);
    EXPECT_LE(std::abs(all.exposure_ev), 1.0);
    EXPECT_LE(std::abs(all.rotation_deg), 3.0);
    EXPECT_GE(all.jpeg_quality, 60);
    EXPECT_LE(all.jpeg_quality, 95);
    const CaptureVariation colour = DrawVariation(random, VariationSet::kColourOnly);
    EXPECT_EQ(colour.exposure_ev, 0);
    EXPECT_EQ(colour.shift_x_px, 0);
    EXPECT_EQ(colour.jpeg_quality, 95);
    EXPECT_EQ(colour.blur_sigma, 0);
    EXPECT_EQ(colour.rotation_deg, 0);
    all_kelvin_min = std::min(all_kelvin_min, all.kelvin);
    all_kelvin_max = std::max(all_kelvin_max, all.kelvin);
    colour_kelvin_min = std::min(colour_kelvin_min, colour.kelvin);
    colour_kelvin_max = std::max(colour_kelvin_max, colour.kelvin);
    ev_min = std::min(ev_min, all.exposure_ev);
    ev_max = std::max(ev_max, all.exposure_ev);
    blur_max = std::max(blur_max, all.blur_sigma);
    rotation_max = std::max(rotation_max, std::abs(all.rotation_deg));
    shift_max = std::max(shift_max, std::abs(all.shift_x_px));
    quality_min = std::min(quality_min, all.jpeg_quality);
  }
  EXPECT_GT(all_kelvin_max - all_kelvin_min, 2000);
  EXPECT_GT(colour_kelvin_max - colour_kelvin_min, 2000);  // The light does change.
  EXPECT_LT(ev_min, -0.5);
  EXPECT_GT(ev_max, 0.5);
  EXPECT_LT(quality_min, 80);
  EXPECT_GT(blur_max, 0.5);
  EXPECT_GT(rotation_max, 1.0);
  EXPECT_GT(shift_max, 0);
}

TEST(ApplyVariation, OneStopDoublesTheLightAndAWarmLampTintsGrey) {
  const cv::Mat grey(32, 32, CV_8UC3, cv::Scalar(60, 60, 60));
  CaptureVariation brighter;
  brighter.exposure_ev = 1;
  const cv::Scalar b = cv::mean(ApplyVariation(grey, brighter));
  // sRGB 60 is linear 0.0452; doubled 0.0904 is sRGB ~84.
  EXPECT_NEAR(b[1], 84, 2);
  CaptureVariation lamp;
  lamp.kelvin = 3000;
  const cv::Scalar w = cv::mean(ApplyVariation(grey, lamp));
  EXPECT_GT(w[2], w[1] + 5);   // red above green
  EXPECT_LT(w[0], w[1] - 10);  // blue below green
}

}  // namespace
}  // namespace skinlens::training
