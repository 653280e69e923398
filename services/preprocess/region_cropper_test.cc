#include "region_cropper.h"

#include <cmath>

#include "gtest/gtest.h"
#include "opencv2/imgproc.hpp"
#include "test_images.h"

namespace skinlens::preprocess {
namespace {

Face AstronautFace() {
  static const Face face = [] {
    auto detector = FaceDetector::Create(FaceDetectorOptions{});
    EXPECT_TRUE(detector.ok()) << detector.status();
    std::vector<Face> faces = (*detector)->Detect(testing::Astronaut());
    EXPECT_EQ(faces.size(), 1u);
    return faces.at(0);
  }();
  return face;
}

TEST(RegionCropper, CropsHaveTheRequestedSizeAndBoxesLieInsideThePhoto) {
  const cv::Mat photo = testing::Astronaut();
  for (cv::Size size : {cv::Size(224, 224), cv::Size(64, 48)}) {
    auto crops = RegionCropper().Cut(photo, AstronautFace(), AllRegions(), size);
    ASSERT_TRUE(crops.ok()) << crops.status();
    ASSERT_EQ(crops->size(), 8u);
    for (size_t i = 0; i < crops->size(); ++i) {
      const Crop& crop = (*crops)[i];
      EXPECT_EQ(crop.region, AllRegions()[i]);
      EXPECT_EQ(crop.bgr.size(), size);
      EXPECT_EQ(crop.bgr.type(), CV_8UC3);
      for (const cv::Point2d& p : crop.box.Corners()) {
        EXPECT_GE(p.x, 0);
        EXPECT_LE(p.x, photo.cols);
        EXPECT_GE(p.y, 0);
        EXPECT_LE(p.y, photo.rows);
      }
    }
  }
}

TEST(RegionCropper, RegionsLieWhereTheirNamesSay) {
  const Face face = AstronautFace();
  auto at = [&](Region r) { return RegionCropper::RegionBox(face, r); };
  EXPECT_LT(at(Region::kForehead).center_y, at(Region::kLeftEyeArea).center_y);
  EXPECT_LT(at(Region::kLeftEyeArea).center_y, at(Region::kNose).center_y);
  EXPECT_LT(at(Region::kNose).center_y, at(Region::kChin).center_y);
  // Subject's left is the image's right.
  EXPECT_GT(at(Region::kLeftCheek).center_x, at(Region::kRightCheek).center_x);
  EXPECT_GT(at(Region::kLeftEyeArea).center_x, at(Region::kRightEyeArea).center_x);
  // The eye areas contain the eyes.
  const Box left_eye_area = at(Region::kLeftEyeArea);
  EXPECT_NEAR(left_eye_area.center_x, face.left_eye->x, left_eye_area.width / 2);
  EXPECT_NEAR(left_eye_area.center_y, face.left_eye->y, left_eye_area.height / 2);
  const Box full = at(Region::kFullFace);
  EXPECT_DOUBLE_EQ(full.width, face.box.width);
  EXPECT_DOUBLE_EQ(full.center_x, face.box.x + face.box.width / 2);
}

TEST(RegionCropper, UprightCropEqualsResizedBoxPixels) {
  // Without eyes there is no roll: the full-face crop is the face box resized.
  const cv::Mat photo = testing::Astronaut();
  Face face;
  face.box = cv::Rect2d(180, 70, 96, 96);
  auto crops = RegionCropper().Cut(photo, face, {Region::kFullFace}, cv::Size(96, 96));
  ASSERT_TRUE(crops.ok());
  cv::Mat diff;
  cv::absdiff((*crops)[0].bgr, photo(cv::Rect(180, 70, 96, 96)), diff);
  EXPECT_LT(cv::mean(diff)[0], 1.0);
  EXPECT_EQ((*crops)[0].box.rotation_degrees, 0);
}

TEST(RegionCropper, BoxesTurnWithTheEyeLine) {
  Face face;
  face.box = cv::Rect2d(100, 100, 200, 200);
  face.right_eye = cv::Point2d(150, 150);  // Image left.
  face.left_eye = cv::Point2d(250, 150 + 100 * std::tan(20 * M_PI / 180));
  const Box box = RegionCropper::FaceBox(face);
  EXPECT_NEAR(box.rotation_degrees, 20, 1e-9);
  // The forehead moves against the tilt: up and to the image's right.
  const Box forehead = RegionCropper::RegionBox(face, Region::kForehead);
  EXPECT_GT(forehead.center_x, box.center_x);
  EXPECT_LT(forehead.center_y, box.center_y);
  EXPECT_NEAR(std::hypot(forehead.center_x - box.center_x, forehead.center_y - box.center_y),
              0.33 * 200, 1e-6);
  EXPECT_NEAR(forehead.rotation_degrees, 20, 1e-9);
}

TEST(RegionCropper, RotatedCropSamplesAlongTheBox) {
  // A photo with one bright dot; a box rotated 90 degrees maps it to the
  // place the RegionBox formula predicts.
  cv::Mat photo(200, 200, CV_8UC3, cv::Scalar(0, 0, 0));
  photo.at<cv::Vec3b>(60, 120) = cv::Vec3b(255, 255, 255);  // Pixel centre (120.5, 60.5).
  Face face;
  face.box = cv::Rect2d(50, 50, 100, 100);
  face.right_eye = cv::Point2d(100, 80);
  face.left_eye = cv::Point2d(100, 120);  // Eye line points down: +90 degrees.
  auto crops = RegionCropper().Cut(photo, face, {Region::kFullFace}, cv::Size(100, 100));
  ASSERT_TRUE(crops.ok());
  cv::Point max_at;
  cv::Mat grey;
  cv::cvtColor((*crops)[0].bgr, grey, cv::COLOR_BGR2GRAY);
  cv::minMaxLoc(grey, nullptr, nullptr, nullptr, &max_at);
  // x' = u + 0.5 - 50, y' = v + 0.5 - 50, t = 90: photo = (100 - y', 100 + x').
  // (120.5, 60.5) -> y' = -20.5, x' = -39.5 -> u = 10, v = 29.
  EXPECT_EQ(max_at, cv::Point(10, 29));
}

TEST(RegionCropper, RejectsEmptySize) {
  auto crops =
      RegionCropper().Cut(testing::Astronaut(), AstronautFace(), AllRegions(), cv::Size(0, 10));
  EXPECT_EQ(crops.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace skinlens::preprocess
