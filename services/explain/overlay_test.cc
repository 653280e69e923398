#include "services/explain/overlay.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "opencv2/imgcodecs.hpp"
#include "opencv2/imgproc.hpp"

namespace skinlens::explain {
namespace {

// How red a BGR pixel is: red minus the larger of green and blue.
int Redness(const cv::Vec3b& bgr) { return int{bgr[2]} - std::max(int{bgr[1]}, int{bgr[0]}); }

cv::Point Reddest(const cv::Mat& bgr) {
  cv::Point best(-1, -1);
  int best_redness = -1000;
  for (int y = 0; y < bgr.rows; ++y) {
    for (int x = 0; x < bgr.cols; ++x) {
      const int r = Redness(bgr.at<cv::Vec3b>(y, x));
      if (r > best_redness) {
        best_redness = r;
        best = cv::Point(x, y);
      }
    }
  }
  return best;
}

// A smooth bump peaking (255) at `peak` and falling off with distance.
cv::Mat Bump(cv::Size size, cv::Point peak) {
  cv::Mat heat(size, CV_8UC1);
  for (int y = 0; y < size.height; ++y) {
    for (int x = 0; x < size.width; ++x) {
      const double d = std::hypot(x - peak.x, y - peak.y);
      heat.at<uint8_t>(y, x) = cv::saturate_cast<uint8_t>(255.0 - 6.0 * d);
    }
  }
  return heat;
}

TEST(ColorizeHeatmap, GoesFromBlueToPureRedWithRedGrowingOverTheUpperHalf) {
  cv::Mat levels(1, 256, CV_8UC1);
  for (int i = 0; i < 256; ++i) levels.at<uint8_t>(0, i) = static_cast<uint8_t>(i);
  const cv::Mat colour = ColorizeHeatmap(levels);
  ASSERT_EQ(colour.type(), CV_8UC3);
  EXPECT_GT(colour.at<cv::Vec3b>(0, 0)[0], 100);  // blue at 0
  EXPECT_EQ(colour.at<cv::Vec3b>(0, 0)[2], 0);
  EXPECT_EQ(colour.at<cv::Vec3b>(0, 255), cv::Vec3b(0, 0, 255));  // pure red at 255
  for (int i = 129; i < 256; ++i) {
    EXPECT_GE(Redness(colour.at<cv::Vec3b>(0, i)), Redness(colour.at<cv::Vec3b>(0, i - 1)))
        << "level " << i;
  }
}

TEST(BlendHeatmap, ReddestPixelOfTheOverlayIsAtTheHeatmapPeak) {
  const cv::Mat crop(48, 64, CV_8UC3, cv::Scalar(120, 130, 140));  // a skin-like flat grey
  for (const cv::Point peak : {cv::Point(10, 7), cv::Point(50, 40), cv::Point(31, 20)}) {
    const cv::Mat overlay = BlendHeatmap(crop, Bump(crop.size(), peak), 0.5);
    ASSERT_EQ(overlay.size(), crop.size());
    EXPECT_EQ(Reddest(overlay), peak);
  }
}

TEST(BlendHeatmap, LeavesPixelsOutsideTheMaskUnchanged) {
  const cv::Mat image(10, 10, CV_8UC3, cv::Scalar(10, 20, 30));
  const cv::Mat heat(10, 10, CV_8UC1, cv::Scalar(255));
  cv::Mat mask(10, 10, CV_8UC1, cv::Scalar(0));
  mask(cv::Rect(0, 0, 5, 10)).setTo(255);
  const cv::Mat out = BlendHeatmap(image, heat, 0.5, mask);
  EXPECT_EQ(out.at<cv::Vec3b>(5, 8), cv::Vec3b(10, 20, 30));
  // Inside: half image, half pure red.
  const cv::Vec3b inside = out.at<cv::Vec3b>(5, 2);
  EXPECT_EQ(inside[0], 5);
  EXPECT_EQ(inside[1], 10);
  EXPECT_NEAR(inside[2], 142.5, 0.5);
}

TEST(DrawHeatmapAtBox, PlacesAnUprightRegionAtItsBoxInPreviewPixels) {
  // Box centred at (100, 80) in the photo, 40 x 20; preview at half scale: it covers preview
  // x in [40, 60) and y in [35, 45).
  cv::Mat photo_heat(100, 120, CV_8UC1, cv::Scalar(0));
  cv::Mat covered = photo_heat.clone();
  const cv::Mat heat(20, 40, CV_8UC1, cv::Scalar(200));
  DrawHeatmapAtBox(heat, PhotoBox{100, 80, 40, 20, 0}, 0.5, &photo_heat, &covered);
  EXPECT_EQ(photo_heat.at<uint8_t>(40, 50), 200);
  EXPECT_EQ(photo_heat.at<uint8_t>(36, 41), 200);
  EXPECT_EQ(photo_heat.at<uint8_t>(43, 58), 200);
  EXPECT_EQ(photo_heat.at<uint8_t>(40, 30), 0);
  EXPECT_EQ(photo_heat.at<uint8_t>(20, 50), 0);
  EXPECT_EQ(photo_heat.at<uint8_t>(40, 65), 0);
  EXPECT_EQ(covered.at<uint8_t>(40, 50), 255);
  EXPECT_EQ(covered.at<uint8_t>(10, 10), 0);
  const cv::Rect bounds = cv::boundingRect(photo_heat);
  EXPECT_NEAR(bounds.x, 40, 1);
  EXPECT_NEAR(bounds.y, 35, 1);
  EXPECT_NEAR(bounds.width, 20, 2);
  EXPECT_NEAR(bounds.height, 10, 2);
}

TEST(DrawHeatmapAtBox, MapsAPeakThroughTheBoxRotationAndKeepsTheMaximumWhereBoxesOverlap) {
  // A 40 x 20 heatmap, hot at its top-right; the box turned 90 degrees clockwise (on screen,
  // y down): the heatmap's right edge points down and its top edge points right.
  cv::Mat heat(20, 40, CV_8UC1, cv::Scalar(0));
  heat(cv::Rect(36, 0, 4, 4)).setTo(250);
  cv::Mat photo_heat(200, 200, CV_8UC1, cv::Scalar(0));
  cv::Mat covered = photo_heat.clone();
  DrawHeatmapAtBox(heat, PhotoBox{100, 100, 40, 20, 90}, 1.0, &photo_heat, &covered);
  cv::Point peak;
  cv::minMaxLoc(photo_heat, nullptr, nullptr, nullptr, &peak);
  // Heatmap pixel centre (38, 2) -> box (x', y') = (18.5 - 20 + 0.5 ... ) ~ (18, -8) ->
  // rotated by 90 degrees: photo (100 + 8, 100 + 18).
  EXPECT_NEAR(peak.x, 108, 2);
  EXPECT_NEAR(peak.y, 118, 2);
  // A second, upright region overlapping the first: the maximum stays.
  const cv::Mat weak(10, 10, CV_8UC1, cv::Scalar(100));
  DrawHeatmapAtBox(weak, PhotoBox{108, 118, 10, 10, 0}, 1.0, &photo_heat, &covered);
  EXPECT_EQ(photo_heat.at<uint8_t>(118, 108), 250);
  EXPECT_EQ(photo_heat.at<uint8_t>(121, 111), 100);
}

// What DrawHeatmapAtBox drew before it resampled only the box's rectangle: a warp over the
// whole preview.
void DrawOverWholePreview(const cv::Mat& heat, const PhotoBox& box, double scale,
                          cv::Mat* photo_heat, cv::Mat* covered) {
  const cv::Matx23d m = HeatmapToPreviewTransform(box, heat.size(), scale);
  cv::Mat warped;
  cv::warpAffine(heat, warped, m, photo_heat->size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT,
                 cv::Scalar(0));
  cv::max(*photo_heat, warped, *photo_heat);
  cv::warpAffine(cv::Mat(heat.size(), CV_8UC1, cv::Scalar(255)), warped, m, covered->size(),
                 cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(0));
  cv::max(*covered, warped, *covered);
}

TEST(DrawHeatmapAtBox, MatchesAWarpOfTheWholePreviewForTurnedScaledAndClippedBoxes) {
  // Smooth like a real map (Grad-CAM upsampled from a coarse grid), with the full 0..255 range.
  cv::Mat coarse(6, 8, CV_8UC1);
  cv::randu(coarse, 0, 256);
  cv::Mat heat;
  cv::resize(coarse, heat, cv::Size(64, 48), 0, 0, cv::INTER_CUBIC);
  const PhotoBox boxes[] = {
      {150, 120, 80, 60, 0},   {150, 120, 80, 60, 17.5}, {150, 120, 80, 60, -90},
      {10, 12, 90, 70, 33},    {295, 235, 120, 90, 180}, {150, 120, 3, 2, 45},
      {-200, 120, 80, 60, 10}, {150, 5000, 80, 60, 0},   {300.5, 0.25, 200, 150, 71},
  };
  for (const double scale : {1.0, 0.37, 2.5}) {
    for (const PhotoBox& box : boxes) {
      SCOPED_TRACE(::testing::Message()
                   << "box at (" << box.center_x << ", " << box.center_y << ") turned "
                   << box.rotation_degrees << ", scale " << scale);
      cv::Mat heat_fast(240, 300, CV_8UC1, cv::Scalar(0)), covered_fast = heat_fast.clone();
      cv::Mat heat_full = heat_fast.clone(), covered_full = heat_fast.clone();
      DrawHeatmapAtBox(heat, box, scale, &heat_fast, &covered_fast);
      DrawOverWholePreview(heat, box, scale, &heat_full, &covered_full);
      // Everything the whole-preview warp draws lies inside the rectangle drawn.
      const cv::Rect rect = PreviewRectOfHeatmap(HeatmapToPreviewTransform(box, heat.size(), scale),
                                                 heat.size(), heat_full.size());
      cv::Mat outside = covered_full.clone();
      if (!rect.empty()) outside(rect).setTo(0);
      EXPECT_EQ(cv::countNonZero(outside), 0);
      // OpenCV quantises sampling positions to 1/32 pixel from each row's start, so a shifted
      // origin can move a position by one step: a value by 1/32 of the local difference
      // between neighbours, a level on a smooth map and up to 8 on the box's edge, where the
      // map steps to the zero border. On average nearly nothing moves.
      EXPECT_LE(cv::norm(heat_fast, heat_full, cv::NORM_INF), 8.0);
      EXPECT_LE(cv::norm(covered_fast, covered_full, cv::NORM_INF), 8.0);
      EXPECT_LE(cv::norm(heat_fast, heat_full, cv::NORM_L1),
                0.1 * std::max(1, cv::countNonZero(heat_full)));
    }
  }
}

TEST(DrawHeatmapAtBox, LeavesCoveredAloneWhenNotAskedAndTouchesOnlyTheBoxesRectangle) {
  cv::Mat photo_heat(100, 120, CV_8UC1, cv::Scalar(7));
  const cv::Mat heat(20, 40, CV_8UC1, cv::Scalar(200));
  const PhotoBox box{100, 80, 40, 20, 30};
  DrawHeatmapAtBox(heat, box, 0.5, &photo_heat, nullptr);
  const cv::Rect rect = PreviewRectOfHeatmap(HeatmapToPreviewTransform(box, heat.size(), 0.5),
                                             heat.size(), photo_heat.size());
  EXPECT_FALSE(rect.empty());
  cv::Mat outside = photo_heat.clone();
  outside(rect).setTo(7);
  EXPECT_EQ(cv::countNonZero(outside != 7), 0);
  EXPECT_EQ(photo_heat.at<uint8_t>(40, 50), 200);
  // A box entirely off the preview draws nothing.
  EXPECT_TRUE(
      PreviewRectOfHeatmap(HeatmapToPreviewTransform({-500, -500, 40, 20, 0}, heat.size(), 0.5),
                           heat.size(), photo_heat.size())
          .empty());
}

TEST(EncodeImage, WritesPngAndJpegThatDecodeToTheImage) {
  cv::Mat image(16, 24, CV_8UC3, cv::Scalar(0, 128, 255));
  const absl::StatusOr<std::string> png = EncodeImage(image, OverlayEncoding::kPng, 90);
  ASSERT_TRUE(png.ok()) << png.status();
  EXPECT_EQ(png->substr(1, 3), "PNG");
  const cv::Mat decoded =
      cv::imdecode(std::vector<uint8_t>(png->begin(), png->end()), cv::IMREAD_COLOR);
  EXPECT_EQ(cv::norm(decoded, image, cv::NORM_INF), 0.0);
  const absl::StatusOr<std::string> jpeg = EncodeImage(image, OverlayEncoding::kJpeg, 80);
  ASSERT_TRUE(jpeg.ok()) << jpeg.status();
  EXPECT_EQ(static_cast<unsigned char>((*jpeg)[0]), 0xFF);
  EXPECT_EQ(static_cast<unsigned char>((*jpeg)[1]), 0xD8);
  EXPECT_EQ(EncodeImage(image, OverlayEncoding::kJpeg, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(EncodeImage(cv::Mat(), OverlayEncoding::kPng, 90).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace skinlens::explain
