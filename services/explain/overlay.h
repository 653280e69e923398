// Drawing Grad-CAM heatmaps for people: the colour scale, the overlay on a crop, each region's
// heatmap drawn back onto the photo at its box, and PNG/JPEG encoding. OpenCV only; no
// LibTorch, no protos.
//
//   cv::Mat heat = ...;                                  // CV_8UC1, 255 = strongest evidence
//   cv::Mat overlay = BlendHeatmap(crop_bgr, heat, 0.5);  // crop tinted blue (0) .. red (255)
//   cv::Mat photo_heat(preview.size(), CV_8UC1, cv::Scalar(0)), covered = photo_heat.clone();
//   DrawHeatmapAtBox(heat, box, preview_scale, &photo_heat, &covered);  // per region
//   cv::Mat photo_overlay = BlendHeatmap(preview_bgr, photo_heat, 0.5, covered);
//   absl::StatusOr<std::string> png = EncodeImage(photo_overlay, OverlayEncoding::kPng, 90);
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "opencv2/core.hpp"

namespace skinlens::explain {

// A possibly rotated box in oriented-photo pixels, as skinlens.v1.RegionBox defines it (centre,
// size before rotation, clockwise rotation in degrees on screen).
struct PhotoBox {
  double center_x = 0;
  double center_y = 0;
  double width = 0;
  double height = 0;
  double rotation_degrees = 0;
};

// How an overlay is compressed.
enum class OverlayEncoding { kPng, kJpeg };

// The colour of each heatmap level, BGR: OpenCV's JET scale from dark blue (0) to pure red
// (255), without JET's dark-red top end, so the strongest evidence is the reddest colour
// (red minus the larger of green and blue grows over the upper half of the scale and peaks at
// 255).
// `heat`: CV_8UC1. Returns CV_8UC3 of the same size.
cv::Mat ColorizeHeatmap(const cv::Mat& heat);

// `image` (CV_8UC3 BGR) with ColorizeHeatmap(heat) blended over it:
// out = (1 - a) * image + a * colour, with a = alpha, or alpha * mask / 255 where `mask`
// (CV_8UC1, same size) is given: there, pixels with mask 0 keep the image. Preconditions:
// `heat` is CV_8UC1 of the image's size; 0 <= alpha <= 1.
cv::Mat BlendHeatmap(const cv::Mat& image, const cv::Mat& heat, double alpha,
                     const cv::Mat& mask = cv::Mat());

// The affine map from pixel indices of a heatmap of `heat_size` cut from `box` to pixel indices
// of a photo preview with `scale` preview pixels per photo pixel (skinlens.v1.RegionBox's
// mapping of pixel centres, then PhotoPreview's scaling).
cv::Matx23d HeatmapToPreviewTransform(const PhotoBox& box, cv::Size heat_size, double scale);

// The rectangle of a preview of `preview_size` that a heatmap of `heat_size` warped through
// `m` (HeatmapToPreviewTransform) can touch, clipped to the preview; empty when it falls
// outside. DrawHeatmapAtBox resamples only this part, so drawing a region costs its own area,
// not the preview's.
cv::Rect PreviewRectOfHeatmap(const cv::Matx23d& m, cv::Size heat_size, cv::Size preview_size);

// Draws `heat` (CV_8UC1) back onto `photo_heat` (CV_8UC1, the preview's size) at `box`,
// bilinearly resampled, keeping the maximum where regions overlap; marks the pixels the box
// covers in `covered` (CV_8UC1, same size; 255 inside, partial at the edges), also by maximum,
// unless `covered` is null (it depends on the box alone: draw it once per region, not once per
// attribute). Parts of the box outside the preview are clipped. Preconditions: box width and
// height > 0, scale > 0, `photo_heat` allocated, `covered` null or allocated.
void DrawHeatmapAtBox(const cv::Mat& heat, const PhotoBox& box, double scale, cv::Mat* photo_heat,
                      cv::Mat* covered);

// `bgr` (CV_8UC3 or CV_8UC1) compressed as PNG or JPEG (quality 1..100, used for JPEG only).
// Errors: INVALID_ARGUMENT for an empty image or a quality out of range; INTERNAL when OpenCV
// fails to encode.
absl::StatusOr<std::string> EncodeImage(const cv::Mat& bgr, OverlayEncoding encoding,
                                        int jpeg_quality);

}  // namespace skinlens::explain
