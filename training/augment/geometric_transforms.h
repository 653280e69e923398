// Augmentations that move pixels: Resize, CenterCrop, RandomCrop,
// RandomResizedCrop, HorizontalFlip, OpticalDistortion. Parameters and defaults
// follow albumentations 1.x (and torchvision for RandomResizedCrop); the
// differences are in training/augment/README.md.
//
//   RandomResizedCropOptions options;
//   options.size = {224, 224};
//   options.scale = {0.5, 1.0};
//   absl::StatusOr<std::unique_ptr<RandomResizedCrop>> crop = RandomResizedCrop::Create(options);
//   absl::StatusOr<cv::Mat> out = (*crop)->Apply(image, rng);  // 224x224
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "opencv2/core/types.hpp"
#include "training/augment/transform.h"

namespace skinlens::training {

// ------------------------------------------------------------------ Resize

struct ResizeOptions {
  ImageSize size;  // The output size; the aspect ratio is not kept.
  Interpolation interpolation = Interpolation::kLinear;
  double p = 1.0;
};

// Resizes to a fixed size.
class Resize final : public Transform {
 public:
  // INVALID_ARGUMENT for a size outside 1..16384 or p outside [0, 1].
  static absl::StatusOr<std::unique_ptr<Resize>> Create(const ResizeOptions& options);
  absl::string_view name() const override { return "Resize"; }
  const ResizeOptions& options() const { return options_; }

 private:
  explicit Resize(const ResizeOptions& options) : Transform(options.p), options_(options) {}
  absl::StatusOr<cv::Mat> ApplyAlways(const cv::Mat& image, AugmentRng& rng) const override;
  void AddParameters(nlohmann::json& entry) const override;
  const ResizeOptions options_;
};

// ------------------------------------------------------------------ crops

// Options of CenterCrop and RandomCrop.
struct CropOptions {
  ImageSize size;  // The crop's size.
  // When the image is smaller than the crop: pad it (mirrored, reflect_101,
  // centred) up to the crop size when true, fail with INVALID_ARGUMENT when
  // false (albumentations' behaviour).
  bool pad_if_needed = false;
  double p = 1.0;
};

// Cuts the centre `size` out of the image.
class CenterCrop final : public Transform {
 public:
  // INVALID_ARGUMENT for a size outside 1..16384 or p outside [0, 1].
  static absl::StatusOr<std::unique_ptr<CenterCrop>> Create(const CropOptions& options);
  absl::string_view name() const override { return "CenterCrop"; }
  const CropOptions& options() const { return options_; }

 private:
  explicit CenterCrop(const CropOptions& options) : Transform(options.p), options_(options) {}
  absl::StatusOr<cv::Mat> ApplyAlways(const cv::Mat& image, AugmentRng& rng) const override;
  void AddParameters(nlohmann::json& entry) const override;
  const CropOptions options_;
};

// Cuts a `size` window at a uniformly random position.
class RandomCrop final : public Transform {
 public:
  // INVALID_ARGUMENT for a size outside 1..16384 or p outside [0, 1].
  static absl::StatusOr<std::unique_ptr<RandomCrop>> Create(const CropOptions& options);
  absl::string_view name() const override { return "RandomCrop"; }
  const CropOptions& options() const { return options_; }

 private:
  explicit RandomCrop(const CropOptions& options) : Transform(options.p), options_(options) {}
  absl::StatusOr<cv::Mat> ApplyAlways(const cv::Mat& image, AugmentRng& rng) const override;
  void AddParameters(nlohmann::json& entry) const override;
  const CropOptions options_;
};

struct RandomResizedCropOptions {
  ImageSize size;                   // The output size.
  Range scale = {0.08, 1.0};        // Crop area as a share of the image area.
  Range ratio = {0.75, 4.0 / 3.0};  // Crop aspect ratio (width / height), drawn log-uniformly.
  Interpolation interpolation = Interpolation::kLinear;
  double p = 1.0;
};

// The crop box RandomResizedCrop uses, by torchvision's algorithm
// (transforms.RandomResizedCrop.get_params): up to 10 tries of an area share
// from `scale` and a log-uniform aspect ratio from `ratio`, placed uniformly;
// if none fits, the largest centred box whose ratio is clamped into `ratio`.
// Always inside the image. Precondition: image_size is not empty.
cv::Rect RandomResizedCropBox(cv::Size image_size, const Range& scale, const Range& ratio,
                              AugmentRng& rng);

// Crops a random area and aspect ratio (RandomResizedCropBox), then resizes to `size`.
class RandomResizedCrop final : public Transform {
 public:
  // INVALID_ARGUMENT for a bad size or p, `scale` not within (0, 1] or
  // `ratio` not within (0, 100].
  static absl::StatusOr<std::unique_ptr<RandomResizedCrop>> Create(
      const RandomResizedCropOptions& options);
  absl::string_view name() const override { return "RandomResizedCrop"; }
  const RandomResizedCropOptions& options() const { return options_; }

 private:
  explicit RandomResizedCrop(const RandomResizedCropOptions& options)
      : Transform(options.p), options_(options) {}
  absl::StatusOr<cv::Mat> ApplyAlways(const cv::Mat& image, AugmentRng& rng) const override;
  void AddParameters(nlohmann::json& entry) const override;
  const RandomResizedCropOptions options_;
};

// ------------------------------------------------------------------ flip

struct HorizontalFlipOptions {
  double p = 0.5;
};

// Mirrors the image left to right.
class HorizontalFlip final : public Transform {
 public:
  // INVALID_ARGUMENT for p outside [0, 1].
  static absl::StatusOr<std::unique_ptr<HorizontalFlip>> Create(
      const HorizontalFlipOptions& options);
  absl::string_view name() const override { return "HorizontalFlip"; }

 private:
  explicit HorizontalFlip(const HorizontalFlipOptions& options) : Transform(options.p) {}
  absl::StatusOr<cv::Mat> ApplyAlways(const cv::Mat& image, AugmentRng& rng) const override;
  void AddParameters(nlohmann::json& entry) const override {}
};

// ------------------------------------------------------------------ optical distortion

struct OpticalDistortionOptions {
  Range distort_limit = {-0.05, 0.05};  // The radial coefficient k.
  // Shift of the distortion centre, as a share of the width (x) and height (y).
  Range shift_limit = {-0.05, 0.05};
  Interpolation interpolation = Interpolation::kLinear;
  BorderMode border_mode = BorderMode::kReflect101;
  double p = 0.5;
};

// Radial lens distortion with coefficient k (k1 = k2 = k, as albumentations):
// output pixel (u, v) samples the input at the centre + r * (1 + k r^2 + k r^4)
// along the ray through it, where r is measured in units of the image width
// (x) and height (y) from the centre (cx, cy) = ((w - 1) / 2 + dx, (h - 1) / 2 + dy).
// k > 0 pulls the content towards the centre, more at the edges (barrel);
// k < 0 pushes it out (pincushion); k = dx = dy = 0 is the identity. The same
// maps as cv::initUndistortRectifyMap, built without the calib3d module.
cv::Mat OpticallyDistort(const cv::Mat& image, double k, double dx, double dy,
                         Interpolation interpolation, BorderMode border_mode);

// Barrel / pincushion distortion with k from `distort_limit` and a centre
// shift from `shift_limit`.
class OpticalDistortion final : public Transform {
 public:
  // INVALID_ARGUMENT for p outside [0, 1], `distort_limit` not within
  // [-2, 2] or `shift_limit` not within [-1, 1].
  static absl::StatusOr<std::unique_ptr<OpticalDistortion>> Create(
      const OpticalDistortionOptions& options);
  absl::string_view name() const override { return "OpticalDistortion"; }
  const OpticalDistortionOptions& options() const { return options_; }

 private:
  explicit OpticalDistortion(const OpticalDistortionOptions& options)
      : Transform(options.p), options_(options) {}
  absl::StatusOr<cv::Mat> ApplyAlways(const cv::Mat& image, AugmentRng& rng) const override;
  void AddParameters(nlohmann::json& entry) const override;
  const OpticalDistortionOptions options_;
};

}  // namespace skinlens::training
