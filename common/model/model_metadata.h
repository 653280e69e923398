// The metadata of a SkinLens model bundle (metadata.json; docs/MODEL_BUNDLE.md): what network
// the weights belong to, how its input is prepared, what its outputs mean, what it was
// trained on and how well it did.
//
// Services read it to prepare crops (input size, normalisation), to name the grades they
// return, and to refuse a bundle that does not fit. model_bundle.h writes and reads it.
//
//   ModelMetadata metadata = DefaultMetadata(SkinNetConfig{});
//   metadata.model_version = "skin-b0-2024.06";
//   std::string json = MetadataToJson(metadata);
//   absl::StatusOr<ModelMetadata> parsed = MetadataFromJson(json, "metadata.json");
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/model/skin_net.h"

namespace skinlens::model {

// The bundle format this code writes, and the newest it reads.
inline constexpr int kBundleFormatVersion = 1;
// The "format" field of metadata.json, telling a bundle from any other JSON file.
inline constexpr char kBundleFormatName[] = "skinlens.model_bundle";
inline constexpr char kMetadataFileName[] = "metadata.json";
inline constexpr char kWeightsFileName[] = "weights.pt";

// The five skin attributes in SkinLens' order (the order of the logits' attribute axis).
std::vector<std::string> DefaultAttributeNames();
// Grades "0" .. "num_grades - 1".
std::vector<std::string> DefaultGradeNames(int num_grades);

// How tensors are stored in the weights file. Loaded networks always compute in float32.
enum class WeightsDtype { kFloat32, kFloat16 };
// "float32" or "float16".
absl::string_view WeightsDtypeName(WeightsDtype dtype);

// How a crop becomes the network's input: resized to height x width, RGB, scaled to [0, 1],
// then (x - mean[c]) / std[c] per channel. Defaults: 224 x 224 with ImageNet statistics.
struct InputSpec {
  int height = 224;
  int width = 224;
  std::array<double, 3> mean = {0.485, 0.456, 0.406};
  std::array<double, 3> std = {0.229, 0.224, 0.225};
};

// Metrics of one attribute on the validation set (training/metrics computes them).
struct ValidationMetrics {
  double p_recall = 0.0;  // Penalty Recall, in [-1.5, 1]
  double accuracy = 0.0;  // in [0, 1]
  double macro_f1 = 0.0;  // in [0, 1]
  double mae = 0.0;       // mean absolute grade error, >= 0
  int64_t num_samples = 0;
};

// What the network was trained on, for the model card.
struct TrainingDataInfo {
  std::string description;  // free text: source, regions, label policy, synthetic or real
  int64_t num_train_images = 0;
  int64_t num_validation_images = 0;
  // Trained on synthetic images only (the shipped demo model): its grades mean nothing for real
  // faces, and services report it as ModelInfo.demo_model so that user interfaces say so.
  bool synthetic_only = false;
};

// One attribute's calibration: the temperature its logits are divided by
// before the softmax, and the calibrated top probability below which the
// attribute is not answered ("cannot estimate from this photo").
struct AttributeCalibration {
  double temperature = 1.0;        // > 0; 1 leaves the softmax as it is
  double abstain_threshold = 0.0;  // in [0, 1]; 0 answers everything
};

// How the bundle's probabilities were calibrated (optional: a bundle without it, or a
// TorchScript import, gets temperature 1 and never abstains).
struct CalibrationInfo {
  // By attribute name; attributes not listed are uncalibrated.
  std::map<std::string, AttributeCalibration> attributes;
  // What it was fitted on, for the model card ("validation split, 601 images").
  std::string fitted_on;
  // The share of validation samples the thresholds answer (e.g. 0.9).
  double target_coverage = 1.0;
};

// How much one attribute's photo-level expected score moves between repeat
// scans of the same face (skinlens-retest).
struct AttributeRetestNoise {
  double expected_score_sd = 0.0;  // >= 0, on the 0..4 scale
  double grade_flip_rate = 0.0;    // in [0, 1]
};

// The bundle's test-retest figures (optional), from which trends draw noise bands.
struct RetestNoiseInfo {
  std::map<std::string, AttributeRetestNoise> attributes;  // by attribute name
  std::string source;  // tool, date and data, for the model card
};

// The weights file as SaveBundle wrote it; checked by LoadBundle.
struct WeightsInfo {
  std::string file = kWeightsFileName;  // a plain file name inside the bundle folder
  WeightsDtype dtype = WeightsDtype::kFloat32;
  std::string sha256;  // lower-case hex digest of the file
  int64_t size_bytes = 0;
};

// Everything in metadata.json. See docs/MODEL_BUNDLE.md for each field.
struct ModelMetadata {
  int format_version = kBundleFormatVersion;
  std::string model_version;  // e.g. "skin-b0-2024.06.1"; names the model in responses
  std::string created_time;   // RFC 3339, UTC; SaveBundle fills it in when empty
  SkinNetConfig architecture;
  InputSpec input;
  std::vector<std::string> attribute_names;  // one per logits row, num_attributes of them
  std::vector<std::string> grade_names;      // one per logits column, num_grades of them
  std::string target_layer = kTargetLayerName;
  TrainingDataInfo training_data;
  // By attribute name; attributes not evaluated are absent.
  std::map<std::string, ValidationMetrics> validation_metrics;
  CalibrationInfo calibration;   // "calibration" in metadata.json; absent = uncalibrated
  RetestNoiseInfo retest_noise;  // "retest_noise" in metadata.json; absent = not measured
  WeightsInfo weights;           // SaveBundle fills it in
};

// The calibration of `attribute`: its entry in metadata.calibration, else
// temperature 1 and threshold 0.
AttributeCalibration CalibrationFor(const ModelMetadata& metadata, absl::string_view attribute);

// Metadata for `architecture` with the default attribute names (for 5 attributes; "attribute0"
// .. otherwise), grade names, input size (the variant's resolution) and normalisation.
ModelMetadata DefaultMetadata(const SkinNetConfig& architecture);

// OK when `metadata` is complete and consistent (names match the architecture, metrics in
// range, ...); otherwise INVALID_ARGUMENT naming the field. The weights digest and size are
// not checked here (SaveBundle fills them in).
absl::Status ValidateMetadata(const ModelMetadata& metadata);

// metadata.json's text (2-space indented JSON). Precondition: none; any metadata serialises.
std::string MetadataToJson(const ModelMetadata& metadata);

// Parses and validates metadata.json. `source` names the file in messages. Errors: DATA_LOSS
// when the text is not JSON; INVALID_ARGUMENT when a field is missing, of the wrong type or
// out of range, or the format version is newer than kBundleFormatVersion.
absl::StatusOr<ModelMetadata> MetadataFromJson(absl::string_view json, absl::string_view source);

}  // namespace skinlens::model
