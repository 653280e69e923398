#include "region_cropper.h"

#include <cmath>

#include "opencv2/imgproc.hpp"
#include "quality_gate.h"

namespace skinlens::preprocess {
namespace {

constexpr double kPi = 3.14159265358979323846;

// A region relative to the upright face box: centre offset from the face
// centre and size, in units of the face box's width and height. The image's
// left is the subject's right.
struct Layout {
  double dx, dy, w, h;
};

Layout LayoutOf(Region region) {
  switch (region) {
    case Region::kFullFace:
      return {0, 0, 1, 1};
    case Region::kForehead:
      return {0, -0.33, 0.62, 0.24};
    case Region::kLeftCheek:
      return {0.24, 0.16, 0.28, 0.30};
    case Region::kRightCheek:
      return {-0.24, 0.16, 0.28, 0.30};
    case Region::kNose:
      return {0, 0.07, 0.24, 0.32};
    case Region::kChin:
      return {0, 0.42, 0.36, 0.16};
    case Region::kLeftEyeArea:
      return {0.21, -0.09, 0.36, 0.20};
    case Region::kRightEyeArea:
      return {-0.21, -0.09, 0.36, 0.20};
  }
  return {0, 0, 1, 1};
}

}  // namespace

std::vector<Region> AllRegions() {
  return {Region::kFullFace, Region::kForehead, Region::kLeftCheek,   Region::kRightCheek,
          Region::kNose,     Region::kChin,     Region::kLeftEyeArea, Region::kRightEyeArea};
}

std::vector<cv::Point2d> Box::Corners() const {
  const double t = rotation_degrees * kPi / 180.0;
  const double c = std::cos(t), s = std::sin(t);
  std::vector<cv::Point2d> corners;
  for (auto [u, v] : {std::make_pair(-0.5, -0.5), std::make_pair(0.5, -0.5),
                      std::make_pair(0.5, 0.5), std::make_pair(-0.5, 0.5)}) {
    const double x = u * width, y = v * height;
    corners.emplace_back(center_x + x * c - y * s, center_y + x * s + y * c);
  }
  return corners;
}

Box RegionCropper::FaceBox(const Face& face) {
  return Box{face.box.x + face.box.width / 2.0, face.box.y + face.box.height / 2.0, face.box.width,
             face.box.height, RollDegrees(face)};
}

Box RegionCropper::RegionBox(const Face& face, Region region) {
  const Box f = FaceBox(face);
  const Layout l = LayoutOf(region);
  const double t = f.rotation_degrees * kPi / 180.0;
  const double x = l.dx * f.width, y = l.dy * f.height;
  return Box{f.center_x + x * std::cos(t) - y * std::sin(t),
             f.center_y + x * std::sin(t) + y * std::cos(t), l.w * f.width, l.h * f.height,
             f.rotation_degrees};
}

absl::StatusOr<std::vector<Crop>> RegionCropper::Cut(const cv::Mat& bgr, const Face& face,
                                                     const std::vector<Region>& regions,
                                                     cv::Size size) const {
  if (size.width <= 0 || size.height <= 0) {
    return absl::InvalidArgumentError("crop size must be positive");
  }
  if (bgr.empty()) return absl::InvalidArgumentError("cannot crop an empty image");
  std::vector<Crop> crops;
  for (Region region : regions) {
    Crop crop{region, RegionBox(face, region), cv::Mat()};
    const Box& b = crop.box;
    // Maps crop pixel (u, v) to the photo as RegionBox documents; OpenCV puts
    // pixel centres at integer coordinates, hence the -0.5.
    const double t = b.rotation_degrees * kPi / 180.0;
    const double c = std::cos(t), s = std::sin(t);
    const double sx = b.width / size.width, sy = b.height / size.height;
    const double x0 = 0.5 * sx - b.width / 2, y0 = 0.5 * sy - b.height / 2;
    const cv::Matx23d crop_to_photo(c * sx, -s * sy, b.center_x - 0.5 + c * x0 - s * y0,  //
                                    s * sx, c * sy, b.center_y - 0.5 + s * x0 + c * y0);
    cv::warpAffine(bgr, crop.bgr, crop_to_photo, size, cv::INTER_LINEAR | cv::WARP_INVERSE_MAP,
                   cv::BORDER_REPLICATE);
    crops.push_back(std::move(crop));
  }
  return crops;
}

}  // namespace skinlens::preprocess
