#include "training/data/attributes.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace skinlens::training {

absl::string_view AttributeName(Attribute attribute) {
  switch (attribute) {
    case Attribute::kOil:
      return "oil";
    case Attribute::kHydration:
      return "hydration";
    case Attribute::kWrinkle:
      return "wrinkle";
    case Attribute::kPigmentation:
      return "pigmentation";
    case Attribute::kSensitivity:
      return "sensitivity";
  }
  return "unknown";
}

absl::StatusOr<Attribute> ParseAttribute(absl::string_view name) {
  for (Attribute attribute : kAllAttributes) {
    if (name == AttributeName(attribute)) return attribute;
  }
  // The seed's label files and result tables call it "sensitive".
  if (name == "sensitive") return Attribute::kSensitivity;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown attribute '", name,
                   "' (expected oil, hydration, wrinkle, pigmentation, sensitivity or sensitive)"));
}

}  // namespace skinlens::training
