// The five skin attributes SkinLens grades and their names.
//
// Every part of training (data readers, losses, sampler, metrics) and the
// model's heads index attributes in this order, so an attribute's index is
// also its head's index in the network's `[N, 5, 5]` logits.
//
//   for (Attribute a : kAllAttributes) {
//     std::cout << AttributeName(a) << ": " << sample.grade(a) << "\n";
//   }
//   absl::StatusOr<Attribute> a = ParseAttribute("sensitive");  // kSensitivity
#pragma once

#include <array>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace skinlens::training {

// Number of attributes; the model has one head per attribute.
inline constexpr int kNumAttributes = 5;
// Grades per attribute: 0 (none/lowest) to 4 (most severe/highest).
inline constexpr int kNumGrades = 5;
// The grade of an attribute that is not labelled for a sample. The seed's
// files used -1 and -2; readers store both as this value, so a loss can pass
// it as `ignore_index`. Any negative grade means "unlabelled".
inline constexpr int kUnlabelled = -1;

// A skin attribute. The value is the attribute's index (head, loss, metric).
enum class Attribute : int {
  kOil = 0,
  kHydration = 1,
  kWrinkle = 2,
  kPigmentation = 3,
  kSensitivity = 4,
};

// All attributes in index order.
inline constexpr std::array<Attribute, kNumAttributes> kAllAttributes = {
    Attribute::kOil, Attribute::kHydration, Attribute::kWrinkle, Attribute::kPigmentation,
    Attribute::kSensitivity};

// The attribute's index, 0..kNumAttributes-1.
constexpr int AttributeIndex(Attribute attribute) { return static_cast<int>(attribute); }

// The canonical lower-case name: "oil", "hydration", "wrinkle",
// "pigmentation", "sensitivity". These are the JSON keys and CSV columns.
absl::string_view AttributeName(Attribute attribute);

// Parses a canonical name, or "sensitive" (the seed's name for sensitivity).
// Case-sensitive. INVALID_ARGUMENT names the text and the accepted names.
absl::StatusOr<Attribute> ParseAttribute(absl::string_view name);

// True for 0..kNumGrades-1.
constexpr bool IsValidGrade(int grade) { return grade >= 0 && grade < kNumGrades; }

}  // namespace skinlens::training
