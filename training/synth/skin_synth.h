// Synthetic skin-region images with known grades and ground-truth masks.
//
// SkinSynthesizer renders crops of face regions (forehead, cheeks, nose, ...)
// in skin tones of Fitzpatrick types I-VI, with pores, micro-relief and smooth
// shading, and draws each of the five attributes at an independent grade 0..4:
// oil as specular shine, hydration as dryness (grade = dryness severity: 0 is
// well hydrated, 4 is very dry), wrinkles as creases, pigmentation as brown
// spots and patches, sensitivity as red (erythema) areas. Capture conditions
// (lighting, white balance, zoom, blur, noise, JPEG) vary per image. Every
// attribute also comes with a mask of where it was drawn. docs/SYNTHETIC_DATA.md
// describes what each grade looks like.
//
// Sample `i` of a configuration depends only on (seed, i): each random decision
// draws from its own stream derived from them, so images can be generated in
// any order, in parallel, or resumed, and the same seed gives the same bytes.
//
//   SynthConfig config;
//   config.seed = 7;
//   config.size = 256;
//   SKINLENS_ASSIGN_OR_RETURN(SkinSynthesizer synth, SkinSynthesizer::Create(config));
//   SampleSpec spec = synth.SpecFor(42);          // grades, part, skin type
//   SKINLENS_ASSIGN_OR_RETURN(SynthSample sample, synth.Render(spec));
//   // sample.image: CV_8UC3 BGR; sample.mask(Attribute::kWrinkle): CV_8UC1, 255 where drawn
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "opencv2/core.hpp"
#include "training/data/attributes.h"

namespace skinlens::training {

// Bumped whenever rendering changes: the same seed gives the same bytes only
// within one generator version.
inline constexpr int kSynthGeneratorVersion = 1;

// Face regions the generator can render; each has its own curvature, pore
// size, micro-relief, base shine and redness, and wrinkle pattern. "left" and
// "right" are the subject's. The eye regions are the skin lateral to the eye
// (crow's-feet area); no eye is drawn.
inline constexpr std::array<absl::string_view, 8> kSynthParts = {
    "forehead", "glabella", "left_eye", "right_eye", "left_cheek", "right_cheek", "nose", "chin"};

// Relative frequency of grades 0..4 for one attribute (need not sum to 1).
using GradeWeights = std::array<double, kNumGrades>;

// The default grade frequencies, indexed by AttributeIndex(): imbalanced like
// the seed's data, with the extreme grades rare.
std::array<GradeWeights, kNumAttributes> DefaultGradeWeights();

// Parses "0.3,0.35,0.22,0.1,0.03" (five non-negative numbers, positive sum).
// INVALID_ARGUMENT naming the problem otherwise.
absl::StatusOr<GradeWeights> ParseGradeWeights(absl::string_view text);

// Relative frequency of Fitzpatrick skin types I..VI (need not sum to 1).
using SkinTypeWeights = std::array<double, 6>;

// The default mix of skin types: most images of types II-IV, fewest of VI.
SkinTypeWeights DefaultSkinTypeWeights();

// Parses "0.12,0.2,0.2,0.18,0.16,0.14" (six non-negative numbers, positive
// sum). INVALID_ARGUMENT naming the problem otherwise.
absl::StatusOr<SkinTypeWeights> ParseSkinTypeWeights(absl::string_view text);

// What the generator draws and how labels are assigned.
struct SynthConfig {
  // Root of every random stream.
  uint64_t seed = 1;
  // Width and height of the square images, in pixels (32..4096).
  int size = 256;
  // Probability that one attribute of one image is written as -1 (the grade is
  // still drawn, only the label is withheld).
  double unlabelled_rate = 0.02;
  // Grade frequencies per attribute, indexed by AttributeIndex().
  std::array<GradeWeights, kNumAttributes> grade_weights = DefaultGradeWeights();
  // Frequencies of Fitzpatrick types I..VI; a training set may draw more of the
  // groups a model grades worst (docs/MODEL.md, fairness).
  SkinTypeWeights skin_type_weights = DefaultSkinTypeWeights();
  // Regions to draw from, uniformly; names from kSynthParts. Empty = all.
  std::vector<std::string> parts;
};

// INVALID_ARGUMENT when a field is out of range (size, rate, weights, parts).
absl::Status ValidateSynthConfig(const SynthConfig& config);

// Everything that decides one image. SpecFor() derives it from the config and
// an index; tests and the contact sheet build their own.
struct SampleSpec {
  // Grade drawn per attribute, 0..4, indexed by AttributeIndex().
  std::array<int, kNumAttributes> grades{};
  // False: the attribute's label is written as -1 (the grade is still drawn).
  std::array<bool, kNumAttributes> labelled{true, true, true, true, true};
  // Index into kSynthParts.
  int part = 0;
  // Fitzpatrick skin type, 1..6.
  int fitzpatrick = 3;
  // Seeds the skin's appearance, every attribute's layout and the capture.
  uint64_t appearance_seed = 0;
  // Fixed frontal lighting, neutral white balance, no blur, noise or JPEG:
  // for pictures that compare grades side by side.
  bool neutral_capture = false;

  int& grade(Attribute attribute) { return grades[AttributeIndex(attribute)]; }
  int grade(Attribute attribute) const { return grades[AttributeIndex(attribute)]; }
  // The labels to write: grades[a], or kUnlabelled where !labelled[a].
  std::array<int, kNumAttributes> Labels() const;
  absl::string_view part_name() const { return kSynthParts[part]; }
};

// One rendered image and its ground truth.
struct SynthSample {
  // CV_8UC3, BGR, size x size.
  cv::Mat image;
  // CV_8UC1 per attribute (indexed by AttributeIndex()), 255 where the attribute
  // was drawn, 0 elsewhere; all zero at grade 0.
  std::array<cv::Mat, kNumAttributes> masks;

  const cv::Mat& mask(Attribute attribute) const { return masks[AttributeIndex(attribute)]; }
};

// Renders synthetic skin samples for one configuration. Immutable after
// Create(); every method is const and safe to call from many threads at once.
class SkinSynthesizer {
 public:
  // INVALID_ARGUMENT when the configuration is invalid (ValidateSynthConfig).
  static absl::StatusOr<SkinSynthesizer> Create(SynthConfig config);

  const SynthConfig& config() const { return config_; }

  // The grades, labels, part and skin type of sample `index` (>= 0). Cheap:
  // renders nothing, so a manifest can be written without the images.
  SampleSpec SpecFor(int64_t index) const;

  // Renders `spec` at config().size. INVALID_ARGUMENT when a grade, the part
  // or the skin type is out of range; INTERNAL if OpenCV fails.
  absl::StatusOr<SynthSample> Render(const SampleSpec& spec) const;

 private:
  explicit SkinSynthesizer(SynthConfig config) : config_(std::move(config)) {}

  SynthConfig config_;
  // Indices into kSynthParts of config_.parts (all parts when it is empty).
  std::vector<int> part_indices_;
};

}  // namespace skinlens::training
