// Augmentations that change pixel values, not positions: RGBShift, ISONoise,
// RandomBrightnessContrast (and its brightness-only form RandomBrightness).
// Parameters and defaults follow albumentations 1.x; see
// training/augment/README.md.
//
//   RgbShiftOptions options;  // +-20 per channel, p = 0.5
//   absl::StatusOr<std::unique_ptr<RgbShift>> shift = RgbShift::Create(options);
//   absl::StatusOr<cv::Mat> out = (*shift)->Apply(image, rng);
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "training/augment/transform.h"

namespace skinlens::training {

// ------------------------------------------------------------------ RGBShift

struct RgbShiftOptions {
  // Added to each channel, in 8-bit levels, drawn per image and channel.
  Range r_shift_limit = {-20, 20};
  Range g_shift_limit = {-20, 20};
  Range b_shift_limit = {-20, 20};
  double p = 0.5;
};

// Adds `r`, `g`, `b` to the red, green and blue channels of a BGR image,
// saturating at 0 and 255.
cv::Mat ShiftRgb(const cv::Mat& bgr, double r, double g, double b);

// Shifts each colour channel by a random amount (white-balance changes).
class RgbShift final : public Transform {
 public:
  // INVALID_ARGUMENT for p outside [0, 1] or a limit not within [-255, 255].
  static absl::StatusOr<std::unique_ptr<RgbShift>> Create(const RgbShiftOptions& options);
  absl::string_view name() const override { return "RGBShift"; }
  const RgbShiftOptions& options() const { return options_; }

 private:
  explicit RgbShift(const RgbShiftOptions& options) : Transform(options.p), options_(options) {}
  absl::StatusOr<cv::Mat> ApplyAlways(const cv::Mat& image, AugmentRng& rng) const override;
  void AddParameters(nlohmann::json& entry) const override;
  const RgbShiftOptions options_;
};

// ------------------------------------------------------------------ ISONoise

struct IsoNoiseOptions {
  // Standard deviation of the hue noise as a share of the hue circle (360
  // degrees), before scaling by the intensity.
  Range color_shift = {0.01, 0.05};
  // Scales both noises.
  Range intensity = {0.1, 0.5};
  double p = 0.5;
};

// Camera sensor noise as albumentations' iso_noise: in HLS space (H in
// degrees), hue += Normal(0, color_shift * 360 * intensity) and lightness +=
// Poisson(std(L) * intensity * 255) / 255 * (1 - L), per pixel, where std(L)
// is the lightness standard deviation of the image. Lightness is clamped to 1
// and the result saturated to 8 bits (albumentations lets it wrap around).
// The noise comes from std::poisson_distribution and std::normal_distribution
// seeded by one draw from `rng`.
cv::Mat AddIsoNoise(const cv::Mat& bgr, double color_shift, double intensity, AugmentRng& rng);

// Sensor noise with color_shift and intensity drawn from their ranges.
class IsoNoise final : public Transform {
 public:
  // INVALID_ARGUMENT for p outside [0, 1], `color_shift` not within [0, 1] or
  // `intensity` not within [0, 10].
  static absl::StatusOr<std::unique_ptr<IsoNoise>> Create(const IsoNoiseOptions& options);
  absl::string_view name() const override { return "ISONoise"; }
  const IsoNoiseOptions& options() const { return options_; }

 private:
  explicit IsoNoise(const IsoNoiseOptions& options) : Transform(options.p), options_(options) {}
  absl::StatusOr<cv::Mat> ApplyAlways(const cv::Mat& image, AugmentRng& rng) const override;
  void AddParameters(nlohmann::json& entry) const override;
  const IsoNoiseOptions options_;
};

// ------------------------------------------------------------------ RandomBrightnessContrast

struct RandomBrightnessContrastOptions {
  // beta: brightness added, as a share of 255 (or of the image mean, below).
  Range brightness_limit = {-0.2, 0.2};
  // alpha - 1: contrast factor minus one.
  Range contrast_limit = {-0.2, 0.2};
  // Brightness as a share of 255 (true) or of alpha * the image mean (false).
  bool brightness_by_max = true;
  double p = 0.5;
};

// out = saturate(alpha * in + beta * 255) per channel (beta_by_max), or
// saturate(alpha * in + alpha * beta * mean(in)) otherwise.
cv::Mat AdjustBrightnessContrast(const cv::Mat& bgr, double alpha, double beta, bool beta_by_max);

// Random brightness and contrast (lighting changes). Also serves the seed's
// "RandomBrightness" (contrast fixed at 1) through CreateBrightnessOnly().
class RandomBrightnessContrast final : public Transform {
 public:
  // INVALID_ARGUMENT for p outside [0, 1] or a limit not within [-1, 1].
  static absl::StatusOr<std::unique_ptr<RandomBrightnessContrast>> Create(
      const RandomBrightnessContrastOptions& options);
  // The transform named "RandomBrightness": brightness from `limit`, contrast
  // unchanged, brightness by max.
  static absl::StatusOr<std::unique_ptr<RandomBrightnessContrast>> CreateBrightnessOnly(
      const Range& limit, double p);
  absl::string_view name() const override {
    return brightness_only_ ? "RandomBrightness" : "RandomBrightnessContrast";
  }
  const RandomBrightnessContrastOptions& options() const { return options_; }

 private:
  RandomBrightnessContrast(const RandomBrightnessContrastOptions& options, bool brightness_only)
      : Transform(options.p), options_(options), brightness_only_(brightness_only) {}
  absl::StatusOr<cv::Mat> ApplyAlways(const cv::Mat& image, AugmentRng& rng) const override;
  void AddParameters(nlohmann::json& entry) const override;
  const RandomBrightnessContrastOptions options_;
  const bool brightness_only_;
};

}  // namespace skinlens::training
