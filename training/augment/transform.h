// The base of every augmentation: a transform of an 8-bit BGR image applied
// with a probability, deterministic given the random generator passed in.
//
// Transforms are immutable after creation and keep no random state, so one
// instance may serve many data-loading threads, each with its own generator:
//
//   AugmentRng rng(seed);
//   absl::StatusOr<std::unique_ptr<HorizontalFlip>> flip = HorizontalFlip::Create({/*p=*/0.5});
//   absl::StatusOr<cv::Mat> out = (*flip)->Apply(image, rng);
//
// Compose (compose.h) builds a sequence of transforms from a JSON recipe.
#pragma once

#include <cstdint>
#include <random>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"
#include "opencv2/core/mat.hpp"

namespace skinlens::training {

// The random generator of augmentations. Its sequence is fixed by the C++
// standard; the draws below turn it into numbers without the std
// distributions, whose algorithms differ between standard libraries. (ISONoise
// is the exception: its Poisson and normal noise use the std distributions,
// so it repeats exactly only with the same standard library.)
using AugmentRng = std::mt19937;

// A number in [lo, hi) (lo when lo == hi), from one draw.
double UniformReal(AugmentRng& rng, double lo, double hi);
// An integer in [lo, hi], from one draw. Precondition: lo <= hi.
int UniformInt(AugmentRng& rng, int lo, int hi);

// A closed interval [min, max] a random parameter is drawn from.
struct Range {
  double min = 0.0;
  double max = 0.0;

  bool operator==(const Range& other) const { return min == other.min && max == other.max; }
};

// [min, max] as a JSON array.
inline nlohmann::json RangeToJson(const Range& range) {
  return nlohmann::json::array({range.min, range.max});
}

// A number drawn uniformly from `range`.
inline double Draw(AugmentRng& rng, const Range& range) {
  return UniformReal(rng, range.min, range.max);
}

// An output size in pixels.
struct ImageSize {
  int height = 0;
  int width = 0;
};

// Resampling filter, as OpenCV's cv::InterpolationFlags.
enum class Interpolation { kNearest, kLinear, kCubic, kArea, kLanczos4 };
// "nearest", "linear", "cubic", "area", "lanczos4".
absl::string_view InterpolationName(Interpolation interpolation);
// The cv::INTER_* value.
int ToOpenCv(Interpolation interpolation);

// How pixels outside the image are made up, as OpenCV's cv::BorderTypes.
enum class BorderMode { kConstant, kReplicate, kReflect, kWrap, kReflect101 };
// "constant", "replicate", "reflect", "wrap", "reflect_101".
absl::string_view BorderModeName(BorderMode mode);
// The cv::BORDER_* value.
int ToOpenCv(BorderMode mode);

// Checks a transform's parameters shared by many transforms; the message names
// the transform. INVALID_ARGUMENT unless 0 <= p <= 1.
absl::Status ValidateProbability(absl::string_view transform, double p);
// INVALID_ARGUMENT unless 1 <= height, width <= 16384.
absl::Status ValidateSize(absl::string_view transform, const ImageSize& size);
// INVALID_ARGUMENT unless lowest <= range.min <= range.max <= highest.
absl::Status ValidateRange(absl::string_view transform, absl::string_view parameter,
                           const Range& range, double lowest, double highest);

// An augmentation of 8-bit BGR images (CV_8UC3). Subclasses implement
// ApplyAlways() and their parameters; the base class handles the probability
// and the input check. Thread-safe: const and stateless.
class Transform {
 public:
  virtual ~Transform() = default;
  Transform(const Transform&) = delete;
  Transform& operator=(const Transform&) = delete;

  // The name in recipes ("RandomResizedCrop").
  virtual absl::string_view name() const = 0;
  // Probability that Apply() transforms the image.
  double probability() const { return probability_; }

  // Draws one number from `rng` to decide whether to transform (probability
  // p), then, if so, the transform's own random parameters, so the same
  // generator state gives the same output. Returns the input itself (sharing
  // its pixels) when the transform is not applied. INVALID_ARGUMENT when
  // `image` is empty or not CV_8UC3, or too small for the transform.
  absl::StatusOr<cv::Mat> Apply(const cv::Mat& image, AugmentRng& rng) const;

  // The transform as a recipe entry, every parameter written out:
  // {"name": "HorizontalFlip", "p": 0.5}. Compose reads it back.
  nlohmann::json ToJson() const;

 protected:
  // Precondition: 0 <= probability <= 1.
  explicit Transform(double probability) : probability_(probability) {}

  // Transforms `image` (non-empty CV_8UC3). May return an error for an image
  // the transform cannot handle.
  virtual absl::StatusOr<cv::Mat> ApplyAlways(const cv::Mat& image, AugmentRng& rng) const = 0;
  // Adds the transform's parameters (not "name" and "p") to `entry`.
  virtual void AddParameters(nlohmann::json& entry) const = 0;

 private:
  const double probability_;
};

}  // namespace skinlens::training
