#include "training/retest/capture_variation.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/strings/str_format.h"
#include "opencv2/imgcodecs.hpp"
#include "opencv2/imgproc.hpp"

namespace skinlens::training {
namespace {

double SrgbToLinear(double v) {
  return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
}
double LinearToSrgb(double v) {
  return v <= 0.0031308 ? v * 12.92 : 1.055 * std::pow(v, 1.0 / 2.4) - 0.055;
}

// The Planckian locus in linear sRGB (unnormalised), from Kim et al.'s cubic
// fits of its CIE xy chromaticity.
cv::Vec3d PlanckianRgb(double t) {
  t = std::clamp(t, 1667.0, 25000.0);
  const double t2 = t * t, t3 = t2 * t;
  const double x = t <= 4000 ? -0.2661239e9 / t3 - 0.2343589e6 / t2 + 0.8776956e3 / t + 0.179910
                             : -3.0258469e9 / t3 + 2.1070379e6 / t2 + 0.2226347e3 / t + 0.240390;
  const double x2 = x * x, x3 = x2 * x;
  double y;
  if (t <= 2222) {
    y = -1.1063814 * x3 - 1.34811020 * x2 + 2.18555832 * x - 0.20219683;
  } else if (t <= 4000) {
    y = -0.9549476 * x3 - 1.37418593 * x2 + 2.09137015 * x - 0.16748867;
  } else {
    y = 3.0817580 * x3 - 5.87338670 * x2 + 3.75112997 * x - 0.37001483;
  }
  const double X = x / y, Y = 1.0, Z = (1 - x - y) / y;
  return {3.2406 * X - 1.5372 * Y - 0.4986 * Z, -0.9689 * X + 1.8758 * Y + 0.0415 * Z,
          0.0557 * X - 0.2040 * Y + 1.0570 * Z};
}

}  // namespace

std::string CaptureVariation::ToString() const {
  return absl::StrFormat("%.0f K, %+.2f EV, shift (%.1f, %.1f) px, %+.1f deg, JPEG %d, blur %.2f",
                         kelvin, exposure_ev, shift_x_px, shift_y_px, rotation_deg, jpeg_quality,
                         blur_sigma);
}

CaptureVariation DrawVariation(std::mt19937& random, VariationSet set) {
  auto uniform = [&](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(random);
  };
  CaptureVariation v;
  v.kelvin = uniform(2700, 6500);
  if (set == VariationSet::kColourOnly) return v;
  v.exposure_ev = uniform(-1, 1);
  v.shift_x_px = uniform(-4, 4);
  v.shift_y_px = uniform(-4, 4);
  v.rotation_deg = uniform(-3, 3);
  v.jpeg_quality = std::uniform_int_distribution<int>(60, 95)(random);
  v.blur_sigma = uniform(0, 1.2);
  return v;
}

cv::Vec3d LightGainsRgb(double kelvin) {
  const cv::Vec3d light = PlanckianRgb(kelvin);
  const cv::Vec3d daylight = PlanckianRgb(6500);
  cv::Vec3d gains(light[0] / daylight[0], light[1] / daylight[1], light[2] / daylight[2]);
  return gains / gains[1];
}

cv::Mat ApplyVariation(const cv::Mat& bgr, const CaptureVariation& v) {
  const cv::Vec3d rgb = LightGainsRgb(v.kelvin) * std::pow(2.0, v.exposure_ev);
  const double gains[3] = {rgb[2], rgb[1], rgb[0]};  // BGR
  cv::Mat lut(1, 256, CV_8UC3);
  for (int i = 0; i < 256; ++i) {
    const double linear = SrgbToLinear(i / 255.0);
    for (int c = 0; c < 3; ++c) {
      lut.at<cv::Vec3b>(0, i)[c] = cv::saturate_cast<uchar>(
          std::lround(255 * LinearToSrgb(std::min(1.0, linear * gains[c]))));
    }
  }
  cv::Mat lit;
  cv::LUT(bgr, lut, lit);
  if (v.shift_x_px != 0 || v.shift_y_px != 0 || v.rotation_deg != 0) {
    cv::Mat m =
        cv::getRotationMatrix2D(cv::Point2f(bgr.cols / 2.0f, bgr.rows / 2.0f), v.rotation_deg, 1.0);
    m.at<double>(0, 2) += v.shift_x_px;
    m.at<double>(1, 2) += v.shift_y_px;
    cv::warpAffine(lit, lit, m, lit.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  }
  if (v.blur_sigma > 0.05) cv::GaussianBlur(lit, lit, cv::Size(), v.blur_sigma);
  std::vector<uchar> jpeg;
  cv::imencode(".jpg", lit, jpeg, {cv::IMWRITE_JPEG_QUALITY, v.jpeg_quality});
  return cv::imdecode(jpeg, cv::IMREAD_COLOR);
}

}  // namespace skinlens::training
