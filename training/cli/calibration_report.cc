#include "training/cli/calibration_report.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "training/metrics/calibration.h"

namespace skinlens::training {
namespace {

// The labelled samples of one attribute: their logits and true grades.
struct LabelledRows {
  std::vector<std::vector<float>> logits;
  std::vector<int> labels;
};

LabelledRows RowsOf(const Evaluation& evaluation, absl::Span<const Sample> samples, int a) {
  LabelledRows rows;
  for (size_t i = 0; i < samples.size() && i < evaluation.logits.size(); ++i) {
    if (samples[i].grades[a] < 0) continue;
    rows.logits.push_back(evaluation.logits[i][a]);
    rows.labels.push_back(samples[i].grades[a]);
  }
  return rows;
}

absl::Status NeedLogits(const Evaluation& evaluation, absl::Span<const Sample> samples) {
  if (evaluation.logits.empty() || evaluation.logits.size() != samples.size()) {
    return absl::InvalidArgumentError(
        "calibration needs the model's logits for every sample (not a scored predictions CSV)");
  }
  return absl::OkStatus();
}

int Argmax(const std::vector<float>& p) {
  return static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin());
}

}  // namespace

AttributeCalibrations CalibrationsOf(const model::ModelMetadata& metadata) {
  AttributeCalibrations out;
  for (Attribute a : kAllAttributes) {
    out[AttributeIndex(a)] = model::CalibrationFor(metadata, AttributeName(a));
  }
  return out;
}

absl::StatusOr<AttributeCalibrations> FitCalibration(const Evaluation& evaluation,
                                                     absl::Span<const Sample> samples,
                                                     double coverage) {
  if (absl::Status s = NeedLogits(evaluation, samples); !s.ok()) return s;
  if (!(coverage > 0 && coverage <= 1)) {
    return absl::InvalidArgumentError("coverage must be in (0, 1]");
  }
  AttributeCalibrations out;
  for (int a = 0; a < kNumAttributes; ++a) {
    const LabelledRows rows = RowsOf(evaluation, samples, a);
    if (rows.labels.empty()) continue;
    absl::StatusOr<double> t = FitTemperature(rows.logits, rows.labels);
    if (!t.ok()) return t.status();
    absl::StatusOr<double> cut = AbstainThreshold(SoftmaxRows(rows.logits, *t), coverage);
    if (!cut.ok()) return cut.status();
    out[a] = {*t, *cut};
  }
  return out;
}

absl::StatusOr<CalibrationReport> ReportCalibration(const Evaluation& evaluation,
                                                    absl::Span<const Sample> samples,
                                                    const AttributeCalibrations& calibrations) {
  if (absl::Status s = NeedLogits(evaluation, samples); !s.ok()) return s;
  CalibrationReport report;
  for (int a = 0; a < kNumAttributes; ++a) {
    const LabelledRows rows = RowsOf(evaluation, samples, a);
    if (rows.labels.empty()) continue;
    AttributeCalibrationReport r;
    r.temperature = calibrations[a].temperature;
    r.abstain_threshold = calibrations[a].abstain_threshold;
    absl::StatusOr<double> before =
        ExpectedCalibrationError(SoftmaxRows(rows.logits, 1.0), rows.labels);
    if (!before.ok()) return before.status();
    const std::vector<std::vector<float>> calibrated = SoftmaxRows(rows.logits, r.temperature);
    absl::StatusOr<double> after = ExpectedCalibrationError(calibrated, rows.labels);
    if (!after.ok()) return after.status();
    r.ece_before = *before;
    r.ece_after = *after;
    std::vector<int> truth, predicted;
    for (size_t i = 0; i < calibrated.size(); ++i) {
      if (TopProbability(calibrated[i]) < r.abstain_threshold) continue;
      truth.push_back(rows.labels[i]);
      predicted.push_back(Argmax(calibrated[i]));
    }
    r.coverage = static_cast<double>(truth.size()) / static_cast<double>(rows.labels.size());
    if (!truth.empty()) {
      absl::StatusOr<GradeMetrics> m = ComputeGradeMetrics(truth, predicted);
      if (!m.ok()) return m.status();
      r.answered = *std::move(m);
    }
    report.attributes[a] = std::move(r);
  }
  return report;
}

std::map<int, std::array<std::optional<GradeMetrics>, kNumAttributes>> MetricsByFitzpatrick(
    const Evaluation& evaluation, absl::Span<const Sample> samples) {
  std::map<int, std::array<std::optional<GradeMetrics>, kNumAttributes>> out;
  for (int type = 1; type <= 6; ++type) {
    for (int a = 0; a < kNumAttributes; ++a) {
      std::vector<int> truth, predicted;
      for (size_t i = 0; i < samples.size() && i < evaluation.predictions.size(); ++i) {
        if (samples[i].fitzpatrick != type || samples[i].grades[a] < 0) continue;
        truth.push_back(samples[i].grades[a]);
        predicted.push_back(evaluation.predictions[i][a]);
      }
      if (truth.empty()) continue;
      absl::StatusOr<GradeMetrics> m = ComputeGradeMetrics(truth, predicted);
      if (m.ok()) out[type][a] = *std::move(m);
    }
  }
  return out;
}

nlohmann::json EvaluationReportJson(const Evaluation& evaluation, absl::Span<const Sample> samples,
                                    const AttributeCalibrations& calibrations) {
  nlohmann::json json = EvaluationToJson(evaluation);
  absl::StatusOr<CalibrationReport> report = ReportCalibration(evaluation, samples, calibrations);
  if (!report.ok()) return json;
  for (Attribute attribute : kAllAttributes) {
    const auto& r = report->attributes[AttributeIndex(attribute)];
    const std::string name(AttributeName(attribute));
    if (!r.has_value() || !json["attributes"].contains(name)) continue;
    nlohmann::json& entry = json["attributes"][name];
    entry["temperature"] = r->temperature;
    entry["ece_before"] = r->ece_before;
    entry["ece_after"] = r->ece_after;
    entry["abstain_threshold"] = r->abstain_threshold;
    entry["coverage"] = r->coverage;
    entry["answered"] = r->answered.has_value()
                            ? nlohmann::json{{"p_recall", r->answered->p_recall},
                                             {"accuracy", r->answered->accuracy},
                                             {"labelled", r->answered->labelled}}
                            : nlohmann::json(nullptr);
  }
  nlohmann::json groups = nlohmann::json::object();
  for (const auto& [type, metrics] : MetricsByFitzpatrick(evaluation, samples)) {
    int64_t count = 0;
    for (const Sample& s : samples) count += s.fitzpatrick == type ? 1 : 0;
    nlohmann::json attributes = nlohmann::json::object();
    for (Attribute attribute : kAllAttributes) {
      const auto& m = metrics[AttributeIndex(attribute)];
      if (!m.has_value()) continue;
      attributes[std::string(AttributeName(attribute))] = {
          {"p_recall", m->p_recall}, {"accuracy", m->accuracy}, {"labelled", m->labelled}};
    }
    groups[absl::StrCat(type)] = {{"num_samples", count}, {"attributes", attributes}};
  }
  json["by_fitzpatrick"] = std::move(groups);
  return json;
}

std::string CalibrationAndFairnessTables(const Evaluation& evaluation,
                                         absl::Span<const Sample> samples,
                                         const AttributeCalibrations& calibrations) {
  absl::StatusOr<CalibrationReport> report = ReportCalibration(evaluation, samples, calibrations);
  if (!report.ok()) return "";
  std::string out =
      absl::StrFormat("\n%-13s %11s %10s %9s %10s %9s %15s\n", "attribute", "temperature",
                      "ECE before", "ECE after", "threshold", "coverage", "P-Recall answered");
  for (Attribute a : kAllAttributes) {
    const auto& r = report->attributes[AttributeIndex(a)];
    if (!r.has_value()) continue;
    absl::StrAppendFormat(&out, "%-13s %11.3f %10.4f %9.4f %10.3f %9.3f %15s\n", AttributeName(a),
                          r->temperature, r->ece_before, r->ece_after, r->abstain_threshold,
                          r->coverage,
                          r->answered.has_value() ? absl::StrFormat("%.4f", r->answered->p_recall)
                                                  : std::string("-"));
  }
  const auto groups = MetricsByFitzpatrick(evaluation, samples);
  if (groups.empty()) return out;
  absl::StrAppendFormat(&out, "\nP-Recall by Fitzpatrick type\n%-6s", "type");
  for (Attribute a : kAllAttributes) absl::StrAppendFormat(&out, " %13s", AttributeName(a));
  out += "\n";
  for (const auto& [type, metrics] : groups) {
    absl::StrAppendFormat(&out, "%-6d", type);
    for (Attribute a : kAllAttributes) {
      const auto& m = metrics[AttributeIndex(a)];
      absl::StrAppend(&out, m.has_value()
                                ? absl::StrFormat(" %8.4f (%3d)", m->p_recall, m->labelled)
                                : absl::StrFormat(" %13s", "-"));
    }
    out += "\n";
  }
  return out;
}

}  // namespace skinlens::training
