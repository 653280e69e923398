// What an evaluation says beyond the grade metrics: how well the
// probabilities are calibrated (expected calibration error before and after
// the bundle's temperatures), how much the abstain rule answers and how well
// on what it answers, and P-Recall per Fitzpatrick skin type. Also fits the
// calibration the trainer stores in a bundle.
//
//   SKINLENS_ASSIGN_OR_RETURN(Evaluation e, EvaluateModel(logits, images, samples, 64));
//   SKINLENS_ASSIGN_OR_RETURN(AttributeCalibrations fitted, FitCalibration(e, samples, 0.9));
//   SKINLENS_ASSIGN_OR_RETURN(CalibrationReport report, ReportCalibration(e, samples, fitted));
//   nlohmann::json json = EvaluationReportJson(e, samples, fitted);  // skinlens-eval --json
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/model/model_metadata.h"
#include "nlohmann/json.hpp"
#include "training/cli/evaluation.h"
#include "training/data/dataset.h"
#include "training/metrics/grade_metrics.h"

namespace skinlens::training {

// One calibration per attribute, in kAllAttributes order.
using AttributeCalibrations = std::array<model::AttributeCalibration, kNumAttributes>;

// The calibrations of a bundle's metadata, by attribute name (temperature 1
// and no abstaining for attributes it does not calibrate).
AttributeCalibrations CalibrationsOf(const model::ModelMetadata& metadata);

// Per attribute: the temperature that minimises the negative log-likelihood
// of the labelled samples, and the abstain threshold that answers `coverage`
// of them at that temperature. Attributes without labels keep temperature 1
// and threshold 0. INVALID_ARGUMENT when the evaluation has no logits (a
// scored CSV) or coverage is outside (0, 1].
absl::StatusOr<AttributeCalibrations> FitCalibration(const Evaluation& evaluation,
                                                     absl::Span<const Sample> samples,
                                                     double coverage);

// The calibration and abstention figures of one attribute.
struct AttributeCalibrationReport {
  double temperature = 1.0;
  double ece_before = 0.0;  // at temperature 1 (15 equal-width bins of the top probability)
  double ece_after = 0.0;   // at `temperature`
  double abstain_threshold = 0.0;
  double coverage = 1.0;  // share of the labelled samples answered
  // Grade metrics on the answered samples; nullopt when none was answered.
  std::optional<GradeMetrics> answered;
};

struct CalibrationReport {
  std::array<std::optional<AttributeCalibrationReport>, kNumAttributes> attributes;
};

// The figures of `calibrations` on the evaluated samples. INVALID_ARGUMENT
// when the evaluation has no logits.
absl::StatusOr<CalibrationReport> ReportCalibration(const Evaluation& evaluation,
                                                    absl::Span<const Sample> samples,
                                                    const AttributeCalibrations& calibrations);

// Grade metrics per Fitzpatrick type (1..6, the samples' `fitzpatrick`) and
// attribute; types without labelled samples are absent, samples of unknown
// type (0) are left out.
std::map<int, std::array<std::optional<GradeMetrics>, kNumAttributes>> MetricsByFitzpatrick(
    const Evaluation& evaluation, absl::Span<const Sample> samples);

// EvaluationToJson() plus, per attribute, "temperature", "ece_before",
// "ece_after", "abstain_threshold", "coverage" and "answered" {"p_recall",
// "accuracy", "labelled"}, and "by_fitzpatrick": {"1": {"num_samples": n,
// "attributes": {"oil": {"p_recall": .., "labelled": ..}}}, ...}. Without
// logits (a scored CSV) it is EvaluationToJson().
nlohmann::json EvaluationReportJson(const Evaluation& evaluation, absl::Span<const Sample> samples,
                                    const AttributeCalibrations& calibrations);

// The two tables for people: calibration and coverage per attribute, and
// P-Recall per Fitzpatrick type. Empty without logits.
std::string CalibrationAndFairnessTables(const Evaluation& evaluation,
                                         absl::Span<const Sample> samples,
                                         const AttributeCalibrations& calibrations);

}  // namespace skinlens::training
