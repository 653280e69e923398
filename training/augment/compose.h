// A sequence of augmentations built from a JSON recipe, as the trainer reads
// it from its configuration and records it in the model bundle.
//
//   absl::StatusOr<Compose> augment = Compose::FromRecipe(nlohmann::json::parse(R"([
//       {"name": "RandomResizedCrop", "size": 224, "scale": [0.5, 1.0]},
//       {"name": "HorizontalFlip", "p": 0.5}])"));
//   if (!augment.ok()) return augment.status();  // names the bad entry and parameter
//   AugmentRng rng(seed);
//   absl::StatusOr<cv::Mat> out = augment->Apply(image, rng);
//
// The transform names and parameters are listed in training/augment/README.md.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"
#include "training/augment/transform.h"

namespace skinlens::training {

// Creates one transform from a recipe entry: an object with "name", the
// transform's parameters and optionally "p". INVALID_ARGUMENT names the
// unknown transform, the unknown or malformed parameter, or the value out of
// range.
absl::StatusOr<std::unique_ptr<Transform>> TransformFromJson(const nlohmann::json& entry);

// The names TransformFromJson knows, sorted.
std::vector<std::string> KnownTransformNames();

// Applies transforms in order. Immutable; thread-safe when each thread passes
// its own generator.
class Compose {
 public:
  // `recipe` is a JSON array of entries (TransformFromJson); an empty array
  // is the identity. INVALID_ARGUMENT prefixed "recipe entry I: " (I from 0).
  static absl::StatusOr<Compose> FromRecipe(const nlohmann::json& recipe);
  // FromRecipe on JSON text; INVALID_ARGUMENT when it does not parse.
  static absl::StatusOr<Compose> FromRecipeText(absl::string_view json_text);

  explicit Compose(std::vector<std::unique_ptr<Transform>> transforms)
      : transforms_(std::move(transforms)) {}
  Compose(Compose&&) = default;
  Compose& operator=(Compose&&) = default;

  // Applies every transform in order, each drawing from `rng` (see
  // Transform::Apply). `image` must be a non-empty CV_8UC3 image; errors are
  // prefixed "recipe entry I (Name): ".
  absl::StatusOr<cv::Mat> Apply(const cv::Mat& image, AugmentRng& rng) const;

  // The recipe with every parameter written out; FromRecipe(ToRecipe())
  // behaves identically.
  nlohmann::json ToRecipe() const;

  const std::vector<std::unique_ptr<Transform>>& transforms() const { return transforms_; }

 private:
  std::vector<std::unique_ptr<Transform>> transforms_;
};

}  // namespace skinlens::training
