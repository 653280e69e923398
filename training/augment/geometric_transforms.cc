#include "training/augment/geometric_transforms.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "opencv2/core.hpp"
#include "opencv2/imgproc.hpp"

namespace skinlens::training {
namespace {

nlohmann::json SizeToJson(const ImageSize& size) {
  return nlohmann::json::array({size.height, size.width});
}

absl::Status ValidateCrop(absl::string_view transform, const CropOptions& options) {
  absl::Status status = ValidateSize(transform, options.size);
  if (!status.ok()) return status;
  return ValidateProbability(transform, options.p);
}

// Pads `image` (mirrored, centred) to at least `size`, or fails when that is
// not allowed.
absl::StatusOr<cv::Mat> EnsureAtLeast(const cv::Mat& image, const ImageSize& size,
                                      bool pad_if_needed, absl::string_view transform) {
  const int missing_rows = std::max(0, size.height - image.rows);
  const int missing_cols = std::max(0, size.width - image.cols);
  if (missing_rows == 0 && missing_cols == 0) return image;
  if (!pad_if_needed) {
    return absl::InvalidArgumentError(
        absl::StrCat(transform, ": the image (", image.rows, "x", image.cols,
                     ", height x width) is smaller than the crop (", size.height, "x", size.width,
                     "); resize first or set \"pad_if_needed\": true"));
  }
  cv::Mat padded;
  cv::copyMakeBorder(image, padded, missing_rows / 2, missing_rows - missing_rows / 2,
                     missing_cols / 2, missing_cols - missing_cols / 2, cv::BORDER_REFLECT_101);
  return padded;
}

}  // namespace

// ------------------------------------------------------------------ Resize

absl::StatusOr<std::unique_ptr<Resize>> Resize::Create(const ResizeOptions& options) {
  absl::Status status = ValidateSize("Resize", options.size);
  if (status.ok()) status = ValidateProbability("Resize", options.p);
  if (!status.ok()) return status;
  return std::unique_ptr<Resize>(new Resize(options));
}

absl::StatusOr<cv::Mat> Resize::ApplyAlways(const cv::Mat& image, AugmentRng& rng) const {
  cv::Mat out;
  cv::resize(image, out, cv::Size(options_.size.width, options_.size.height), 0, 0,
             ToOpenCv(options_.interpolation));
  return out;
}

void Resize::AddParameters(nlohmann::json& entry) const {
  entry["size"] = SizeToJson(options_.size);
  entry["interpolation"] = std::string(InterpolationName(options_.interpolation));
}

// ------------------------------------------------------------------ CenterCrop

absl::StatusOr<std::unique_ptr<CenterCrop>> CenterCrop::Create(const CropOptions& options) {
  absl::Status status = ValidateCrop("CenterCrop", options);
  if (!status.ok()) return status;
  return std::unique_ptr<CenterCrop>(new CenterCrop(options));
}

absl::StatusOr<cv::Mat> CenterCrop::ApplyAlways(const cv::Mat& image, AugmentRng& rng) const {
  absl::StatusOr<cv::Mat> big_enough =
      EnsureAtLeast(image, options_.size, options_.pad_if_needed, name());
  if (!big_enough.ok()) return big_enough.status();
  const int y = (big_enough->rows - options_.size.height) / 2;
  const int x = (big_enough->cols - options_.size.width) / 2;
  return (*big_enough)(cv::Rect(x, y, options_.size.width, options_.size.height)).clone();
}

void CenterCrop::AddParameters(nlohmann::json& entry) const {
  entry["size"] = SizeToJson(options_.size);
  entry["pad_if_needed"] = options_.pad_if_needed;
}

// ------------------------------------------------------------------ RandomCrop

absl::StatusOr<std::unique_ptr<RandomCrop>> RandomCrop::Create(const CropOptions& options) {
  absl::Status status = ValidateCrop("RandomCrop", options);
  if (!status.ok()) return status;
  return std::unique_ptr<RandomCrop>(new RandomCrop(options));
}

absl::StatusOr<cv::Mat> RandomCrop::ApplyAlways(const cv::Mat& image, AugmentRng& rng) const {
  absl::StatusOr<cv::Mat> big_enough =
      EnsureAtLeast(image, options_.size, options_.pad_if_needed, name());
  if (!big_enough.ok()) return big_enough.status();
  const int y = UniformInt(rng, 0, big_enough->rows - options_.size.height);
  const int x = UniformInt(rng, 0, big_enough->cols - options_.size.width);
  return (*big_enough)(cv::Rect(x, y, options_.size.width, options_.size.height)).clone();
}

void RandomCrop::AddParameters(nlohmann::json& entry) const {
  entry["size"] = SizeToJson(options_.size);
  entry["pad_if_needed"] = options_.pad_if_needed;
}

// ------------------------------------------------------------------ RandomResizedCrop

cv::Rect RandomResizedCropBox(cv::Size image_size, const Range& scale, const Range& ratio,
                              AugmentRng& rng) {
  const int height = image_size.height;
  const int width = image_size.width;
  const double area = static_cast<double>(height) * width;
  const double log_ratio_min = std::log(ratio.min);
  const double log_ratio_max = std::log(ratio.max);
  for (int attempt = 0; attempt < 10; ++attempt) {
    const double target_area = area * Draw(rng, scale);
    const double aspect = std::exp(UniformReal(rng, log_ratio_min, log_ratio_max));
    const int w = static_cast<int>(std::lround(std::sqrt(target_area * aspect)));
    const int h = static_cast<int>(std::lround(std::sqrt(target_area / aspect)));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      const int y = UniformInt(rng, 0, height - h);
      const int x = UniformInt(rng, 0, width - w);
      return cv::Rect(x, y, w, h);
    }
  }
  // Fallback: the whole image, cut down to the nearest allowed ratio.
  const double in_ratio = static_cast<double>(width) / height;
  int w = width;
  int h = height;
  if (in_ratio < ratio.min) {
    h = std::clamp(static_cast<int>(std::lround(w / ratio.min)), 1, height);
  } else if (in_ratio > ratio.max) {
    w = std::clamp(static_cast<int>(std::lround(h * ratio.max)), 1, width);
  }
  return cv::Rect((width - w) / 2, (height - h) / 2, w, h);
}

absl::StatusOr<std::unique_ptr<RandomResizedCrop>> RandomResizedCrop::Create(
    const RandomResizedCropOptions& options) {
  constexpr absl::string_view kName = "RandomResizedCrop";
  absl::Status status = ValidateSize(kName, options.size);
  if (status.ok()) status = ValidateProbability(kName, options.p);
  if (status.ok()) status = ValidateRange(kName, "scale", options.scale, 1e-6, 1.0);
  if (status.ok()) status = ValidateRange(kName, "ratio", options.ratio, 1e-3, 100.0);
  if (!status.ok()) return status;
  return std::unique_ptr<RandomResizedCrop>(new RandomResizedCrop(options));
}

absl::StatusOr<cv::Mat> RandomResizedCrop::ApplyAlways(const cv::Mat& image,
                                                       AugmentRng& rng) const {
  const cv::Rect box = RandomResizedCropBox(image.size(), options_.scale, options_.ratio, rng);
  cv::Mat out;
  cv::resize(image(box), out, cv::Size(options_.size.width, options_.size.height), 0, 0,
             ToOpenCv(options_.interpolation));
  return out;
}

void RandomResizedCrop::AddParameters(nlohmann::json& entry) const {
  entry["size"] = SizeToJson(options_.size);
  entry["scale"] = RangeToJson(options_.scale);
  entry["ratio"] = RangeToJson(options_.ratio);
  entry["interpolation"] = std::string(InterpolationName(options_.interpolation));
}

// ------------------------------------------------------------------ HorizontalFlip

absl::StatusOr<std::unique_ptr<HorizontalFlip>> HorizontalFlip::Create(
    const HorizontalFlipOptions& options) {
  absl::Status status = ValidateProbability("HorizontalFlip", options.p);
  if (!status.ok()) return status;
  return std::unique_ptr<HorizontalFlip>(new HorizontalFlip(options));
}

absl::StatusOr<cv::Mat> HorizontalFlip::ApplyAlways(const cv::Mat& image, AugmentRng& rng) const {
  cv::Mat out;
  cv::flip(image, out, /*flipCode=*/1);
  return out;
}

// ------------------------------------------------------------------ OpticalDistortion

cv::Mat OpticallyDistort(const cv::Mat& image, double k, double dx, double dy,
                         Interpolation interpolation, BorderMode border_mode) {
  const int height = image.rows;
  const int width = image.cols;
  // The camera matrix albumentations builds: focal lengths equal to the image
  // size. Its principal point is shifted by (dx, dy); the undistorted view is
  // centred (getDefaultNewCameraMatrix with centerPrincipalPoint). Unlike
  // albumentations we centre both on (size - 1) / 2, so k = 0 is the identity
  // rather than a half-pixel shift.
  const double fx = width;
  const double fy = height;
  const double centre_x = (width - 1) * 0.5;
  const double centre_y = (height - 1) * 0.5;
  cv::Mat map_x(height, width, CV_32FC1);
  cv::Mat map_y(height, width, CV_32FC1);
  for (int v = 0; v < height; ++v) {
    float* mx = map_x.ptr<float>(v);
    float* my = map_y.ptr<float>(v);
    const double y = (v - centre_y) / fy;
    for (int u = 0; u < width; ++u) {
      const double x = (u - centre_x) / fx;
      const double r2 = x * x + y * y;
      const double radial = 1.0 + k * r2 + k * r2 * r2;
      mx[u] = static_cast<float>(fx * x * radial + centre_x + dx);
      my[u] = static_cast<float>(fy * y * radial + centre_y + dy);
    }
  }
  cv::Mat out;
  cv::remap(image, out, map_x, map_y, ToOpenCv(interpolation), ToOpenCv(border_mode));
  return out;
}

absl::StatusOr<std::unique_ptr<OpticalDistortion>> OpticalDistortion::Create(
    const OpticalDistortionOptions& options) {
  constexpr absl::string_view kName = "OpticalDistortion";
  absl::Status status = ValidateProbability(kName, options.p);
  if (status.ok()) status = ValidateRange(kName, "distort_limit", options.distort_limit, -2.0, 2.0);
  if (status.ok()) status = ValidateRange(kName, "shift_limit", options.shift_limit, -1.0, 1.0);
  if (!status.ok()) return status;
  return std::unique_ptr<OpticalDistortion>(new OpticalDistortion(options));
}

absl::StatusOr<cv::Mat> OpticalDistortion::ApplyAlways(const cv::Mat& image,
                                                       AugmentRng& rng) const {
  const double k = Draw(rng, options_.distort_limit);
  const double dx = Draw(rng, options_.shift_limit) * image.cols;
  const double dy = Draw(rng, options_.shift_limit) * image.rows;
  return OpticallyDistort(image, k, dx, dy, options_.interpolation, options_.border_mode);
}

void OpticalDistortion::AddParameters(nlohmann::json& entry) const {
  entry["distort_limit"] = RangeToJson(options_.distort_limit);
  entry["shift_limit"] = RangeToJson(options_.shift_limit);
  entry["interpolation"] = std::string(InterpolationName(options_.interpolation));
  entry["border_mode"] = std::string(BorderModeName(options_.border_mode));
}

}  // namespace skinlens::training
