#include "training/augment/transform.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "opencv2/core.hpp"
#include "opencv2/imgproc.hpp"

namespace skinlens::training {

double UniformReal(AugmentRng& rng, double lo, double hi) {
  // 32 random bits are plenty for augmentation parameters.
  constexpr double kTwoTo32 = 4294967296.0;
  return lo + (hi - lo) * (static_cast<double>(rng()) / kTwoTo32);
}

int UniformInt(AugmentRng& rng, int lo, int hi) {
  const uint64_t span = static_cast<uint64_t>(static_cast<int64_t>(hi) - lo) + 1;
  // The modulo bias is below span / 2^32: negligible for image sizes.
  return static_cast<int>(lo + static_cast<int64_t>(rng() % span));
}

absl::string_view InterpolationName(Interpolation interpolation) {
  switch (interpolation) {
    case Interpolation::kNearest:
      return "nearest";
    case Interpolation::kLinear:
      return "linear";
    case Interpolation::kCubic:
      return "cubic";
    case Interpolation::kArea:
      return "area";
    case Interpolation::kLanczos4:
      return "lanczos4";
  }
  return "linear";
}

int ToOpenCv(Interpolation interpolation) {
  switch (interpolation) {
    case Interpolation::kNearest:
      return cv::INTER_NEAREST;
    case Interpolation::kLinear:
      return cv::INTER_LINEAR;
    case Interpolation::kCubic:
      return cv::INTER_CUBIC;
    case Interpolation::kArea:
      return cv::INTER_AREA;
    case Interpolation::kLanczos4:
      return cv::INTER_LANCZOS4;
  }
  return cv::INTER_LINEAR;
}

absl::string_view BorderModeName(BorderMode mode) {
  switch (mode) {
    case BorderMode::kConstant:
      return "constant";
    case BorderMode::kReplicate:
      return "replicate";
    case BorderMode::kReflect:
      return "reflect";
    case BorderMode::kWrap:
      return "wrap";
    case BorderMode::kReflect101:
      return "reflect_101";
  }
  return "reflect_101";
}

int ToOpenCv(BorderMode mode) {
  switch (mode) {
    case BorderMode::kConstant:
      return cv::BORDER_CONSTANT;
    case BorderMode::kReplicate:
      return cv::BORDER_REPLICATE;
    case BorderMode::kReflect:
      return cv::BORDER_REFLECT;
    case BorderMode::kWrap:
      return cv::BORDER_WRAP;
    case BorderMode::kReflect101:
      return cv::BORDER_REFLECT_101;
  }
  return cv::BORDER_REFLECT_101;
}

absl::Status ValidateProbability(absl::string_view transform, double p) {
  if (p >= 0.0 && p <= 1.0) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(transform, ": 'p' must be in [0, 1], got ", p));
}

absl::Status ValidateSize(absl::string_view transform, const ImageSize& size) {
  constexpr int kMaxSide = 16384;
  if (size.height >= 1 && size.height <= kMaxSide && size.width >= 1 && size.width <= kMaxSide) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(transform, ": the size must be 1..", kMaxSide,
                                                 " pixels a side, got height ", size.height,
                                                 " width ", size.width));
}

absl::Status ValidateRange(absl::string_view transform, absl::string_view parameter,
                           const Range& range, double lowest, double highest) {
  if (range.min >= lowest && range.min <= range.max && range.max <= highest) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat(transform, ": '", parameter, "' must be [min, max] with ", lowest,
                   " <= min <= max <= ", highest, ", got [", range.min, ", ", range.max, "]"));
}

absl::StatusOr<cv::Mat> Transform::Apply(const cv::Mat& image, AugmentRng& rng) const {
  if (image.empty() || image.type() != CV_8UC3) {
    return absl::InvalidArgumentError(
        absl::StrCat(name(), ": expected a non-empty 8-bit BGR image (CV_8UC3), got type ",
                     image.type(), " of ", image.cols, "x", image.rows));
  }
  // Always one draw for the decision, so what follows in the stream does not
  // depend on p.
  const bool apply = UniformReal(rng, 0.0, 1.0) < probability_;
  if (!apply) return image;
  try {
    return ApplyAlways(image, rng);
  } catch (const cv::Exception& e) {
    // The input was checked above; an OpenCV error here is a bug of ours.
    return absl::InternalError(absl::StrCat(name(), ": OpenCV failed: ", e.what()));
  }
}

nlohmann::json Transform::ToJson() const {
  nlohmann::json entry = nlohmann::json::object();
  entry["name"] = std::string(name());
  AddParameters(entry);
  entry["p"] = probability_;
  return entry;
}

}  // namespace skinlens::training
