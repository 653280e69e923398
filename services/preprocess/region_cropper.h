// Region crops of a face: the face box and seven named regions (forehead,
// cheeks, nose, chin, eye areas) placed relative to the face box, rotated by
// the eye line, cut out upright and resized to the model's input size.
//
// Boxes use the convention of skinlens.v1.RegionBox: pixels of the oriented
// photo, origin at the top-left corner of the top-left pixel, rotation in
// degrees clockwise on screen. Parts of a box outside the photo are filled by
// repeating the edge pixels.
//
//   RegionCropper cropper;
//   absl::StatusOr<std::vector<Crop>> crops =
//       cropper.Cut(image.bgr, face, {Region::kForehead, Region::kNose}, cv::Size(224, 224));
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "face_detector.h"
#include "opencv2/core/mat.hpp"

namespace skinlens::preprocess {

// A named area of the face; values equal skinlens.v1.FaceRegion. "Left" is the
// subject's left (the image's right in an unmirrored photo).
enum class Region {
  kFullFace = 1,
  kForehead = 2,
  kLeftCheek = 3,
  kRightCheek = 4,
  kNose = 5,
  kChin = 6,
  kLeftEyeArea = 7,
  kRightEyeArea = 8,
};

// Every region, in the order above.
std::vector<Region> AllRegions();

// A rotated box in photo coordinates (see the file comment).
struct Box {
  double center_x = 0;
  double center_y = 0;
  double width = 0;
  double height = 0;
  double rotation_degrees = 0;

  // The four corners in photo coordinates.
  std::vector<cv::Point2d> Corners() const;
};

// One cut region.
struct Crop {
  Region region;
  Box box;
  cv::Mat bgr;  // CV_8UC3 of the requested size.
};

// Places and cuts regions. Thread-safe (stateless).
class RegionCropper {
 public:
  // The face box rotated by the face's roll (0 without both eyes).
  static Box FaceBox(const Face& face);

  // The box of `region` for `face`.
  static Box RegionBox(const Face& face, Region region);

  // Cuts `regions` of `face` out of `bgr` (CV_8UC3), each resized to `size`.
  // INVALID_ARGUMENT when `size` is not positive or the image is empty.
  absl::StatusOr<std::vector<Crop>> Cut(const cv::Mat& bgr, const Face& face,
                                        const std::vector<Region>& regions, cv::Size size) const;
};

}  // namespace skinlens::preprocess
