#include "training/augment/color_transforms.h"

#include <cmath>

#include "gtest/gtest.h"
#include "opencv2/core.hpp"
#include "opencv2/imgproc.hpp"
#include "training/augment/transform_test_util.h"

namespace skinlens::training {
namespace {

bool Identical(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0.0;
}

// A smooth gradient with some texture, far from 0 and 255.
cv::Mat SkinLikeImage() {
  cv::Mat image(32, 48, CV_8UC3);
  for (int y = 0; y < image.rows; ++y) {
    for (int x = 0; x < image.cols; ++x) {
      image.at<cv::Vec3b>(y, x) = cv::Vec3b(90 + x, 110 + y, 150 + (x * y) % 40);
    }
  }
  return image;
}

TEST(ShiftRgb, AddsPerChannelAndSaturates) {
  const cv::Mat image(2, 2, CV_8UC3, cv::Scalar(10, 100, 250));  // B, G, R.
  const cv::Mat out = ShiftRgb(image, /*r=*/10, /*g=*/-20, /*b=*/-15);
  EXPECT_EQ(out.at<cv::Vec3b>(1, 1), cv::Vec3b(0, 80, 255));
}

TEST(RgbShift, ShiftsEachChannelUniformlyWithinItsLimits) {
  RgbShiftOptions options;
  options.r_shift_limit = {-5, 5};
  options.g_shift_limit = {0, 0};
  options.b_shift_limit = {10, 20};
  options.p = 1.0;
  auto shift = Make(RgbShift::Create(options));
  const cv::Mat image(4, 4, CV_8UC3, cv::Scalar(128, 128, 128));
  AugmentRng rng(4);
  bool saw_negative_red = false;
  bool saw_positive_red = false;
  for (int i = 0; i < 100; ++i) {
    const cv::Mat out = MustApply(*shift, image, rng);
    const cv::Vec3b pixel = out.at<cv::Vec3b>(0, 0);
    // The same shift on every pixel.
    ASSERT_EQ(cv::norm(out, cv::Mat(4, 4, CV_8UC3, cv::Scalar(pixel[0], pixel[1], pixel[2])),
                       cv::NORM_INF),
              0.0);
    const int b = pixel[0] - 128, g = pixel[1] - 128, r = pixel[2] - 128;
    ASSERT_GE(b, 10);
    ASSERT_LE(b, 20);
    ASSERT_EQ(g, 0);
    ASSERT_GE(r, -5);
    ASSERT_LE(r, 5);
    saw_negative_red |= r < -1;
    saw_positive_red |= r > 1;
  }
  EXPECT_TRUE(saw_negative_red && saw_positive_red);
}

TEST(RgbShift, RejectsLimitsBeyond255) {
  RgbShiftOptions options;
  options.g_shift_limit = {-300, 0};
  EXPECT_EQ(RgbShift::Create(options).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(AdjustBrightnessContrast, ScalesThenAddsAShareOfTheMaximum) {
  const cv::Mat image(2, 2, CV_8UC3, cv::Scalar(100, 20, 200));
  const cv::Mat out = AdjustBrightnessContrast(image, /*alpha=*/1.5, /*beta=*/0.1,
                                               /*beta_by_max=*/true);
  // 1.5 * v + 25.5, saturated.
  EXPECT_EQ(out.at<cv::Vec3b>(0, 0), cv::Vec3b(176, 56, 255));
}

TEST(AdjustBrightnessContrast, WithoutByMaxAddsAShareOfTheMean) {
  const cv::Mat image(2, 2, CV_8UC3, cv::Scalar(100, 100, 100));
  const cv::Mat out = AdjustBrightnessContrast(image, 1.0, 0.5, /*beta_by_max=*/false);
  EXPECT_EQ(out.at<cv::Vec3b>(0, 0), cv::Vec3b(150, 150, 150));
}

TEST(RandomBrightnessContrast, PositiveLimitBrightensNegativeDarkens) {
  const cv::Mat image = SkinLikeImage();
  const double before = cv::mean(image.reshape(1))[0];
  RandomBrightnessContrastOptions options;
  options.contrast_limit = {0.0, 0.0};
  options.p = 1.0;
  options.brightness_limit = {0.1, 0.2};
  auto brighter = Make(RandomBrightnessContrast::Create(options));
  options.brightness_limit = {-0.2, -0.1};
  auto darker = Make(RandomBrightnessContrast::Create(options));
  AugmentRng rng(12);
  for (int i = 0; i < 20; ++i) {
    const double up = cv::mean(MustApply(*brighter, image, rng).reshape(1))[0];
    const double down = cv::mean(MustApply(*darker, image, rng).reshape(1))[0];
    EXPECT_GT(up, before + 15);  // At least 0.1 * 255 minus what saturates.
    EXPECT_LT(down, before - 20);
  }
}

TEST(RandomBrightnessContrast, ContrastAboveOneSpreadsValues) {
  const cv::Mat image = SkinLikeImage();
  RandomBrightnessContrastOptions options;
  options.brightness_limit = {0.0, 0.0};
  options.contrast_limit = {0.3, 0.4};
  options.p = 1.0;
  auto contrast = Make(RandomBrightnessContrast::Create(options));
  AugmentRng rng(2);
  cv::Scalar mean_before, std_before, mean_after, std_after;
  cv::meanStdDev(image.reshape(1), mean_before, std_before);
  cv::meanStdDev(MustApply(*contrast, image, rng).reshape(1), mean_after, std_after);
  EXPECT_GT(std_after[0], std_before[0] * 1.25);
}

TEST(RandomBrightness, ChangesBrightnessButNotContrast) {
  auto brightness = Make(RandomBrightnessContrast::CreateBrightnessOnly({0.1, 0.1}, 1.0));
  EXPECT_EQ(brightness->name(), "RandomBrightness");
  const cv::Mat image(2, 2, CV_8UC3, cv::Scalar(10, 50, 90));
  AugmentRng rng(1);
  EXPECT_EQ(MustApply(*brightness, image, rng).at<cv::Vec3b>(0, 0), cv::Vec3b(36, 76, 116));
}

TEST(RandomBrightnessContrast, ProbabilityZeroLeavesTheImageUnchanged) {
  RandomBrightnessContrastOptions options;
  options.p = 0.0;
  auto transform = Make(RandomBrightnessContrast::Create(options));
  const cv::Mat image = SkinLikeImage();
  AugmentRng rng(1);
  for (int i = 0; i < 20; ++i) EXPECT_TRUE(Identical(MustApply(*transform, image, rng), image));
}

TEST(AddIsoNoise, NoNoiseOnAFlatImageWithoutColourShift) {
  // A flat image has no lightness spread, so no lightness noise; the colour
  // shift is 0: only the HLS round trip remains.
  const cv::Mat image(8, 8, CV_8UC3, cv::Scalar(120, 140, 190));
  AugmentRng rng(1);
  const cv::Mat out = AddIsoNoise(image, 0.0, 0.5, rng);
  EXPECT_LE(cv::norm(out, image, cv::NORM_INF), 1.0);
}

TEST(AddIsoNoise, BrightensOnAverageAndVariesPerPixel) {
  const cv::Mat image = SkinLikeImage();
  AugmentRng rng(3);
  const cv::Mat out = AddIsoNoise(image, 0.05, 0.5, rng);
  ASSERT_EQ(out.size(), image.size());
  ASSERT_EQ(out.type(), CV_8UC3);
  // Poisson noise only adds lightness.
  EXPECT_GT(cv::mean(out.reshape(1))[0], cv::mean(image.reshape(1))[0]);
  cv::Mat difference;
  cv::absdiff(out, image, difference);
  cv::Scalar mean, stddev;
  cv::meanStdDev(difference.reshape(1), mean, stddev);
  EXPECT_GT(stddev[0], 1.0);  // Noise, not a uniform shift.
}

TEST(IsoNoise, SameSeedSameNoiseOtherSeedOther) {
  IsoNoiseOptions options;
  options.p = 1.0;
  auto noise = Make(IsoNoise::Create(options));
  const cv::Mat image = SkinLikeImage();
  AugmentRng a(21), b(21), c(22);
  const cv::Mat first = MustApply(*noise, image, a);
  EXPECT_TRUE(Identical(first, MustApply(*noise, image, b)));
  EXPECT_FALSE(Identical(first, MustApply(*noise, image, c)));
  EXPECT_FALSE(Identical(first, image));
}

TEST(IsoNoise, RejectsNegativeIntensity) {
  IsoNoiseOptions options;
  options.intensity = {-0.1, 0.5};
  EXPECT_EQ(IsoNoise::Create(options).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace skinlens::training
