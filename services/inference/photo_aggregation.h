// The photo-level rule of InferenceService.Predict: which face regions count
// for which skin attribute (one table, kAttributeRegions in the .cc, documented
// in services/inference/README.md) and how their crops' grade probabilities
// combine into one result per attribute for the whole photo. No LibTorch, no
// gRPC: plain vectors and the API's enums.
//
//   std::vector<v1::FaceRegion> regions = {v1::FACE_REGION_FOREHEAD, v1::FACE_REGION_NOSE};
//   std::vector<std::vector<float>> oil = {{0.1, 0.9, 0, 0, 0}, {0.3, 0.7, 0, 0, 0}};
//   PhotoAttributeResult r = AggregatePhotoAttribute(v1::ATTRIBUTE_OIL, regions, oil);
//   // r.distribution.probabilities == {0.2, 0.8, 0, 0, 0}, grade 1;
//   // r.regions == {FOREHEAD, NOSE}
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "skinlens/v1/common.pb.h"

namespace skinlens::inference {

// Grade probabilities with their argmax and expected value.
struct Distribution {
  std::vector<float> probabilities;  // P(grade = k), k = 0..G-1.
  int grade = 0;                     // Argmax; the lowest grade wins a tie.
  float expected_score = 0;          // Sum over k of probabilities[k] * k.
};

// The distribution of `probabilities` (copied as they are, not renormalised).
// An empty vector gives grade 0 and expected score 0.
Distribution MakeDistribution(std::vector<float> probabilities);

// The regions whose crops count for `attribute`, sorted by enum value; empty
// for ATTRIBUTE_UNSPECIFIED or an unknown value (then every crop counts).
const std::vector<v1::FaceRegion>& RegionsForAttribute(v1::Attribute attribute);

// The Attribute a bundle's attribute name stands for ("oil" ->
// ATTRIBUTE_OIL, case-insensitive); ATTRIBUTE_UNSPECIFIED for another name.
v1::Attribute AttributeFromName(absl::string_view name);

// One attribute's photo-level result.
struct PhotoAttributeResult {
  Distribution distribution;
  std::vector<v1::FaceRegion> regions;  // Distinct regions that counted, by enum value.
};

// The photo-level rule for one attribute: the mean of the probability vectors
// of the crops whose region counts for `attribute` (RegionsForAttribute; each
// crop counts once, so two crops of one region weigh twice); when no crop has
// such a region, the mean of all crops. Grade and expected score come from the
// mean. `crop_regions[i]` is crop i's region and `crop_probabilities[i]` its
// probabilities for this attribute. Preconditions: both have the same size,
// at least 1, and every probability vector has the same length.
PhotoAttributeResult AggregatePhotoAttribute(
    v1::Attribute attribute, const std::vector<v1::FaceRegion>& crop_regions,
    const std::vector<std::vector<float>>& crop_probabilities);

// Whether a photo-level result is withheld ("cannot estimate"), and why.
struct Abstention {
  bool abstained = false;
  std::string reason;  // For people; empty unless abstained.
};

// The abstain rule: a result whose top probability is below `threshold` (the
// bundle's calibrated threshold for `attribute_name`; 0 never abstains) is
// withheld. A distribution without probabilities abstains whenever the
// threshold is above 0.
Abstention DecideAbstention(const Distribution& distribution, double threshold,
                            absl::string_view attribute_name);

// The table as Markdown rows "| attribute | regions |", for the README and
// logs; a test keeps the README in step with it.
std::string AttributeRegionTableMarkdown();

}  // namespace skinlens::inference
