// Does the visual evidence point at the right skin? Scores Grad-CAM heatmaps
// against the synthetic generator's ground-truth masks (where each attribute
// was drawn): the pointing game (is the heatmap's peak inside the mask?) and
// the share of the heatmap's mass inside the mask, per attribute, next to
// the mask's share of the image (what a heatmap spread evenly would score).
//
//   SKINLENS_ASSIGN_OR_RETURN(HeatmapCheck check, CheckHeatmaps(*model, samples, {}));
//   std::cout << HeatmapCheckTable(check);
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/model/grading_model.h"
#include "nlohmann/json.hpp"
#include "training/data/dataset.h"

namespace skinlens::training {

struct HeatmapCheckOptions {
  int batch_size = 16;
  // Explain the predicted grade's logit, the true grade's logit, or the expected grade
  // (model::kExpectedGrade: what the explain service shows since bundles record it).
  bool explain_true_grade = false;
  bool explain_expected_grade = true;
  // >= 0: sharpen Grad-CAM with LayerCAM at the output of plain CNN layer `plain.<k>`
  // (model::RefinedGradCam); the model must be a native plain CNN bundle. -1: Grad-CAM alone.
  int refine_layer = -1;
};

struct AttributeHeatmapScore {
  int64_t evaluated = 0;         // images whose mask for the attribute is not empty
  int64_t peak_inside = 0;       // pointing-game hits
  double mass_inside_sum = 0.0;  // sum over images of (heatmap mass in mask / total mass)
  double mask_area_sum = 0.0;    // sum over images of (mask area / image area): the chance level
  int64_t empty_heatmaps = 0;    // no positive evidence at all (counted as misses)

  double pointing_game() const { return evaluated ? double(peak_inside) / evaluated : 0.0; }
  double mass_inside() const { return evaluated ? mass_inside_sum / evaluated : 0.0; }
  double mask_area() const { return evaluated ? mask_area_sum / evaluated : 0.0; }
};

struct HeatmapCheck {
  std::array<AttributeHeatmapScore, kNumAttributes> attributes;
  int64_t images = 0;
};

// The mask files of a synthetic sample, read from its label file's "masks"
// object (paths relative to the label file). NOT_FOUND when the label file
// names none (not a skinlens-synth dataset, or written without masks).
absl::StatusOr<std::array<std::string, kNumAttributes>> MaskPaths(const Sample& sample);

// Runs the model over the samples (resized to its input), computes Grad-CAM
// for every attribute from the head, upsamples it to the input size and
// scores it against the mask (resized the same way). `on_progress(done)` as
// images complete.
absl::StatusOr<HeatmapCheck> CheckHeatmaps(
    const model::GradingModel& model, absl::Span<const Sample> samples,
    const HeatmapCheckOptions& options, const std::function<void(int64_t)>& on_progress = nullptr);

std::string HeatmapCheckTable(const HeatmapCheck& check);
nlohmann::json HeatmapCheckToJson(const HeatmapCheck& check);

}  // namespace skinlens::training
