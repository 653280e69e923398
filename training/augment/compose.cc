#include "training/augment/compose.h"

#include <functional>
#include <limits>
#include <map>
#include <set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "training/augment/color_transforms.h"
#include "training/augment/geometric_transforms.h"

namespace skinlens::training {
namespace {

// Reads the parameters of one recipe entry, remembering the first problem and
// which keys were used, so that a misspelt parameter is an error rather than
// silently ignored.
class EntryReader {
 public:
  EntryReader(const nlohmann::json& entry, std::string name)
      : entry_(entry), name_(std::move(name)) {
    used_.insert("name");
  }

  // "p": a number.
  void Probability(double* p) { Number("p", p); }

  void Number(const std::string& key, double* out) {
    const nlohmann::json* value = Find(key);
    if (value == nullptr) return;
    if (!value->is_number()) return Fail(key, "must be a number", *value);
    *out = value->get<double>();
  }

  void Bool(const std::string& key, bool* out) {
    const nlohmann::json* value = Find(key);
    if (value == nullptr) return;
    if (!value->is_boolean()) return Fail(key, "must be true or false", *value);
    *out = value->get<bool>();
  }

  // "size": N (square) or [height, width]; or "height" and "width" together
  // (albumentations' spelling). Required.
  void Size(ImageSize* out) {
    const nlohmann::json* size = Find("size");
    const nlohmann::json* height = Find("height");
    const nlohmann::json* width = Find("width");
    if (size != nullptr) {
      if (height != nullptr || width != nullptr) {
        return Fail("size", "and 'height'/'width' are alternatives; give one", *size);
      }
      if (IsInt(*size)) {
        out->height = out->width = size->get<int>();
      } else if (size->is_array() && size->size() == 2 && IsInt((*size)[0]) && IsInt((*size)[1])) {
        out->height = (*size)[0].get<int>();
        out->width = (*size)[1].get<int>();
      } else {
        Fail("size", "must be an integer or [height, width]", *size);
      }
      return;
    }
    if (height == nullptr || width == nullptr) {
      return FailMessage("needs 'size' (N or [height, width]) or both 'height' and 'width'");
    }
    if (!IsInt(*height)) return Fail("height", "must be an integer", *height);
    if (!IsInt(*width)) return Fail("width", "must be an integer", *width);
    out->height = height->get<int>();
    out->width = width->get<int>();
  }

  // [min, max]; a single number x means [-x, x] when `symmetric` (shift and
  // brightness limits, as albumentations) and [x, x] otherwise.
  void RangeOf(const std::string& key, bool symmetric, Range* out) {
    const nlohmann::json* value = Find(key);
    if (value == nullptr) return;
    if (value->is_number()) {
      const double x = value->get<double>();
      *out = symmetric ? Range{-std::abs(x), std::abs(x)} : Range{x, x};
    } else if (value->is_array() && value->size() == 2 && (*value)[0].is_number() &&
               (*value)[1].is_number()) {
      *out = Range{(*value)[0].get<double>(), (*value)[1].get<double>()};
    } else {
      Fail(key, "must be a number or [min, max]", *value);
    }
  }

  // A name or albumentations' cv2.INTER_* number (0..4).
  void InterpolationOf(Interpolation* out) {
    const nlohmann::json* value = Find("interpolation");
    if (value == nullptr) return;
    static constexpr Interpolation kAll[] = {Interpolation::kNearest, Interpolation::kLinear,
                                             Interpolation::kCubic, Interpolation::kArea,
                                             Interpolation::kLanczos4};
    for (Interpolation candidate : kAll) {
      if ((value->is_string() && value->get<std::string>() == InterpolationName(candidate)) ||
          (IsInt(*value) && value->get<int>() == ToOpenCv(candidate))) {
        *out = candidate;
        return;
      }
    }
    Fail("interpolation", "must be nearest, linear, cubic, area or lanczos4 (or 0..4)", *value);
  }

  // A name or albumentations' cv2.BORDER_* number (0..4).
  void BorderModeOf(BorderMode* out) {
    const nlohmann::json* value = Find("border_mode");
    if (value == nullptr) return;
    static constexpr BorderMode kAll[] = {BorderMode::kConstant, BorderMode::kReplicate,
                                          BorderMode::kReflect, BorderMode::kWrap,
                                          BorderMode::kReflect101};
    for (BorderMode candidate : kAll) {
      if ((value->is_string() && value->get<std::string>() == BorderModeName(candidate)) ||
          (IsInt(*value) && value->get<int>() == ToOpenCv(candidate))) {
        *out = candidate;
        return;
      }
    }
    Fail("border_mode", "must be constant, replicate, reflect, wrap or reflect_101 (or 0..4)",
         *value);
  }

  // The first problem, or an unknown key.
  absl::Status Finish() const {
    if (!status_.ok()) return status_;
    for (const auto& [key, value] : entry_.items()) {
      if (used_.count(key) == 0) {
        return absl::InvalidArgumentError(absl::StrCat(name_, ": unknown parameter '", key,
                                                       "' (see training/augment/README.md)"));
      }
    }
    return absl::OkStatus();
  }

 private:
  static bool IsInt(const nlohmann::json& value) {
    if (!value.is_number_integer()) return false;
    if (value.is_number_unsigned()) {
      return value.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<int>::max());
    }
    const int64_t v = value.get<int64_t>();
    return v >= std::numeric_limits<int>::min() && v <= std::numeric_limits<int>::max();
  }

  const nlohmann::json* Find(const std::string& key) {
    used_.insert(key);
    auto it = entry_.find(key);
    return it == entry_.end() ? nullptr : &*it;
  }

  void Fail(const std::string& key, absl::string_view what, const nlohmann::json& value) {
    FailMessage(absl::StrCat("'", key, "' ", what, ", got ", value.dump()));
  }

  void FailMessage(absl::string_view message) {
    if (status_.ok()) status_ = absl::InvalidArgumentError(absl::StrCat(name_, ": ", message));
  }

  const nlohmann::json& entry_;
  const std::string name_;
  std::set<std::string> used_;
  absl::Status status_;
};

template <typename T>
absl::StatusOr<std::unique_ptr<Transform>> Upcast(absl::StatusOr<std::unique_ptr<T>> made) {
  if (!made.ok()) return made.status();
  return std::unique_ptr<Transform>(std::move(made).value());
}

using Factory = std::function<absl::StatusOr<std::unique_ptr<Transform>>(EntryReader&)>;

const std::map<std::string, Factory>& Factories() {
  static const auto* const factories = new std::map<std::string, Factory>{
      {"Resize",
       [](EntryReader& in) -> absl::StatusOr<std::unique_ptr<Transform>> {
         ResizeOptions options;
         in.Size(&options.size);
         in.InterpolationOf(&options.interpolation);
         in.Probability(&options.p);
         if (absl::Status status = in.Finish(); !status.ok()) return status;
         return Upcast(Resize::Create(options));
       }},
      {"CenterCrop",
       [](EntryReader& in) -> absl::StatusOr<std::unique_ptr<Transform>> {
         CropOptions options;
         in.Size(&options.size);
         in.Bool("pad_if_needed", &options.pad_if_needed);
         in.Probability(&options.p);
         if (absl::Status status = in.Finish(); !status.ok()) return status;
         return Upcast(CenterCrop::Create(options));
       }},
      {"RandomCrop",
       [](EntryReader& in) -> absl::StatusOr<std::unique_ptr<Transform>> {
         CropOptions options;
         in.Size(&options.size);
         in.Bool("pad_if_needed", &options.pad_if_needed);
         in.Probability(&options.p);
         if (absl::Status status = in.Finish(); !status.ok()) return status;
         return Upcast(RandomCrop::Create(options));
       }},
      {"RandomResizedCrop",
       [](EntryReader& in) -> absl::StatusOr<std::unique_ptr<Transform>> {
         RandomResizedCropOptions options;
         in.Size(&options.size);
         in.RangeOf("scale", /*symmetric=*/false, &options.scale);
         in.RangeOf("ratio", /*symmetric=*/false, &options.ratio);
         in.InterpolationOf(&options.interpolation);
         in.Probability(&options.p);
         if (absl::Status status = in.Finish(); !status.ok()) return status;
         return Upcast(RandomResizedCrop::Create(options));
       }},
      {"HorizontalFlip",
       [](EntryReader& in) -> absl::StatusOr<std::unique_ptr<Transform>> {
         HorizontalFlipOptions options;
         in.Probability(&options.p);
         if (absl::Status status = in.Finish(); !status.ok()) return status;
         return Upcast(HorizontalFlip::Create(options));
       }},
      {"OpticalDistortion",
       [](EntryReader& in) -> absl::StatusOr<std::unique_ptr<Transform>> {
         OpticalDistortionOptions options;
         in.RangeOf("distort_limit", /*symmetric=*/true, &options.distort_limit);
         in.RangeOf("shift_limit", /*symmetric=*/true, &options.shift_limit);
         in.InterpolationOf(&options.interpolation);
         in.BorderModeOf(&options.border_mode);
         in.Probability(&options.p);
         if (absl::Status status = in.Finish(); !status.ok()) return status;
         return Upcast(OpticalDistortion::Create(options));
       }},
      {"RGBShift",
       [](EntryReader& in) -> absl::StatusOr<std::unique_ptr<Transform>> {
         RgbShiftOptions options;
         in.RangeOf("r_shift_limit", /*symmetric=*/true, &options.r_shift_limit);
         in.RangeOf("g_shift_limit", /*symmetric=*/true, &options.g_shift_limit);
         in.RangeOf("b_shift_limit", /*symmetric=*/true, &options.b_shift_limit);
         in.Probability(&options.p);
         if (absl::Status status = in.Finish(); !status.ok()) return status;
         return Upcast(RgbShift::Create(options));
       }},
      {"ISONoise",
       [](EntryReader& in) -> absl::StatusOr<std::unique_ptr<Transform>> {
         IsoNoiseOptions options;
         in.RangeOf("color_shift", /*symmetric=*/false, &options.color_shift);
         in.RangeOf("intensity", /*symmetric=*/false, &options.intensity);
         in.Probability(&options.p);
         if (absl::Status status = in.Finish(); !status.ok()) return status;
         return Upcast(IsoNoise::Create(options));
       }},
      {"RandomBrightnessContrast",
       [](EntryReader& in) -> absl::StatusOr<std::unique_ptr<Transform>> {
         RandomBrightnessContrastOptions options;
         in.RangeOf("brightness_limit", /*symmetric=*/true, &options.brightness_limit);
         in.RangeOf("contrast_limit", /*symmetric=*/true, &options.contrast_limit);
         in.Bool("brightness_by_max", &options.brightness_by_max);
         in.Probability(&options.p);
         if (absl::Status status = in.Finish(); !status.ok()) return status;
         return Upcast(RandomBrightnessContrast::Create(options));
       }},
      {"RandomBrightness",
       [](EntryReader& in) -> absl::StatusOr<std::unique_ptr<Transform>> {
         Range limit = {-0.2, 0.2};
         double p = 0.5;
         in.RangeOf("limit", /*symmetric=*/true, &limit);
         in.Probability(&p);
         if (absl::Status status = in.Finish(); !status.ok()) return status;
         return Upcast(RandomBrightnessContrast::CreateBrightnessOnly(limit, p));
       }},
  };
  return *factories;
}

}  // namespace

std::vector<std::string> KnownTransformNames() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : Factories()) names.push_back(name);
  return names;
}

absl::StatusOr<std::unique_ptr<Transform>> TransformFromJson(const nlohmann::json& entry) {
  if (!entry.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("a transform must be a JSON object with a \"name\", got ", entry.dump()));
  }
  auto name = entry.find("name");
  if (name == entry.end() || !name->is_string()) {
    return absl::InvalidArgumentError(
        absl::StrCat("a transform needs a \"name\" string, got ", entry.dump()));
  }
  const std::string transform = name->get<std::string>();
  auto factory = Factories().find(transform);
  if (factory == Factories().end()) {
    std::string hint;
    if (transform == "Normalize" || transform == "ToTensor" || transform == "ToTensorV2") {
      hint = "; normalisation and tensor layout are done by the trainer, leave them out";
    }
    return absl::InvalidArgumentError(
        absl::StrCat("unknown transform '", transform,
                     "' (known: ", absl::StrJoin(KnownTransformNames(), ", "), ")", hint));
  }
  EntryReader reader(entry, transform);
  return factory->second(reader);
}

absl::StatusOr<Compose> Compose::FromRecipe(const nlohmann::json& recipe) {
  if (!recipe.is_array()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "an augmentation recipe must be a JSON array of transforms, got ", recipe.type_name()));
  }
  std::vector<std::unique_ptr<Transform>> transforms;
  for (size_t i = 0; i < recipe.size(); ++i) {
    absl::StatusOr<std::unique_ptr<Transform>> transform = TransformFromJson(recipe[i]);
    if (!transform.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("recipe entry ", i, ": ", transform.status().message()));
    }
    transforms.push_back(std::move(transform).value());
  }
  return Compose(std::move(transforms));
}

absl::StatusOr<Compose> Compose::FromRecipeText(absl::string_view json_text) {
  nlohmann::json recipe;
  try {
    recipe = nlohmann::json::parse(json_text.begin(), json_text.end());
  } catch (const nlohmann::json::exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("augmentation recipe is not valid JSON: ", e.what()));
  }
  return FromRecipe(recipe);
}

absl::StatusOr<cv::Mat> Compose::Apply(const cv::Mat& image, AugmentRng& rng) const {
  cv::Mat current = image;
  for (size_t i = 0; i < transforms_.size(); ++i) {
    absl::StatusOr<cv::Mat> next = transforms_[i]->Apply(current, rng);
    if (!next.ok()) {
      return absl::Status(next.status().code(),
                          absl::StrCat("recipe entry ", i, " (", transforms_[i]->name(),
                                       "): ", next.status().message()));
    }
    current = std::move(next).value();
  }
  return current;
}

nlohmann::json Compose::ToRecipe() const {
  nlohmann::json recipe = nlohmann::json::array();
  for (const auto& transform : transforms_) recipe.push_back(transform->ToJson());
  return recipe;
}

}  // namespace skinlens::training
