#include "training/augment/color_transforms.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "absl/status/status.h"
#include "opencv2/core.hpp"
#include "opencv2/imgproc.hpp"

namespace skinlens::training {

// ------------------------------------------------------------------ RGBShift

cv::Mat ShiftRgb(const cv::Mat& bgr, double r, double g, double b) {
  // One lookup table per channel, as albumentations does for uint8.
  cv::Mat table(1, 256, CV_8UC3);
  for (int level = 0; level < 256; ++level) {
    table.at<cv::Vec3b>(0, level) =
        cv::Vec3b(cv::saturate_cast<uchar>(level + b), cv::saturate_cast<uchar>(level + g),
                  cv::saturate_cast<uchar>(level + r));
  }
  cv::Mat out;
  cv::LUT(bgr, table, out);
  return out;
}

absl::StatusOr<std::unique_ptr<RgbShift>> RgbShift::Create(const RgbShiftOptions& options) {
  constexpr absl::string_view kName = "RGBShift";
  absl::Status status = ValidateProbability(kName, options.p);
  if (status.ok()) status = ValidateRange(kName, "r_shift_limit", options.r_shift_limit, -255, 255);
  if (status.ok()) status = ValidateRange(kName, "g_shift_limit", options.g_shift_limit, -255, 255);
  if (status.ok()) status = ValidateRange(kName, "b_shift_limit", options.b_shift_limit, -255, 255);
  if (!status.ok()) return status;
  return std::unique_ptr<RgbShift>(new RgbShift(options));
}

absl::StatusOr<cv::Mat> RgbShift::ApplyAlways(const cv::Mat& image, AugmentRng& rng) const {
  // Drawn in albumentations' order: r, g, b.
  const double r = Draw(rng, options_.r_shift_limit);
  const double g = Draw(rng, options_.g_shift_limit);
  const double b = Draw(rng, options_.b_shift_limit);
  return ShiftRgb(image, r, g, b);
}

void RgbShift::AddParameters(nlohmann::json& entry) const {
  entry["r_shift_limit"] = RangeToJson(options_.r_shift_limit);
  entry["g_shift_limit"] = RangeToJson(options_.g_shift_limit);
  entry["b_shift_limit"] = RangeToJson(options_.b_shift_limit);
}

// ------------------------------------------------------------------ ISONoise

cv::Mat AddIsoNoise(const cv::Mat& bgr, double color_shift, double intensity, AugmentRng& rng) {
  cv::Mat unit;
  bgr.convertTo(unit, CV_32FC3, 1.0 / 255.0);
  cv::Mat hls;
  cv::cvtColor(unit, hls, cv::COLOR_BGR2HLS);  // H in [0, 360], L and S in [0, 1].
  cv::Scalar mean;
  cv::Scalar stddev;
  cv::meanStdDev(hls, mean, stddev);

  const double poisson_mean = stddev[1] * intensity * 255.0;
  const double hue_sigma = color_shift * 360.0 * intensity;
  std::mt19937 noise_rng(rng());
  // Both distributions need a positive parameter; zero means no noise.
  std::poisson_distribution<int> luminance_noise(std::max(poisson_mean, 1e-12));
  std::normal_distribution<float> hue_noise(0.0f, static_cast<float>(std::max(hue_sigma, 1e-12)));
  const bool add_luminance = poisson_mean > 0.0;
  const bool add_hue = hue_sigma > 0.0;

  for (int y = 0; y < hls.rows; ++y) {
    cv::Vec3f* row = hls.ptr<cv::Vec3f>(y);
    for (int x = 0; x < hls.cols; ++x) {
      cv::Vec3f& pixel = row[x];
      if (add_hue) {
        float hue = std::fmod(pixel[0] + hue_noise(noise_rng), 360.0f);
        if (hue < 0.0f) hue += 360.0f;
        pixel[0] = hue;
      }
      if (add_luminance) {
        const float luminance = pixel[1];
        const float noise = static_cast<float>(luminance_noise(noise_rng)) / 255.0f;
        pixel[1] = std::min(1.0f, luminance + noise * (1.0f - luminance));
      }
    }
  }
  cv::Mat noisy;
  cv::cvtColor(hls, noisy, cv::COLOR_HLS2BGR);
  cv::Mat out;
  noisy.convertTo(out, CV_8UC3, 255.0);
  return out;
}

absl::StatusOr<std::unique_ptr<IsoNoise>> IsoNoise::Create(const IsoNoiseOptions& options) {
  constexpr absl::string_view kName = "ISONoise";
  absl::Status status = ValidateProbability(kName, options.p);
  if (status.ok()) status = ValidateRange(kName, "color_shift", options.color_shift, 0.0, 1.0);
  if (status.ok()) status = ValidateRange(kName, "intensity", options.intensity, 0.0, 10.0);
  if (!status.ok()) return status;
  return std::unique_ptr<IsoNoise>(new IsoNoise(options));
}

absl::StatusOr<cv::Mat> IsoNoise::ApplyAlways(const cv::Mat& image, AugmentRng& rng) const {
  const double color_shift = Draw(rng, options_.color_shift);
  const double intensity = Draw(rng, options_.intensity);
  return AddIsoNoise(image, color_shift, intensity, rng);
}

void IsoNoise::AddParameters(nlohmann::json& entry) const {
  entry["color_shift"] = RangeToJson(options_.color_shift);
  entry["intensity"] = RangeToJson(options_.intensity);
}

// ------------------------------------------------------------------ RandomBrightnessContrast

cv::Mat AdjustBrightnessContrast(const cv::Mat& bgr, double alpha, double beta, bool beta_by_max) {
  const double offset = beta_by_max ? beta * 255.0 : alpha * beta * cv::mean(bgr.reshape(1)).val[0];
  cv::Mat table(1, 256, CV_8UC1);
  for (int level = 0; level < 256; ++level) {
    table.at<uchar>(0, level) = cv::saturate_cast<uchar>(alpha * level + offset);
  }
  cv::Mat out;
  cv::LUT(bgr, table, out);
  return out;
}

absl::StatusOr<std::unique_ptr<RandomBrightnessContrast>> RandomBrightnessContrast::Create(
    const RandomBrightnessContrastOptions& options) {
  constexpr absl::string_view kName = "RandomBrightnessContrast";
  absl::Status status = ValidateProbability(kName, options.p);
  if (status.ok()) {
    status = ValidateRange(kName, "brightness_limit", options.brightness_limit, -1.0, 1.0);
  }
  if (status.ok()) {
    status = ValidateRange(kName, "contrast_limit", options.contrast_limit, -1.0, 1.0);
  }
  if (!status.ok()) return status;
  return std::unique_ptr<RandomBrightnessContrast>(
      new RandomBrightnessContrast(options, /*brightness_only=*/false));
}

absl::StatusOr<std::unique_ptr<RandomBrightnessContrast>>
RandomBrightnessContrast::CreateBrightnessOnly(const Range& limit, double p) {
  constexpr absl::string_view kName = "RandomBrightness";
  absl::Status status = ValidateProbability(kName, p);
  if (status.ok()) status = ValidateRange(kName, "limit", limit, -1.0, 1.0);
  if (!status.ok()) return status;
  RandomBrightnessContrastOptions options;
  options.brightness_limit = limit;
  options.contrast_limit = {0.0, 0.0};
  options.p = p;
  return std::unique_ptr<RandomBrightnessContrast>(
      new RandomBrightnessContrast(options, /*brightness_only=*/true));
}

absl::StatusOr<cv::Mat> RandomBrightnessContrast::ApplyAlways(const cv::Mat& image,
                                                              AugmentRng& rng) const {
  // Drawn in albumentations' order: alpha, then beta.
  const double alpha = 1.0 + Draw(rng, options_.contrast_limit);
  const double beta = Draw(rng, options_.brightness_limit);
  return AdjustBrightnessContrast(image, alpha, beta, options_.brightness_by_max);
}

void RandomBrightnessContrast::AddParameters(nlohmann::json& entry) const {
  if (brightness_only_) {
    entry["limit"] = RangeToJson(options_.brightness_limit);
    return;
  }
  entry["brightness_limit"] = RangeToJson(options_.brightness_limit);
  entry["contrast_limit"] = RangeToJson(options_.contrast_limit);
  entry["brightness_by_max"] = options_.brightness_by_max;
}

}  // namespace skinlens::training
