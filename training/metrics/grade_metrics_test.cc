#include "training/metrics/grade_metrics.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skinlens::training {
namespace {

constexpr double kTol = 1e-12;

ConfusionMatrix Matrix(const ConfusionMatrix::Counts& counts) {
  absl::StatusOr<ConfusionMatrix> cm = ConfusionMatrix::FromCounts(counts);
  EXPECT_TRUE(cm.ok()) << cm.status();
  return cm.ok() ? *cm : ConfusionMatrix();
}

TEST(PenaltyCredit, FollowsTheSeedTable) {
  EXPECT_DOUBLE_EQ(PenaltyCredit(2, 2), 1.0);
  EXPECT_DOUBLE_EQ(PenaltyCredit(2, 3), 0.5);
  EXPECT_DOUBLE_EQ(PenaltyCredit(3, 2), 0.5);
  EXPECT_DOUBLE_EQ(PenaltyCredit(0, 2), -0.5);
  EXPECT_DOUBLE_EQ(PenaltyCredit(4, 1), -1.0);
  EXPECT_DOUBLE_EQ(PenaltyCredit(0, 4), -1.5);
  EXPECT_DOUBLE_EQ(PenaltyCredit(4, 0), -1.5);
}

TEST(PRecall, IsOneForPerfectPredictions) {
  absl::StatusOr<GradeMetrics> m = ComputeGradeMetrics({0, 1, 2, 3, 4, 4}, {0, 1, 2, 3, 4, 4});
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_DOUBLE_EQ(m->p_recall, 1.0);
  EXPECT_DOUBLE_EQ(m->p_recall_over_all_grades, 1.0);
  EXPECT_DOUBLE_EQ(m->accuracy, 1.0);
  EXPECT_DOUBLE_EQ(m->macro_f1, 1.0);
  EXPECT_DOUBLE_EQ(m->mean_absolute_error, 0.0);
}

// All five grades present (rows = true grade, columns = predicted):
//   true 0: [3 1 0 0 0]  n=4  credit 3*1 + 1*0.5          = 3.5  -> 0.875
//   true 1: [1 2 1 0 0]  n=4  credit 0.5 + 2*1 + 0.5      = 3.0  -> 0.75
//   true 2: [0 0 1 0 1]  n=2  credit 1 + (-0.5)           = 0.5  -> 0.25
//   true 3: [1 0 0 1 0]  n=2  credit (-1.0) + 1           = 0.0  -> 0.0
//   true 4: [0 0 0 2 2]  n=4  credit 2*0.5 + 2*1          = 3.0  -> 0.75
// P-Recall = (0.875 + 0.75 + 0.25 + 0 + 0.75) / 5 = 2.625 / 5 = 0.525 (both variants).
// Accuracy = (3+2+1+1+2) / 16 = 9/16.
// MAE = (1 + 2 + 2*1 + 3 + 2*1) / 16 = 10/16 (row 2: one at distance 2).
// Column sums 5 3 2 3 3. F1 = 2TP / (2TP + FP + FN):
//   g0 6/(6+2+1) = 2/3, g1 4/(4+1+2) = 4/7, g2 2/(2+1+1) = 1/2, g3 2/(2+2+1) = 2/5,
//   g4 4/(4+1+2) = 4/7; macro = (2/3 + 4/7 + 1/2 + 2/5 + 4/7) / 5 = 569/1050.
TEST(GradeMetrics, MatchHandComputedValuesWithAllGradesPresent) {
  const ConfusionMatrix cm = Matrix(
      {{{3, 1, 0, 0, 0}, {1, 2, 1, 0, 0}, {0, 0, 1, 0, 1}, {1, 0, 0, 1, 0}, {0, 0, 0, 2, 2}}});
  absl::StatusOr<GradeMetrics> m = ComputeGradeMetrics(cm);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->labelled, 16);
  EXPECT_EQ(m->present_grades, 5);
  EXPECT_NEAR(*m->grade_p_recall[0], 0.875, kTol);
  EXPECT_NEAR(*m->grade_p_recall[1], 0.75, kTol);
  EXPECT_NEAR(*m->grade_p_recall[2], 0.25, kTol);
  EXPECT_NEAR(*m->grade_p_recall[3], 0.0, kTol);
  EXPECT_NEAR(*m->grade_p_recall[4], 0.75, kTol);
  EXPECT_NEAR(m->p_recall, 0.525, kTol);
  EXPECT_NEAR(m->p_recall_over_all_grades, 0.525, kTol);
  EXPECT_NEAR(m->accuracy, 9.0 / 16, kTol);
  EXPECT_NEAR(m->mean_absolute_error, 10.0 / 16, kTol);
  EXPECT_NEAR(*m->grade_f1[0], 2.0 / 3, kTol);
  EXPECT_NEAR(*m->grade_f1[1], 4.0 / 7, kTol);
  EXPECT_NEAR(*m->grade_f1[2], 0.5, kTol);
  EXPECT_NEAR(*m->grade_f1[3], 0.4, kTol);
  EXPECT_NEAR(*m->grade_f1[4], 4.0 / 7, kTol);
  EXPECT_NEAR(m->macro_f1, 569.0 / 1050, kTol);
  // The single-metric functions agree with the bundle.
  EXPECT_NEAR(*PRecall(cm), 0.525, kTol);
  EXPECT_NEAR(*Accuracy(cm), 9.0 / 16, kTol);
  EXPECT_NEAR(*MacroF1(cm), 569.0 / 1050, kTol);
  EXPECT_NEAR(*MeanAbsoluteError(cm), 10.0 / 16, kTol);
}

// Far-off predictions; grades 1 and 3 absent:
//   true 0: [0 0 1 1 2]  n=4  credit -0.5 - 1.0 + 2*(-1.5) = -4.5 -> -1.125
//   true 2: [1 0 0 0 1]  n=2  credit -0.5 - 0.5            = -1.0 -> -0.5
//   true 4: [2 0 0 0 0]  n=2  credit 2*(-1.5)              = -3.0 -> -1.5
// P-Recall = (-1.125 - 0.5 - 1.5) / 3 = -3.125 / 3; the all-five variant -3.125 / 5 = -0.625.
// MAE = (2 + 3 + 2*4 + 2 + 2 + 2*4) / 8 = 25/8. Nothing right: accuracy 0 and every F1 0.
TEST(PRecall, NegativeWhenPredictionsAreFarOff) {
  const ConfusionMatrix cm = Matrix(
      {{{0, 0, 1, 1, 2}, {0, 0, 0, 0, 0}, {1, 0, 0, 0, 1}, {0, 0, 0, 0, 0}, {2, 0, 0, 0, 0}}});
  absl::StatusOr<GradeMetrics> m = ComputeGradeMetrics(cm);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->present_grades, 3);
  EXPECT_NEAR(*m->grade_p_recall[0], -1.125, kTol);
  EXPECT_FALSE(m->grade_p_recall[1].has_value());
  EXPECT_NEAR(*m->grade_p_recall[2], -0.5, kTol);
  EXPECT_FALSE(m->grade_p_recall[3].has_value());
  EXPECT_NEAR(*m->grade_p_recall[4], -1.5, kTol);
  EXPECT_NEAR(m->p_recall, -3.125 / 3, kTol);
  EXPECT_LT(m->p_recall, 0.0);
  EXPECT_NEAR(m->p_recall_over_all_grades, -0.625, kTol);
  EXPECT_DOUBLE_EQ(m->accuracy, 0.0);
  EXPECT_DOUBLE_EQ(m->macro_f1, 0.0);
  EXPECT_NEAR(m->mean_absolute_error, 25.0 / 8, kTol);
}

// Grade 4 absent from the set but predicted once:
//   true 0: [2 0 0 0 0]  -> 1.0
//   true 1: [0 1 1 0 0]  -> (1 + 0.5) / 2 = 0.75
//   true 2: [0 1 1 0 0]  -> (0.5 + 1) / 2 = 0.75
//   true 3: [0 0 0 1 1]  -> (1 + 0.5) / 2 = 0.75
// P-Recall = 3.25 / 4 = 0.8125 over the four present grades; the seed's code divided by five:
// 3.25 / 5 = 0.65. Column sums 2 2 2 1 1; F1: g0 1, g1 2/(2+1+1) = 1/2, g2 1/2,
// g3 2/(2+0+1) = 2/3, g4 not averaged; macro = (1 + 1/2 + 1/2 + 2/3) / 4 = 2/3.
TEST(PRecall, AveragesOnlyGradesPresentWhileAllGradesVariantCountsAbsentAsZero) {
  const ConfusionMatrix cm = Matrix(
      {{{2, 0, 0, 0, 0}, {0, 1, 1, 0, 0}, {0, 1, 1, 0, 0}, {0, 0, 0, 1, 1}, {0, 0, 0, 0, 0}}});
  EXPECT_NEAR(*PRecall(cm), 0.8125, kTol);
  EXPECT_NEAR(PRecallOverAllGrades(cm), 0.65, kTol);
  EXPECT_FALSE(GradePRecall(cm, 4).has_value());
  EXPECT_FALSE(GradeF1(cm, 4).has_value());
  EXPECT_NEAR(*GradeF1(cm, 3), 2.0 / 3, kTol);
  EXPECT_NEAR(*MacroF1(cm), 2.0 / 3, kTol);
}

// true {0,0,1,1} predicted {1,1,1,1}: grade 0 is never predicted, so F1(0) = 0;
// F1(1) = 2*2 / (2*2 + 2 + 0) = 2/3; macro = 1/3.
TEST(MacroF1, PresentGradeNeverPredictedScoresZero) {
  absl::StatusOr<ConfusionMatrix> cm = ConfusionMatrix::FromPairs({0, 0, 1, 1}, {1, 1, 1, 1});
  ASSERT_TRUE(cm.ok());
  EXPECT_DOUBLE_EQ(*GradeF1(*cm, 0), 0.0);
  EXPECT_NEAR(*GradeF1(*cm, 1), 2.0 / 3, kTol);
  EXPECT_NEAR(*MacroF1(*cm), 1.0 / 3, kTol);
}

// The unlabelled pairs (-1, -2) must not count: what is left is
// true {1, 3} predicted {2, 3}: P-Recall (0.5 + 1) / 2 = 0.75, MAE 1/2, accuracy 1/2.
TEST(GradeMetrics, ExcludeUnlabelledSamples) {
  absl::StatusOr<GradeMetrics> m = ComputeGradeMetrics({-1, 1, -2, 3, -1}, {4, 2, 0, 3, 0});
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->labelled, 2);
  EXPECT_NEAR(m->p_recall, 0.75, kTol);
  EXPECT_NEAR(m->accuracy, 0.5, kTol);
  EXPECT_NEAR(m->mean_absolute_error, 0.5, kTol);
}

TEST(GradeMetrics, FailWhenNothingIsLabelled) {
  EXPECT_EQ(ComputeGradeMetrics({-1, -2}, {0, 1}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  const ConfusionMatrix empty;
  EXPECT_EQ(PRecall(empty).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Accuracy(empty).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(MacroF1(empty).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(MeanAbsoluteError(empty).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_DOUBLE_EQ(PRecallOverAllGrades(empty), 0.0);
}

TEST(GradeMetrics, RejectInvalidPairs) {
  EXPECT_EQ(ComputeGradeMetrics({0, 1}, {0, 9}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ComputeGradeMetrics({0, 1}, {0}).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace skinlens::training
