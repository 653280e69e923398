#include "preprocessor.h"

#include <cmath>
#include <string>

#include "gtest/gtest.h"
#include "opencv2/imgproc.hpp"
#include "test_images.h"

namespace skinlens::preprocess {
namespace {

// A 12 MP (4000 x 3000) phone-sized photo: the portrait scaled up with
// nearest-neighbour sampling (so it stays sharp) and padded to 4:3.
std::string TwelveMegapixelJpeg() {
  cv::Mat photo;
  cv::resize(testing::Astronaut(), photo, cv::Size(3000, 3000), 0, 0, cv::INTER_NEAREST);
  cv::copyMakeBorder(photo, photo, 0, 0, 500, 500, cv::BORDER_REPLICATE);
  return testing::EncodeJpeg(photo);
}

std::unique_ptr<Preprocessor> Make(int overview_min_side) {
  PreprocessorOptions options;
  options.overview_min_side = overview_min_side;
  auto preprocessor = Preprocessor::Create(options);
  EXPECT_TRUE(preprocessor.ok()) << preprocessor.status();
  return *std::move(preprocessor);
}

// The reduced path (face found at 1/4 size, only its surroundings decoded at
// full size) cuts the crops the whole-photo path cuts, in the same full-size
// coordinates.
TEST(Preprocessor, LargeJpegGivesTheCropsOfAWholeDecode) {
  const std::string jpeg = TwelveMegapixelJpeg();
  QualityReport refusal;
  absl::StatusOr<PreprocessResult> reduced =
      Make(724)->Run(jpeg, AllRegions(), cv::Size(128, 128), &refusal);
  ASSERT_TRUE(reduced.ok()) << reduced.status();
  absl::StatusOr<PreprocessResult> whole =
      Make(1 << 20)->Run(jpeg, AllRegions(), cv::Size(128, 128), &refusal);
  ASSERT_TRUE(whole.ok()) << whole.status();

  EXPECT_EQ(reduced->image.reduction, 4);
  EXPECT_EQ(reduced->image.bgr.size(), cv::Size(1000, 750));
  EXPECT_EQ(whole->image.reduction, 1);
  EXPECT_EQ(reduced->image.size, whole->image.size);
  // The two searches run at 1000 px and 1024 px: boxes agree to a few
  // percent of the face.
  const double face = whole->face_box.width;
  EXPECT_NEAR(reduced->face_box.center_x, whole->face_box.center_x, 0.04 * face);
  EXPECT_NEAR(reduced->face_box.center_y, whole->face_box.center_y, 0.04 * face);
  EXPECT_NEAR(reduced->face_box.width, face, 0.08 * face);
  EXPECT_NEAR(reduced->face_box.rotation_degrees, whole->face_box.rotation_degrees, 3);
  ASSERT_EQ(reduced->crops.size(), whole->crops.size());
  for (size_t i = 0; i < whole->crops.size(); ++i) {
    SCOPED_TRACE(i);
    const Crop& a = reduced->crops[i];
    const Crop& b = whole->crops[i];
    EXPECT_EQ(a.region, b.region);
    EXPECT_NEAR(a.box.center_x, b.box.center_x, 0.04 * face);
    EXPECT_NEAR(a.box.center_y, b.box.center_y, 0.04 * face);
    ASSERT_EQ(a.bgr.size(), cv::Size(128, 128));
    // Same content: the mean colours agree closely.
    const cv::Scalar ma = cv::mean(a.bgr), mb = cv::mean(b.bgr);
    for (int c = 0; c < 3; ++c) EXPECT_NEAR(ma[c], mb[c], 10) << "channel " << c;
  }
  // The gate measured the same full-size face.
  const QualityMeasurements& m = reduced->report.measurements;
  const QualityMeasurements& n = whole->report.measurements;
  ASSERT_TRUE(m.sharpness && n.sharpness);
  EXPECT_NEAR(*m.sharpness, *n.sharpness, 0.25 * *n.sharpness);
  EXPECT_NEAR(*m.mean_luminance, *n.mean_luminance, 5);
}

// Without the face there is nothing to decode at full size: the refusal is
// the one a whole decode gives.
TEST(Preprocessor, LargeJpegWithoutAFaceIsRefusedAsNoFace) {
  cv::Mat background;
  cv::resize(testing::NoFaceCrop(testing::Astronaut()), background, cv::Size(4000, 3000), 0, 0,
             cv::INTER_NEAREST);
  QualityReport refusal;
  absl::StatusOr<PreprocessResult> result =
      Make(724)->Run(testing::EncodeJpeg(background), AllRegions(), cv::Size(64, 64), &refusal);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_FALSE(refusal.issues.empty());
  EXPECT_EQ(refusal.issues.front().reason, QualityReason::kNoFace);
}

// The caller's preview size is honoured: the photo is kept at least that big.
TEST(Preprocessor, KeepsThePhotoLargeEnoughForTheRequestedPreview) {
  QualityReport refusal;
  absl::StatusOr<PreprocessResult> result =
      Make(724)->Run(TwelveMegapixelJpeg(), {Region::kForehead}, cv::Size(64, 64), &refusal, 1500);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->image.reduction, 2);
  EXPECT_GE(std::max(result->image.bgr.cols, result->image.bgr.rows), 1500);
}

}  // namespace
}  // namespace skinlens::preprocess
