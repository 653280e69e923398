#include "training/metrics/calibration.h"

#include <cmath>
#include <random>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skinlens::training {
namespace {

using ::testing::DoubleNear;

// Samples whose true grade is drawn from softmax(base / true_t), so that
// the logits `base` are calibrated exactly at temperature true_t.
void MakeSamples(double true_t, int n, std::vector<std::vector<float>>* logits,
                 std::vector<int>* labels) {
  std::mt19937 random(42);
  std::normal_distribution<float> noise(0, 3);
  for (int i = 0; i < n; ++i) {
    std::vector<float> row(5);
    for (float& x : row) x = noise(random);
    const std::vector<float> p = SoftmaxRows({row}, true_t)[0];
    std::discrete_distribution<int> grade(p.begin(), p.end());
    logits->push_back(row);
    labels->push_back(grade(random));
  }
}

TEST(SoftmaxRows, SumsToOneAndSharpensWithLowTemperature) {
  const std::vector<std::vector<float>> logits = {{1, 2, 3}, {1000, 0, -1000}};
  for (double t : {0.5, 1.0, 4.0}) {
    for (const std::vector<float>& p : SoftmaxRows(logits, t)) {
      EXPECT_NEAR(p[0] + p[1] + p[2], 1.0, 1e-6);
    }
  }
  EXPECT_GT(SoftmaxRows(logits, 0.5)[0][2], SoftmaxRows(logits, 4.0)[0][2]);
  EXPECT_NEAR(SoftmaxRows(logits, 1.0)[1][0], 1.0, 1e-6);  // No overflow.
}

TEST(FitTemperature, RecoversTheTemperatureTheLabelsWereDrawnAt) {
  for (double true_t : {0.5, 1.0, 2.5}) {
    std::vector<std::vector<float>> logits;
    std::vector<int> labels;
    MakeSamples(true_t, 20000, &logits, &labels);
    absl::StatusOr<double> t = FitTemperature(logits, labels);
    ASSERT_TRUE(t.ok()) << t.status();
    EXPECT_THAT(*t, DoubleNear(true_t, 0.08 * true_t)) << "drawn at " << true_t;
    // It is the minimum: a little off either way is worse.
    const double at = *NegativeLogLikelihood(logits, labels, *t);
    EXPECT_LT(at, *NegativeLogLikelihood(logits, labels, *t * 1.2));
    EXPECT_LT(at, *NegativeLogLikelihood(logits, labels, *t / 1.2));
  }
}

TEST(FitTemperature, CalibratingLowersTheExpectedCalibrationError) {
  std::vector<std::vector<float>> logits;
  std::vector<int> labels;
  MakeSamples(3.0, 10000, &logits, &labels);  // Logits three times overconfident.
  const double before = *ExpectedCalibrationError(SoftmaxRows(logits, 1.0), labels);
  const double after =
      *ExpectedCalibrationError(SoftmaxRows(logits, *FitTemperature(logits, labels)), labels);
  EXPECT_GT(before, 0.15);
  EXPECT_LT(after, 0.03);
}

TEST(FitTemperature, RefusesBadInput) {
  EXPECT_EQ(FitTemperature({}, {}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FitTemperature({{1, 2}}, {2}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FitTemperature({{1, 2}, {1}}, {0, 0}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FitTemperature({{1, 2}}, {0, 1}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(NegativeLogLikelihood({{1, 2}}, {0}, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ExpectedCalibrationError, KnownValues) {
  // Two samples at confidence 0.9 (one right): |0.5 - 0.9| in one bin holding all.
  EXPECT_NEAR(*ExpectedCalibrationError({{0.9f, 0.1f}, {0.9f, 0.1f}}, {0, 1}), 0.4, 1e-6);
  // Perfect: confidence 1 and always right.
  EXPECT_NEAR(*ExpectedCalibrationError({{1, 0}, {0, 1}}, {0, 1}), 0.0, 1e-9);
  // Two bins: 0.55 right (gap 0.45) and 0.95 wrong (gap 0.95), each half the samples.
  EXPECT_NEAR(*ExpectedCalibrationError({{0.55f, 0.45f}, {0.95f, 0.05f}}, {0, 1}, 10),
              (0.45 + 0.95) / 2, 1e-6);
  EXPECT_EQ(ExpectedCalibrationError({{1, 0}}, {0}, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(AbstainThreshold, AnswersTheRequestedShare) {
  std::vector<std::vector<float>> probs;
  for (int i = 1; i <= 10; ++i) probs.push_back({i / 10.0f, 1 - i / 10.0f});
  // Tops: 0.9, 0.8, 0.7, 0.6, 0.5, 0.6 ... i.e. max(p, 1 - p).
  const double cut = *AbstainThreshold(probs, 0.5);
  int answered = 0;
  for (const auto& p : probs) answered += TopProbability(p) >= cut ? 1 : 0;
  EXPECT_GE(answered, 5);
  EXPECT_LT(answered, 10);
  EXPECT_EQ(*AbstainThreshold(probs, 1.0), 0.0);
  EXPECT_NEAR(*AbstainThreshold(probs, 0.1), 1.0, 1e-6);  // Only the most confident.
  EXPECT_EQ(AbstainThreshold(probs, 0).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(AbstainThreshold({}, 0.9).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace skinlens::training
