#include "training/metrics/grade_metrics.h"

#include <cstdlib>

#include "absl/status/status.h"
#include "common/status/status_macros.h"

namespace skinlens::training {
namespace {

constexpr int kGrades = ConfusionMatrix::kNumGrades;

absl::Status CheckNotEmpty(const ConfusionMatrix& cm) {
  if (cm.Total() == 0) {
    return absl::FailedPreconditionError(
        "no labelled sample to evaluate (every true grade was unlabelled or the set is empty)");
  }
  return absl::OkStatus();
}

}  // namespace

double PenaltyCredit(int true_grade, int predicted_grade) {
  const int d = std::abs(true_grade - predicted_grade);
  if (d == 0) return 1.0;
  if (d == 1) return 0.5;
  return -0.5 * (d - 1);
}

std::optional<double> GradePRecall(const ConfusionMatrix& cm, int grade) {
  const int64_t n = cm.TrueCount(grade);
  if (n == 0) return std::nullopt;
  double credit = 0.0;
  for (int p = 0; p < kGrades; ++p) {
    credit += static_cast<double>(cm.count(grade, p)) * PenaltyCredit(grade, p);
  }
  return credit / static_cast<double>(n);
}

absl::StatusOr<double> PRecall(const ConfusionMatrix& cm) {
  SKINLENS_RETURN_IF_ERROR(CheckNotEmpty(cm));
  double sum = 0.0;
  int present = 0;
  for (int g = 0; g < kGrades; ++g) {
    if (std::optional<double> r = GradePRecall(cm, g)) {
      sum += *r;
      ++present;
    }
  }
  return sum / present;
}

double PRecallOverAllGrades(const ConfusionMatrix& cm) {
  double sum = 0.0;
  for (int g = 0; g < kGrades; ++g) {
    sum += GradePRecall(cm, g).value_or(0.0);
  }
  return sum / kGrades;
}

absl::StatusOr<double> Accuracy(const ConfusionMatrix& cm) {
  SKINLENS_RETURN_IF_ERROR(CheckNotEmpty(cm));
  int64_t correct = 0;
  for (int g = 0; g < kGrades; ++g) {
    correct += cm.count(g, g);
  }
  return static_cast<double>(correct) / static_cast<double>(cm.Total());
}

std::optional<double> GradeF1(const ConfusionMatrix& cm, int grade) {
  const int64_t true_count = cm.TrueCount(grade);
  if (true_count == 0) return std::nullopt;
  const int64_t tp = cm.count(grade, grade);
  const int64_t fn = true_count - tp;
  const int64_t fp = cm.PredictedCount(grade) - tp;
  // The denominator is at least true_count > 0.
  return 2.0 * static_cast<double>(tp) / static_cast<double>(2 * tp + fp + fn);
}

absl::StatusOr<double> MacroF1(const ConfusionMatrix& cm) {
  SKINLENS_RETURN_IF_ERROR(CheckNotEmpty(cm));
  double sum = 0.0;
  int present = 0;
  for (int g = 0; g < kGrades; ++g) {
    if (std::optional<double> f1 = GradeF1(cm, g)) {
      sum += *f1;
      ++present;
    }
  }
  return sum / present;
}

absl::StatusOr<double> MeanAbsoluteError(const ConfusionMatrix& cm) {
  SKINLENS_RETURN_IF_ERROR(CheckNotEmpty(cm));
  double sum = 0.0;
  for (int t = 0; t < kGrades; ++t) {
    for (int p = 0; p < kGrades; ++p) {
      sum += static_cast<double>(cm.count(t, p)) * std::abs(t - p);
    }
  }
  return sum / static_cast<double>(cm.Total());
}

absl::StatusOr<GradeMetrics> ComputeGradeMetrics(const ConfusionMatrix& cm) {
  SKINLENS_RETURN_IF_ERROR(CheckNotEmpty(cm));
  GradeMetrics m;
  m.confusion = cm;
  m.labelled = cm.Total();
  for (int g = 0; g < kGrades; ++g) {
    m.grade_p_recall[g] = GradePRecall(cm, g);
    m.grade_f1[g] = GradeF1(cm, g);
    if (cm.IsPresent(g)) ++m.present_grades;
  }
  // The matrix is not empty, so none of these can fail.
  m.p_recall = *PRecall(cm);
  m.p_recall_over_all_grades = PRecallOverAllGrades(cm);
  m.accuracy = *Accuracy(cm);
  m.macro_f1 = *MacroF1(cm);
  m.mean_absolute_error = *MeanAbsoluteError(cm);
  return m;
}

absl::StatusOr<GradeMetrics> ComputeGradeMetrics(absl::Span<const int> true_grades,
                                                 absl::Span<const int> predicted_grades) {
  SKINLENS_ASSIGN_OR_RETURN(ConfusionMatrix cm,
                            ConfusionMatrix::FromPairs(true_grades, predicted_grades));
  return ComputeGradeMetrics(cm);
}

}  // namespace skinlens::training
