#include "services/inference/photo_aggregation.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace skinlens::inference {
namespace {

// Which regions count for which attribute: where a dermatologist (and the
// AI-Hub Korean skin data set, which labels each attribute on some regions
// only) looks for it. See README.md for the reasons.
const std::map<v1::Attribute, std::vector<v1::FaceRegion>>& AttributeRegions() {
  static const auto* table = new std::map<v1::Attribute, std::vector<v1::FaceRegion>>{
      // Sebum: the T-zone.
      {v1::ATTRIBUTE_OIL, {v1::FACE_REGION_FOREHEAD, v1::FACE_REGION_NOSE}},
      // Dryness: the cheeks, which have the fewest sebaceous glands.
      {v1::ATTRIBUTE_HYDRATION, {v1::FACE_REGION_LEFT_CHEEK, v1::FACE_REGION_RIGHT_CHEEK}},
      // Lines: forehead lines and crow's feet / under-eye lines.
      {v1::ATTRIBUTE_WRINKLE,
       {v1::FACE_REGION_FOREHEAD, v1::FACE_REGION_LEFT_EYE_AREA, v1::FACE_REGION_RIGHT_EYE_AREA}},
      // Brown spots and melasma: the sun-exposed cheeks.
      {v1::ATTRIBUTE_PIGMENTATION, {v1::FACE_REGION_LEFT_CHEEK, v1::FACE_REGION_RIGHT_CHEEK}},
      // Redness: cheeks, nose and chin (the central face).
      {v1::ATTRIBUTE_SENSITIVITY,
       {v1::FACE_REGION_LEFT_CHEEK, v1::FACE_REGION_RIGHT_CHEEK, v1::FACE_REGION_NOSE,
        v1::FACE_REGION_CHIN}},
  };
  return *table;
}

}  // namespace

Distribution MakeDistribution(std::vector<float> probabilities) {
  Distribution d;
  d.probabilities = std::move(probabilities);
  double expected = 0;
  for (size_t k = 0; k < d.probabilities.size(); ++k) {
    if (d.probabilities[k] > d.probabilities[static_cast<size_t>(d.grade)]) {
      d.grade = static_cast<int>(k);
    }
    expected += static_cast<double>(d.probabilities[k]) * static_cast<double>(k);
  }
  d.expected_score = static_cast<float>(expected);
  return d;
}

const std::vector<v1::FaceRegion>& RegionsForAttribute(v1::Attribute attribute) {
  static const auto* none = new std::vector<v1::FaceRegion>();
  auto it = AttributeRegions().find(attribute);
  return it == AttributeRegions().end() ? *none : it->second;
}

v1::Attribute AttributeFromName(absl::string_view name) {
  const std::string lower = absl::AsciiStrToLower(name);
  for (int a = v1::ATTRIBUTE_OIL; a <= v1::ATTRIBUTE_SENSITIVITY; ++a) {
    const auto attribute = static_cast<v1::Attribute>(a);
    // "ATTRIBUTE_OIL" -> "oil".
    if (absl::AsciiStrToLower(v1::Attribute_Name(attribute).substr(10)) == lower) {
      return attribute;
    }
  }
  return v1::ATTRIBUTE_UNSPECIFIED;
}

PhotoAttributeResult AggregatePhotoAttribute(
    v1::Attribute attribute, const std::vector<v1::FaceRegion>& crop_regions,
    const std::vector<std::vector<float>>& crop_probabilities) {
  const std::vector<v1::FaceRegion>& wanted = RegionsForAttribute(attribute);
  std::vector<size_t> counted;
  for (size_t i = 0; i < crop_regions.size(); ++i) {
    if (std::find(wanted.begin(), wanted.end(), crop_regions[i]) != wanted.end()) {
      counted.push_back(i);
    }
  }
  if (counted.empty()) {  // None of the attribute's regions: every crop counts.
    for (size_t i = 0; i < crop_regions.size(); ++i) {
      counted.push_back(i);
    }
  }
  const size_t grades = crop_probabilities.empty() ? 0 : crop_probabilities.front().size();
  std::vector<double> sum(grades, 0.0);
  PhotoAttributeResult result;
  for (size_t i : counted) {
    for (size_t k = 0; k < grades; ++k) {
      sum[k] += crop_probabilities[i][k];
    }
    result.regions.push_back(crop_regions[i]);
  }
  std::vector<float> mean(grades);
  for (size_t k = 0; k < grades; ++k) {
    mean[k] = counted.empty() ? 0.0f : static_cast<float>(sum[k] / counted.size());
  }
  result.distribution = MakeDistribution(std::move(mean));
  std::sort(result.regions.begin(), result.regions.end());
  result.regions.erase(std::unique(result.regions.begin(), result.regions.end()),
                       result.regions.end());
  return result;
}

std::string AttributeRegionTableMarkdown() {
  std::string out;
  for (const auto& [attribute, regions] : AttributeRegions()) {
    std::vector<std::string> names;
    for (v1::FaceRegion r : regions) {
      names.push_back(absl::AsciiStrToLower(v1::FaceRegion_Name(r).substr(12)));  // FACE_REGION_
    }
    absl::StrAppend(&out, "| ", absl::AsciiStrToLower(v1::Attribute_Name(attribute).substr(10)),
                    " | ", absl::StrJoin(names, ", "), " |\n");
  }
  return out;
}

Abstention DecideAbstention(const Distribution& distribution, double threshold,
                            absl::string_view attribute_name) {
  Abstention result;
  if (threshold <= 0) return result;
  float top = 0;
  for (float p : distribution.probabilities) top = std::max(top, p);
  if (top >= threshold) return result;
  result.abstained = true;
  result.reason = absl::StrFormat(
      "confidence %.2f is below %.2f, the least this model needs to grade %s from a photo", top,
      threshold, attribute_name);
  return result;
}

}  // namespace skinlens::inference
