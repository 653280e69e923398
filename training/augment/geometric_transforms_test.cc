#include "training/augment/geometric_transforms.h"

#include <algorithm>
#include <cmath>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "opencv2/core.hpp"
#include "training/augment/transform_test_util.h"

namespace skinlens::training {
namespace {

using ::testing::HasSubstr;

// Each pixel encodes its position: blue = x, green = y, red = 7.
cv::Mat PositionImage(int rows, int cols) {
  cv::Mat image(rows, cols, CV_8UC3);
  for (int y = 0; y < rows; ++y) {
    for (int x = 0; x < cols; ++x) image.at<cv::Vec3b>(y, x) = cv::Vec3b(x, y, 7);
  }
  return image;
}

// Black image with a white centred square of side `side`.
cv::Mat CentredSquare(int size, int side) {
  cv::Mat image(size, size, CV_8UC3, cv::Scalar::all(0));
  const int start = (size - side) / 2;
  image(cv::Rect(start, start, side, side)).setTo(cv::Scalar::all(255));
  return image;
}

int WhitePixels(const cv::Mat& image) {
  cv::Mat grey;
  cv::extractChannel(image, grey, 0);
  return cv::countNonZero(grey > 127);
}

bool Identical(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0.0;
}

TEST(Transform, RejectsImagesThatAreNotEightBitBgr) {
  auto flip = Make(HorizontalFlip::Create({1.0}));
  AugmentRng rng(1);
  EXPECT_EQ(flip->Apply(cv::Mat(4, 4, CV_8UC1), rng).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(flip->Apply(cv::Mat(4, 4, CV_32FC3), rng).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(flip->Apply(cv::Mat(), rng).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(Transform, UniformIntCoversTheWholeClosedRange) {
  AugmentRng rng(3);
  int low = 100;
  int high = -100;
  for (int i = 0; i < 500; ++i) {
    const int v = UniformInt(rng, -2, 3);
    low = std::min(low, v);
    high = std::max(high, v);
  }
  EXPECT_EQ(low, -2);
  EXPECT_EQ(high, 3);
}

TEST(Resize, ProducesTheRequestedSize) {
  ResizeOptions options;
  options.size = {30, 50};
  auto resize = Make(Resize::Create(options));
  AugmentRng rng(1);
  const cv::Mat out = MustApply(*resize, cv::Mat(17, 91, CV_8UC3, cv::Scalar(1, 2, 3)), rng);
  EXPECT_EQ(out.rows, 30);
  EXPECT_EQ(out.cols, 50);
  EXPECT_EQ(out.at<cv::Vec3b>(10, 10), cv::Vec3b(1, 2, 3));
}

TEST(Resize, ProbabilityZeroLeavesTheImageUnchanged) {
  ResizeOptions options;
  options.size = {8, 8};
  options.p = 0.0;
  auto resize = Make(Resize::Create(options));
  const cv::Mat image = PositionImage(5, 6);
  AugmentRng rng(1);
  const cv::Mat out = MustApply(*resize, image, rng);
  EXPECT_TRUE(Identical(out, image));
}

TEST(Resize, RejectsNonPositiveSizeAndBadProbability) {
  ResizeOptions options;
  options.size = {0, 10};
  EXPECT_EQ(Resize::Create(options).status().code(), absl::StatusCode::kInvalidArgument);
  options.size = {10, 10};
  options.p = 1.5;
  EXPECT_EQ(Resize::Create(options).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(CenterCrop, CutsTheExactCentre) {
  CropOptions options;
  options.size = {2, 4};
  auto crop = Make(CenterCrop::Create(options));
  AugmentRng rng(1);
  const cv::Mat out = MustApply(*crop, PositionImage(6, 10), rng);
  ASSERT_EQ(out.size(), cv::Size(4, 2));
  EXPECT_EQ(out.at<cv::Vec3b>(0, 0), cv::Vec3b(3, 2, 7));  // x = (10 - 4) / 2, y = (6 - 2) / 2.
  EXPECT_EQ(out.at<cv::Vec3b>(1, 3), cv::Vec3b(6, 3, 7));
}

TEST(CenterCrop, SmallerImageFailsUnlessPaddingIsAllowed) {
  CropOptions options;
  options.size = {8, 8};
  auto strict = Make(CenterCrop::Create(options));
  AugmentRng rng(1);
  absl::StatusOr<cv::Mat> refused = strict->Apply(PositionImage(4, 6), rng);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(), HasSubstr("pad_if_needed"));

  options.pad_if_needed = true;
  auto padding = Make(CenterCrop::Create(options));
  const cv::Mat out = MustApply(*padding, PositionImage(4, 6), rng);
  ASSERT_EQ(out.size(), cv::Size(8, 8));
  // Padded by 2 rows above and 1 column left; the original pixel (0, 0) moves there.
  EXPECT_EQ(out.at<cv::Vec3b>(2, 1), cv::Vec3b(0, 0, 7));
  // Mirrored (reflect_101): the pixel left of x = 0 is x = 1.
  EXPECT_EQ(out.at<cv::Vec3b>(2, 0), cv::Vec3b(1, 0, 7));
}

TEST(RandomCrop, StaysInsideTheImageAndReachesEveryPosition) {
  CropOptions options;
  options.size = {5, 7};
  auto crop = Make(RandomCrop::Create(options));
  const cv::Mat image = PositionImage(8, 10);
  AugmentRng rng(42);
  int min_x = 100, max_x = -1, min_y = 100, max_y = -1;
  for (int i = 0; i < 200; ++i) {
    const cv::Mat out = MustApply(*crop, image, rng);
    ASSERT_EQ(out.size(), cv::Size(7, 5));
    const cv::Vec3b origin = out.at<cv::Vec3b>(0, 0);
    const int x = origin[0];
    const int y = origin[1];
    ASSERT_LE(x + 7, 10);
    ASSERT_LE(y + 5, 8);
    // The window is contiguous: the content is exactly the image at (x, y).
    ASSERT_TRUE(Identical(out, image(cv::Rect(x, y, 7, 5))));
    min_x = std::min(min_x, x);
    max_x = std::max(max_x, x);
    min_y = std::min(min_y, y);
    max_y = std::max(max_y, y);
  }
  EXPECT_EQ(min_x, 0);
  EXPECT_EQ(max_x, 3);
  EXPECT_EQ(min_y, 0);
  EXPECT_EQ(max_y, 3);
}

TEST(RandomCrop, SameSeedSameCropOtherSeedsDiffer) {
  CropOptions options;
  options.size = {16, 16};
  auto crop = Make(RandomCrop::Create(options));
  const cv::Mat image = PositionImage(64, 64);
  AugmentRng a(5), b(5);
  EXPECT_TRUE(Identical(MustApply(*crop, image, a), MustApply(*crop, image, b)));
  int distinct = 0;
  const cv::Mat first = [&] {
    AugmentRng rng(100);
    return MustApply(*crop, image, rng);
  }();
  for (uint32_t seed = 101; seed < 110; ++seed) {
    AugmentRng rng(seed);
    distinct += Identical(MustApply(*crop, image, rng), first) ? 0 : 1;
  }
  EXPECT_GE(distinct, 8);
}

TEST(RandomResizedCropBox, BoxesStayInsideWithAreaAndRatioInRange) {
  AugmentRng rng(9);
  const Range scale{0.3, 0.6};
  const Range ratio{0.5, 2.0};
  for (int i = 0; i < 500; ++i) {
    const cv::Rect box = RandomResizedCropBox(cv::Size(200, 100), scale, ratio, rng);
    ASSERT_GE(box.x, 0);
    ASSERT_GE(box.y, 0);
    ASSERT_LE(box.x + box.width, 200);
    ASSERT_LE(box.y + box.height, 100);
    const double share = static_cast<double>(box.area()) / (200 * 100);
    EXPECT_GE(share, 0.3 - 0.02);  // Rounding to whole pixels.
    EXPECT_LE(share, 0.6 + 0.02);
    const double aspect = static_cast<double>(box.width) / box.height;
    EXPECT_GE(aspect, 0.5 * 0.97);
    EXPECT_LE(aspect, 2.0 * 1.03);
  }
}

TEST(RandomResizedCropBox, FallsBackToTheCentredBoxWithTheNearestRatio) {
  AugmentRng rng(1);
  // No box of ratio >= 10 and area >= 90% fits a square: centred full-width strip.
  const cv::Rect box = RandomResizedCropBox(cv::Size(100, 100), {0.9, 1.0}, {10.0, 20.0}, rng);
  EXPECT_EQ(box, cv::Rect(0, 45, 100, 10));
}

TEST(RandomResizedCrop, OutputHasTheRequestedSize) {
  RandomResizedCropOptions options;
  options.size = {24, 32};
  options.scale = {0.5, 1.0};
  auto crop = Make(RandomResizedCrop::Create(options));
  AugmentRng rng(3);
  for (const cv::Size input : {cv::Size(300, 200), cv::Size(20, 90), cv::Size(5, 5)}) {
    const cv::Mat out = MustApply(*crop, cv::Mat(input, CV_8UC3, cv::Scalar::all(9)), rng);
    EXPECT_EQ(out.size(), cv::Size(32, 24));
  }
}

TEST(RandomResizedCrop, RejectsScaleAndRatioOutOfRange) {
  RandomResizedCropOptions options;
  options.size = {8, 8};
  options.scale = {0.5, 1.5};
  EXPECT_EQ(RandomResizedCrop::Create(options).status().code(), absl::StatusCode::kInvalidArgument);
  options.scale = {0.8, 0.5};
  EXPECT_EQ(RandomResizedCrop::Create(options).status().code(), absl::StatusCode::kInvalidArgument);
  options.scale = {0.5, 1.0};
  options.ratio = {0.0, 1.0};
  EXPECT_EQ(RandomResizedCrop::Create(options).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(HorizontalFlip, MirrorsLeftToRight) {
  auto flip = Make(HorizontalFlip::Create({1.0}));
  AugmentRng rng(1);
  const cv::Mat out = MustApply(*flip, PositionImage(3, 5), rng);
  for (int y = 0; y < 3; ++y) {
    for (int x = 0; x < 5; ++x) {
      EXPECT_EQ(out.at<cv::Vec3b>(y, x), cv::Vec3b(4 - x, y, 7)) << x << "," << y;
    }
  }
}

TEST(HorizontalFlip, HalfProbabilityFlipsAboutHalfTheTime) {
  auto flip = Make(HorizontalFlip::Create({0.5}));
  const cv::Mat image = PositionImage(2, 4);
  AugmentRng rng(77);
  int flipped = 0;
  for (int i = 0; i < 400; ++i) {
    flipped += MustApply(*flip, image, rng).at<cv::Vec3b>(0, 0)[0] == 3 ? 1 : 0;
  }
  EXPECT_GT(flipped, 150);
  EXPECT_LT(flipped, 250);
}

TEST(HorizontalFlip, ProbabilityZeroNeverFlips) {
  auto flip = Make(HorizontalFlip::Create({0.0}));
  const cv::Mat image = PositionImage(2, 4);
  AugmentRng rng(77);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(Identical(MustApply(*flip, image, rng), image));
}

TEST(OpticallyDistort, ZeroCoefficientAndShiftIsTheIdentity) {
  const cv::Mat image = PositionImage(20, 30);
  const cv::Mat out =
      OpticallyDistort(image, 0.0, 0.0, 0.0, Interpolation::kLinear, BorderMode::kReflect101);
  EXPECT_TRUE(Identical(out, image));
}

TEST(OpticallyDistort, PositiveCoefficientShrinksContentNegativeGrowsIt) {
  const cv::Mat image = CentredSquare(101, 61);
  const int before = WhitePixels(image);
  const int barrel = WhitePixels(
      OpticallyDistort(image, 0.5, 0.0, 0.0, Interpolation::kLinear, BorderMode::kConstant));
  const int pincushion = WhitePixels(
      OpticallyDistort(image, -0.5, 0.0, 0.0, Interpolation::kLinear, BorderMode::kConstant));
  EXPECT_LT(barrel, before * 0.95);
  EXPECT_GT(pincushion, before * 1.05);
}

TEST(OpticallyDistort, ShiftMovesTheContent) {
  const cv::Mat image = PositionImage(20, 30);
  const cv::Mat out =
      OpticallyDistort(image, 0.0, 3.0, 0.0, Interpolation::kNearest, BorderMode::kReplicate);
  // Output x samples input x + 3.
  EXPECT_EQ(out.at<cv::Vec3b>(5, 10), cv::Vec3b(13, 5, 7));
}

TEST(OpticalDistortion, KeepsSizeAndRepeatsWithTheSameSeed) {
  OpticalDistortionOptions options;
  options.distort_limit = {-0.3, 0.3};
  options.p = 1.0;
  auto distortion = Make(OpticalDistortion::Create(options));
  const cv::Mat image = CentredSquare(64, 30);
  AugmentRng a(8), b(8), c(9);
  const cv::Mat first = MustApply(*distortion, image, a);
  EXPECT_EQ(first.size(), image.size());
  EXPECT_TRUE(Identical(first, MustApply(*distortion, image, b)));
  EXPECT_FALSE(Identical(first, MustApply(*distortion, image, c)));
  EXPECT_FALSE(Identical(first, image));
}

TEST(OpticalDistortion, RejectsLimitsOutOfRange) {
  OpticalDistortionOptions options;
  options.shift_limit = {-2.0, 0.0};
  EXPECT_EQ(OpticalDistortion::Create(options).status().code(), absl::StatusCode::kInvalidArgument);
  options.shift_limit = {0.0, 0.0};
  options.distort_limit = {0.5, 0.1};
  EXPECT_EQ(OpticalDistortion::Create(options).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace skinlens::training
