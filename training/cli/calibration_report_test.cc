#include "training/cli/calibration_report.h"

#include <torch/torch.h>

#include <random>

#include "gtest/gtest.h"

namespace skinlens::training {
namespace {

// An evaluation of `n` samples through EvaluateModel whose "model" returns
// `scale` times a fixed random logit table, while each sample's true grade
// (the same for every attribute) is drawn from softmax(table): the model is
// `scale` times overconfident. Sample i has Fitzpatrick type 1 + i % 6.
struct Fixture {
  std::vector<Sample> samples;
  Evaluation evaluation;
};

Fixture Overconfident(int n, float scale) {
  std::mt19937 random(3);
  std::normal_distribution<float> noise(0, 1.5f);
  torch::Tensor table = torch::zeros({n, kNumAttributes, 5});
  Fixture f;
  f.samples.resize(n);
  for (int i = 0; i < n; ++i) {
    std::vector<float> row(5);
    for (float& x : row) x = noise(random);
    std::vector<double> p(5);
    double sum = 0;
    for (int k = 0; k < 5; ++k) sum += (p[k] = std::exp(row[k]));
    for (double& x : p) x /= sum;
    std::discrete_distribution<int> grade(p.begin(), p.end());
    const int g = grade(random);
    for (int a = 0; a < kNumAttributes; ++a) {
      f.samples[i].grades[a] = g;
      for (int k = 0; k < 5; ++k) table[i][a][k] = row[k] * scale;
    }
    f.samples[i].fitzpatrick = 1 + i % 6;
  }
  torch::Tensor images = torch::zeros({n, 3, 1, 1});
  for (int i = 0; i < n; ++i) images[i][0][0][0] = i;
  auto logits = [&](const torch::Tensor& x) -> absl::StatusOr<torch::Tensor> {
    return table.index_select(0, x.select(1, 0).select(1, 0).select(1, 0).to(torch::kInt64));
  };
  f.evaluation = *EvaluateModel(logits, images, f.samples, 64);
  return f;
}

TEST(FitCalibration, UndoesOverconfidenceAndLowersTheCalibrationError) {
  const Fixture f = Overconfident(3000, 3.0f);
  absl::StatusOr<AttributeCalibrations> fitted = FitCalibration(f.evaluation, f.samples, 0.9);
  ASSERT_TRUE(fitted.ok()) << fitted.status();
  for (const model::AttributeCalibration& c : *fitted) {
    EXPECT_NEAR(c.temperature, 3.0, 0.35);
    EXPECT_GT(c.abstain_threshold, 0.0);
  }
  absl::StatusOr<CalibrationReport> report = ReportCalibration(f.evaluation, f.samples, *fitted);
  ASSERT_TRUE(report.ok()) << report.status();
  const auto& oil = report->attributes[AttributeIndex(Attribute::kOil)];
  ASSERT_TRUE(oil.has_value());
  EXPECT_GT(oil->ece_before, 0.1);
  EXPECT_LT(oil->ece_after, 0.05);
  EXPECT_NEAR(oil->coverage, 0.9, 0.01);
  // Leaving out the least confident tenth answers better than answering all.
  ASSERT_TRUE(oil->answered.has_value());
  EXPECT_GT(oil->answered->accuracy,
            f.evaluation.metrics[AttributeIndex(Attribute::kOil)]->accuracy);
}

TEST(ReportCalibration, WithoutCalibrationBeforeEqualsAfterAndAllIsAnswered) {
  const Fixture f = Overconfident(300, 1.0f);
  absl::StatusOr<CalibrationReport> report = ReportCalibration(f.evaluation, f.samples, {});
  ASSERT_TRUE(report.ok()) << report.status();
  const auto& r = *report->attributes[0];
  EXPECT_EQ(r.temperature, 1.0);
  EXPECT_DOUBLE_EQ(r.ece_before, r.ece_after);
  EXPECT_EQ(r.coverage, 1.0);
}

TEST(FitCalibration, NeedsLogits) {
  Evaluation csv;  // As ScorePredictionsCsv returns it: metrics, no logits.
  std::vector<Sample> samples(2);
  EXPECT_EQ(FitCalibration(csv, samples, 0.9).status().code(), absl::StatusCode::kInvalidArgument);
  const Fixture f = Overconfident(50, 1.0f);
  EXPECT_EQ(FitCalibration(f.evaluation, f.samples, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(MetricsByFitzpatrick, ScoresEachSkinTypeOnItsOwn) {
  Fixture f = Overconfident(120, 1.0f);
  // Type 2 always right, type 5 always two grades off; type 0 (unknown) left out.
  for (size_t i = 0; i < f.samples.size(); ++i) {
    for (int a = 0; a < kNumAttributes; ++a) {
      if (f.samples[i].fitzpatrick == 2) f.evaluation.predictions[i][a] = f.samples[i].grades[a];
      if (f.samples[i].fitzpatrick == 5) {
        f.evaluation.predictions[i][a] =
            f.samples[i].grades[a] >= 2 ? f.samples[i].grades[a] - 2 : f.samples[i].grades[a] + 2;
      }
    }
  }
  f.samples[0].fitzpatrick = 0;
  const auto groups = MetricsByFitzpatrick(f.evaluation, f.samples);
  ASSERT_EQ(groups.size(), 6u);
  EXPECT_DOUBLE_EQ(groups.at(2)[0]->p_recall, 1.0);
  EXPECT_DOUBLE_EQ(groups.at(5)[0]->p_recall, -0.5);
  EXPECT_EQ(groups.at(1)[0]->labelled, 19);  // 20 of type 1, one made unknown.
}

TEST(EvaluationReportJson, AddsCalibrationCoverageAndSkinTypes) {
  const Fixture f = Overconfident(600, 2.0f);
  const AttributeCalibrations fitted = *FitCalibration(f.evaluation, f.samples, 0.9);
  const nlohmann::json j = EvaluationReportJson(f.evaluation, f.samples, fitted);
  const nlohmann::json& oil = j["attributes"]["oil"];
  EXPECT_GT(oil["ece_before"].get<double>(), oil["ece_after"].get<double>());
  EXPECT_NEAR(oil["coverage"].get<double>(), 0.9, 0.02);
  EXPECT_TRUE(oil["answered"].contains("p_recall"));
  EXPECT_EQ(j["by_fitzpatrick"]["3"]["num_samples"].get<int>(), 100);
  EXPECT_TRUE(j["by_fitzpatrick"]["3"]["attributes"]["wrinkle"].contains("p_recall"));
  const std::string tables = CalibrationAndFairnessTables(f.evaluation, f.samples, fitted);
  EXPECT_NE(tables.find("ECE before"), std::string::npos);
  EXPECT_NE(tables.find("P-Recall by Fitzpatrick type"), std::string::npos);
}

}  // namespace
}  // namespace skinlens::training
