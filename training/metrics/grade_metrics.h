// Metrics of ordinal skin grades for one attribute: the seed's Penalty Recall
// (P-Recall), accuracy, macro F1 and mean absolute error, all computed from a
// ConfusionMatrix (rows = true grade).
//
// P-Recall (../../../shared/seed/SUMMARY.md, "Metric"): a sample of true grade
// i predicted as j earns the credit w(|i - j|) with w(0) = 1, w(1) = 0.5 and
// w(d >= 2) = -0.5 * (d - 1). The P-Recall of grade i is the mean credit of the
// samples whose true grade is i; the reported P-Recall is the mean of that over
// the grades PRESENT in the evaluation set. It lies in [-1.5, 1] and can be
// negative. PRecallOverAllGrades() is the seed's original code, which divided
// by all five grades (an absent grade counted as 0); it is kept only to compare
// with the seed's published numbers.
//
//   SKINLENS_ASSIGN_OR_RETURN(GradeMetrics m, ComputeGradeMetrics(true_grades, predicted));
//   LOG(INFO) << "P-Recall " << m.p_recall << " accuracy " << m.accuracy;
//
// Every function is pure and thread-safe. Each returns FAILED_PRECONDITION
// when the matrix holds no labelled sample (the metric is undefined), except
// PRecallOverAllGrades(), which is 0 then, as in the seed's code.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "training/metrics/confusion_matrix.h"

namespace skinlens::training {

// The P-Recall credit of predicting `predicted_grade` for a sample of
// `true_grade`: 1, 0.5, -0.5, -1.0, -1.5 for a distance of 0, 1, 2, 3, 4.
// Grades may be any integers (only their distance matters).
double PenaltyCredit(int true_grade, int predicted_grade);

// The mean credit of the samples of true grade `grade`; nullopt when the grade
// is absent from `cm`. `grade` in [0, 4].
std::optional<double> GradePRecall(const ConfusionMatrix& cm, int grade);

// P-Recall as SUMMARY.md defines it: the mean of GradePRecall() over the
// grades present in `cm`.
absl::StatusOr<double> PRecall(const ConfusionMatrix& cm);

// The seed's original code: the sum of GradePRecall() over the present grades
// divided by all five grades, so each absent grade counts as 0. Equal to
// PRecall() when all five grades are present. 0 for an empty matrix.
double PRecallOverAllGrades(const ConfusionMatrix& cm);

// Fraction of samples predicted exactly (over samples, not grades).
absl::StatusOr<double> Accuracy(const ConfusionMatrix& cm);

// F1 of `grade` taken one-vs-rest: 2 TP / (2 TP + FP + FN); nullopt when the
// grade is absent from the set (no true sample of it). A present grade that is
// never predicted has TP = 0 and so F1 = 0 (its precision 0/0 counts as 0, as
// scikit-learn's zero_division=0). `grade` in [0, 4].
std::optional<double> GradeF1(const ConfusionMatrix& cm, int grade);

// The mean of GradeF1() over the grades present in the set. Predictions of an
// absent grade still lower the score (they are false negatives of the true
// grade), but the absent grade itself is not averaged. Equals scikit-learn's
// f1_score(y_true, y_pred, labels=<present grades>, average="macro",
// zero_division=0).
absl::StatusOr<double> MacroF1(const ConfusionMatrix& cm);

// Mean of |true - predicted| over samples (not over grades).
absl::StatusOr<double> MeanAbsoluteError(const ConfusionMatrix& cm);

// Every metric of one attribute's evaluation at once.
struct GradeMetrics {
  ConfusionMatrix confusion;              // The labelled samples the metrics were computed from.
  int64_t labelled = 0;                   // confusion.Total().
  int present_grades = 0;                 // Grades with at least one true sample.
  double p_recall = 0.0;                  // PRecall(): macro mean over the present grades.
  double p_recall_over_all_grades = 0.0;  // PRecallOverAllGrades(): the seed's code.
  std::array<std::optional<double>, ConfusionMatrix::kNumGrades>
      grade_p_recall;  // nullopt: absent.
  double accuracy = 0.0;
  double macro_f1 = 0.0;
  std::array<std::optional<double>, ConfusionMatrix::kNumGrades> grade_f1;  // nullopt: absent.
  double mean_absolute_error = 0.0;
};

// All the metrics of `cm`. FAILED_PRECONDITION if `cm` is empty.
absl::StatusOr<GradeMetrics> ComputeGradeMetrics(const ConfusionMatrix& cm);

// All the metrics of the pairs (true_grades[k], predicted_grades[k]); true
// grades -1 and -2 are unlabelled and skipped. INVALID_ARGUMENT for mismatched
// lengths or grades out of range (see ConfusionMatrix::Add), FAILED_PRECONDITION
// if no pair is labelled.
absl::StatusOr<GradeMetrics> ComputeGradeMetrics(absl::Span<const int> true_grades,
                                                 absl::Span<const int> predicted_grades);

}  // namespace skinlens::training
