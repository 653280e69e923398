#include "face_detector.h"

#include <cmath>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "opencv2/imgcodecs.hpp"
#include "opencv2/imgproc.hpp"
#include "test_images.h"

namespace skinlens::preprocess {
namespace {

const FaceDetector& Detector() {
  static const FaceDetector* detector = [] {
    auto d = FaceDetector::Create(FaceDetectorOptions{});
    EXPECT_TRUE(d.ok()) << d.status();
    return d->release();
  }();
  return *detector;
}

TEST(FaceDetector, FindsTheAstronautsFaceAndBothEyes) {
  const std::vector<Face> faces = Detector().Detect(testing::Astronaut());
  ASSERT_EQ(faces.size(), 1u);
  const Face& face = faces[0];
  // Her face, measured by hand: about x 177..272, y 67..162.
  EXPECT_NEAR(face.box.x, 177, 8);
  EXPECT_NEAR(face.box.y, 67, 8);
  EXPECT_NEAR(face.box.width, 95, 10);
  ASSERT_TRUE(face.has_eyes());
  // The subject's left eye is on the image's right; both in the upper half.
  EXPECT_GT(face.left_eye->x, face.right_eye->x);
  for (const cv::Point2d& eye : {*face.left_eye, *face.right_eye}) {
    EXPECT_GT(eye.y, face.box.y);
    EXPECT_LT(eye.y, face.box.y + face.box.height / 2);
    EXPECT_GT(eye.x, face.box.x);
    EXPECT_LT(eye.x, face.box.x + face.box.width);
  }
}

// Mirrored, brightened and enlarged copies of the portrait, also through a PNG
// with an alpha channel, have exactly one face: the suppression of implausible
// detections never drops the real one.
TEST(FaceDetector, VariantsOfOnePortraitHaveOneFace) {
  std::vector<cv::Mat> variants;
  for (double size : {1.0, 2.0}) {
    cv::Mat flipped;
    cv::flip(testing::Astronaut(), flipped, 1);
    cv::resize(flipped, flipped, cv::Size(), size, size, cv::INTER_CUBIC);
    for (double gain : {1.0, 1.4}) {
      for (double offset : {0.0, 25.0}) {
        cv::Mat v;
        flipped.convertTo(v, -1, gain, offset);
        variants.push_back(v);
        cv::Mat bgra, decoded;
        cv::cvtColor(v, bgra, cv::COLOR_BGR2BGRA);
        std::vector<uchar> png;
        ASSERT_TRUE(cv::imencode(".png", bgra, png));
        decoded = cv::imdecode(png, cv::IMREAD_COLOR);
        variants.push_back(decoded);
      }
    }
  }
  for (size_t i = 0; i < variants.size(); ++i) {
    EXPECT_EQ(Detector().Detect(variants[i]).size(), 1u) << "variant " << i;
  }
}

// The coarse-to-fine search against the full one, on turned, scaled, mirrored
// and widened copies of the portrait whose face position is known: it finds
// the face (centre within a quarter of its side, size within 1.4x) at least
// as often, and no second face.
TEST(FaceDetector, CoarseToFineSearchFindsTheFaceAsOftenAsTheFullSearch) {
  FaceDetectorOptions full_options;
  full_options.coarse_face_side = 0;
  auto full = FaceDetector::Create(full_options);
  ASSERT_TRUE(full.ok()) << full.status();
  const cv::Mat portrait = testing::Astronaut();
  // Her face, measured by hand: centre (224.5, 114.5), side 95.
  const cv::Point2d centre(224.5, 114.5);
  const double side = 95;
  int full_hits = 0, coarse_hits = 0, variants = 0;
  auto hit = [](const std::vector<Face>& faces, cv::Point2d at, double size) {
    if (faces.empty()) return false;
    const cv::Rect2d& b = faces[0].box;
    return std::abs(b.x + b.width / 2 - at.x) < size / 4 &&
           std::abs(b.y + b.height / 2 - at.y) < size / 4 && b.width > size / 1.4 &&
           b.width < size * 1.4;
  };
  for (double scale : {0.5, 1.0, 2.5}) {
    for (double degrees : {-12.0, 0.0, 12.0}) {
      for (bool mirrored : {false, true}) {
        cv::Mat v = portrait.clone();  // flipped in place below
        cv::Point2d at = centre;
        if (mirrored) {
          cv::flip(v, v, 1);
          at.x = portrait.cols - at.x;
        }
        cv::resize(v, v, cv::Size(), scale, scale, cv::INTER_CUBIC);
        at *= scale;
        const cv::Mat turn =
            cv::getRotationMatrix2D(cv::Point2f(v.cols / 2.0f, v.rows / 2.0f), degrees, 1.0);
        cv::warpAffine(v, v, turn, v.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
        at = cv::Point2d(
            turn.at<double>(0, 0) * at.x + turn.at<double>(0, 1) * at.y + turn.at<double>(0, 2),
            turn.at<double>(1, 0) * at.x + turn.at<double>(1, 1) * at.y + turn.at<double>(1, 2));
        const int pad = v.cols / 3;
        cv::copyMakeBorder(v, v, 0, 0, pad, pad, cv::BORDER_REPLICATE);
        at.x += pad;
        SCOPED_TRACE(::testing::Message()
                     << "scale " << scale << " turn " << degrees << (mirrored ? " mirrored" : ""));
        const std::vector<Face> coarse = Detector().Detect(v);
        EXPECT_LE(coarse.size(), 1u);
        ++variants;
        full_hits += hit((*full)->Detect(v), at, side * scale);
        coarse_hits += hit(coarse, at, side * scale);
      }
    }
  }
  EXPECT_GE(coarse_hits, full_hits);
  EXPECT_GE(coarse_hits, variants - 1);
}

TEST(SuppressImplausibleFaces, KeepsSeparateFacesAndDropsOverlapsTinyOnesAndEyeless) {
  const cv::Rect big(100, 100, 100, 100);
  auto all_have_eyes = [](const cv::Rect&) { return true; };
  // A second face beside the first, of similar size: kept.
  EXPECT_EQ(SuppressImplausibleFaces({big, {250, 110, 80, 80}}, all_have_eyes).size(), 2u);
  // Inside or overlapping the largest: dropped.
  EXPECT_EQ(SuppressImplausibleFaces({big, {120, 150, 40, 40}}, all_have_eyes).size(), 1u);
  EXPECT_EQ(SuppressImplausibleFaces({big, {170, 120, 90, 90}}, all_have_eyes).size(), 1u);
  // Far smaller than the largest: dropped.
  EXPECT_EQ(SuppressImplausibleFaces({big, {300, 300, 30, 30}}, all_have_eyes).size(), 1u);
  // No eye in it: dropped; the largest is kept whatever its eyes.
  auto none = [](const cv::Rect&) { return false; };
  EXPECT_EQ(SuppressImplausibleFaces({big, {250, 110, 80, 80}}, none).size(), 1u);
  // Two detections of the same second face count once.
  EXPECT_EQ(
      SuppressImplausibleFaces({big, {250, 110, 80, 80}, {255, 112, 78, 78}}, all_have_eyes).size(),
      2u);
  EXPECT_TRUE(SuppressImplausibleFaces({}, all_have_eyes).empty());
}

TEST(FaceDetector, FindsNoFaceInTheBackground) {
  EXPECT_TRUE(Detector().Detect(testing::NoFaceCrop(testing::Astronaut())).empty());
}

TEST(FaceDetector, SearchesLargePhotosScaledDownAndReportsPhotoCoordinates) {
  // 1536 px: above the 1024 px detection side, so searched at 2/3 scale.
  const std::vector<Face> faces = Detector().Detect(testing::Scaled(testing::Astronaut(), 3));
  ASSERT_FALSE(faces.empty());
  EXPECT_NEAR(faces[0].box.x, 3 * 177, 25);
  EXPECT_NEAR(faces[0].box.width, 3 * 95, 30);
  ASSERT_TRUE(faces[0].has_eyes());
  EXPECT_GT(faces[0].left_eye->x, 3 * 177);
}

TEST(FaceDetector, EmptyImageHasNoFaces) { EXPECT_TRUE(Detector().Detect(cv::Mat()).empty()); }

TEST(FaceDetector, MissingCascadeIsNotFound) {
  FaceDetectorOptions options;
  options.cascade_dir = "/nonexistent";
  auto detector = FaceDetector::Create(options);
  EXPECT_EQ(detector.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(detector.status().message().find("/nonexistent/haarcascade_frontalface_alt2.xml"),
            absl::string_view::npos);
}

// Concurrent searches each borrow their own cascades: they find what a lone
// search finds, with one pair as with one per thread.
TEST(FaceDetector, ConcurrentSearchesFindWhatALoneSearchFinds) {
  const cv::Mat photo = testing::Astronaut();
  for (int max_parallel : {1, 3}) {
    SCOPED_TRACE(max_parallel);
    FaceDetectorOptions options;
    options.max_parallel = max_parallel;
    auto detector = FaceDetector::Create(options);
    ASSERT_TRUE(detector.ok()) << detector.status();
    const std::vector<Face> alone = (*detector)->Detect(photo);
    ASSERT_EQ(alone.size(), 1u);
    std::vector<std::vector<Face>> found(6);
    std::vector<std::thread> threads;
    for (size_t i = 0; i < found.size(); ++i) {
      threads.emplace_back([&, i] {
        for (int round = 0; round < 3; ++round) found[i] = (*detector)->Detect(photo);
      });
    }
    for (std::thread& t : threads) t.join();
    for (const std::vector<Face>& faces : found) {
      ASSERT_EQ(faces.size(), 1u);
      EXPECT_EQ(faces[0].box, alone[0].box);
      EXPECT_EQ(faces[0].left_eye, alone[0].left_eye);
      EXPECT_EQ(faces[0].right_eye, alone[0].right_eye);
    }
  }
}

}  // namespace
}  // namespace skinlens::preprocess
