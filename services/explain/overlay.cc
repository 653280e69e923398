#include "services/explain/overlay.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "opencv2/imgcodecs.hpp"
#include "opencv2/imgproc.hpp"

namespace skinlens::explain {
namespace {

// JET's pure red sits at 7/8 of its scale; above it JET darkens towards (128, 0, 0) RGB.
constexpr double kJetRedFraction = 0.875;

cv::Mat MakeColorScale() {
  cv::Mat levels(1, 256, CV_8UC1);
  for (int i = 0; i < 256; ++i) {
    levels.at<uint8_t>(0, i) = static_cast<uint8_t>(std::lround(i * kJetRedFraction));
  }
  cv::Mat lut;
  cv::applyColorMap(levels, lut, cv::COLORMAP_JET);
  return lut.reshape(3, 256).clone();  // 256 x 1, CV_8UC3: what applyColorMap takes as a table
}

}  // namespace

cv::Mat ColorizeHeatmap(const cv::Mat& heat) {
  static const cv::Mat* const kScale = new cv::Mat(MakeColorScale());
  cv::Mat colour;
  cv::applyColorMap(heat, colour, *kScale);
  return colour;
}

cv::Mat BlendHeatmap(const cv::Mat& image, const cv::Mat& heat, double alpha, const cv::Mat& mask) {
  const cv::Mat colour = ColorizeHeatmap(heat);
  cv::Mat out;
  if (mask.empty()) {
    cv::addWeighted(image, 1.0 - alpha, colour, alpha, 0.0, out);
    return out;
  }
  cv::Mat weight;
  mask.convertTo(weight, CV_32F, alpha / 255.0);
  cv::Mat weight3;
  cv::merge(std::vector<cv::Mat>{weight, weight, weight}, weight3);
  cv::Mat image_f, colour_f;
  image.convertTo(image_f, CV_32FC3);
  colour.convertTo(colour_f, CV_32FC3);
  cv::Mat blended = image_f + weight3.mul(colour_f - image_f);
  blended.convertTo(out, CV_8UC3);  // rounds and saturates
  return out;
}

cv::Matx23d HeatmapToPreviewTransform(const PhotoBox& box, cv::Size heat_size, double scale) {
  const double t = box.rotation_degrees * CV_PI / 180.0;
  const double c = std::cos(t);
  const double s = std::sin(t);
  const double sx = box.width / heat_size.width;    // photo pixels per heatmap column
  const double sy = box.height / heat_size.height;  // photo pixels per heatmap row
  // Heatmap index (u, v) -> box coordinates x' = u * sx + ox, y' = v * sy + oy.
  const double ox = (0.5 / heat_size.width - 0.5) * box.width;
  const double oy = (0.5 / heat_size.height - 0.5) * box.height;
  // Rotated into the photo, scaled into the preview, and from continuous coordinates (origin
  // at a pixel's corner) to pixel indices (origin at its centre).
  return cv::Matx23d(scale * c * sx, -scale * s * sy,
                     scale * (box.center_x + ox * c - oy * s) - 0.5,  //
                     scale * s * sx, scale * c * sy,
                     scale * (box.center_y + ox * s + oy * c) - 0.5);
}

cv::Rect PreviewRectOfHeatmap(const cv::Matx23d& m, cv::Size heat_size, cv::Size preview_size) {
  // Bilinear sampling with a zero border gives a destination pixel a non-zero value only when
  // its source point lies within one pixel of the heatmap's pixel centres, i.e. inside
  // (-1, width) x (-1, height): the corners of that rectangle bound everything drawn.
  double min_x = 1e300, min_y = 1e300, max_x = -1e300, max_y = -1e300;
  for (const double u : {-1.0, static_cast<double>(heat_size.width)}) {
    for (const double v : {-1.0, static_cast<double>(heat_size.height)}) {
      const double x = m(0, 0) * u + m(0, 1) * v + m(0, 2);
      const double y = m(1, 0) * u + m(1, 1) * v + m(1, 2);
      min_x = std::min(min_x, x), max_x = std::max(max_x, x);
      min_y = std::min(min_y, y), max_y = std::max(max_y, y);
    }
  }
  if (!std::isfinite(min_x + max_x + min_y + max_y)) return cv::Rect();
  // One more pixel each side for the rounding of OpenCV's fixed-point coordinates; clamped
  // first so that a box far outside the preview cannot overflow an int.
  const auto to_int = [](double v) { return static_cast<int>(std::clamp(v, -8.0, 1e9)); };
  const cv::Rect box(cv::Point(to_int(std::floor(min_x)) - 1, to_int(std::floor(min_y)) - 1),
                     cv::Point(to_int(std::ceil(max_x)) + 2, to_int(std::ceil(max_y)) + 2));
  return box & cv::Rect(cv::Point(0, 0), preview_size);
}

namespace {

// Warps `source` through `m` into the part `rect` of `target`, keeping the maximum: what
// warpAffine over the whole of `target` would give there, at the cost of `rect` alone.
void WarpMaxInto(const cv::Mat& source, const cv::Matx23d& m, const cv::Rect& rect,
                 cv::Mat* target) {
  if (rect.empty()) return;
  cv::Matx23d shifted = m;
  shifted(0, 2) -= rect.x;
  shifted(1, 2) -= rect.y;
  cv::Mat warped;
  cv::warpAffine(source, warped, shifted, rect.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT,
                 cv::Scalar(0));
  cv::Mat part = (*target)(rect);
  cv::max(part, warped, part);
}

}  // namespace

void DrawHeatmapAtBox(const cv::Mat& heat, const PhotoBox& box, double scale, cv::Mat* photo_heat,
                      cv::Mat* covered) {
  const cv::Matx23d m = HeatmapToPreviewTransform(box, heat.size(), scale);
  const cv::Rect rect = PreviewRectOfHeatmap(m, heat.size(), photo_heat->size());
  WarpMaxInto(heat, m, rect, photo_heat);
  if (covered != nullptr) {
    WarpMaxInto(cv::Mat(heat.size(), CV_8UC1, cv::Scalar(255)), m, rect, covered);
  }
}

absl::StatusOr<std::string> EncodeImage(const cv::Mat& bgr, OverlayEncoding encoding,
                                        int jpeg_quality) {
  if (bgr.empty()) {
    return absl::InvalidArgumentError("cannot encode an empty image");
  }
  if (encoding == OverlayEncoding::kJpeg && (jpeg_quality < 1 || jpeg_quality > 100)) {
    return absl::InvalidArgumentError(
        absl::StrCat("JPEG quality must be in 1..100, got ", jpeg_quality));
  }
  std::vector<uint8_t> bytes;
  try {
    const bool ok =
        encoding == OverlayEncoding::kJpeg
            ? cv::imencode(".jpg", bgr, bytes, {cv::IMWRITE_JPEG_QUALITY, jpeg_quality})
            // Level 1: overlays are regenerated on every call; size matters less than time.
            : cv::imencode(".png", bgr, bytes, {cv::IMWRITE_PNG_COMPRESSION, 1});
    if (!ok) {
      return absl::InternalError("OpenCV could not encode the overlay");
    }
  } catch (const cv::Exception& e) {
    return absl::InternalError(absl::StrCat("cannot encode the overlay: ", e.what()));
  }
  return std::string(bytes.begin(), bytes.end());
}

}  // namespace skinlens::explain
