#include "training/metrics/confusion_matrix.h"

#include <cstddef>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status/status_macros.h"

namespace skinlens::training {
namespace {

bool IsGrade(int grade) { return grade >= 0 && grade < ConfusionMatrix::kNumGrades; }

absl::Status CheckPair(int true_grade, int predicted_grade) {
  if (!IsGrade(true_grade) && !ConfusionMatrix::IsUnlabelled(true_grade)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "true grade ", true_grade, " is neither a grade in [0, 4] nor unlabelled (-1, -2)"));
  }
  if (!IsGrade(predicted_grade)) {
    return absl::InvalidArgumentError(
        absl::StrCat("predicted grade ", predicted_grade, " is outside [0, 4]"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ConfusionMatrix> ConfusionMatrix::FromCounts(const Counts& counts) {
  for (int t = 0; t < kNumGrades; ++t) {
    for (int p = 0; p < kNumGrades; ++p) {
      if (counts[t][p] < 0) {
        return absl::InvalidArgumentError(absl::StrCat("confusion count [true ", t, "][predicted ",
                                                       p, "] is negative: ", counts[t][p]));
      }
    }
  }
  ConfusionMatrix cm;
  cm.counts_ = counts;
  return cm;
}

absl::StatusOr<ConfusionMatrix> ConfusionMatrix::FromPairs(absl::Span<const int> true_grades,
                                                           absl::Span<const int> predicted_grades) {
  ConfusionMatrix cm;
  SKINLENS_RETURN_IF_ERROR(cm.AddBatch(true_grades, predicted_grades));
  return cm;
}

absl::Status ConfusionMatrix::Add(int true_grade, int predicted_grade) {
  SKINLENS_RETURN_IF_ERROR(CheckPair(true_grade, predicted_grade));
  if (!IsUnlabelled(true_grade)) {
    ++counts_[true_grade][predicted_grade];
  }
  return absl::OkStatus();
}

absl::Status ConfusionMatrix::AddBatch(absl::Span<const int> true_grades,
                                       absl::Span<const int> predicted_grades) {
  if (true_grades.size() != predicted_grades.size()) {
    return absl::InvalidArgumentError(absl::StrCat("got ", true_grades.size(), " true grades but ",
                                                   predicted_grades.size(), " predicted grades"));
  }
  for (size_t k = 0; k < true_grades.size(); ++k) {
    absl::Status status = CheckPair(true_grades[k], predicted_grades[k]);
    if (!status.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("sample ", k, ": ", status.message()));
    }
  }
  for (size_t k = 0; k < true_grades.size(); ++k) {
    if (!IsUnlabelled(true_grades[k])) {
      ++counts_[true_grades[k]][predicted_grades[k]];
    }
  }
  return absl::OkStatus();
}

void ConfusionMatrix::Merge(const ConfusionMatrix& other) {
  for (int t = 0; t < kNumGrades; ++t) {
    for (int p = 0; p < kNumGrades; ++p) {
      counts_[t][p] += other.counts_[t][p];
    }
  }
}

int64_t ConfusionMatrix::TrueCount(int grade) const {
  int64_t sum = 0;
  for (int p = 0; p < kNumGrades; ++p) {
    sum += counts_[grade][p];
  }
  return sum;
}

int64_t ConfusionMatrix::PredictedCount(int grade) const {
  int64_t sum = 0;
  for (int t = 0; t < kNumGrades; ++t) {
    sum += counts_[t][grade];
  }
  return sum;
}

int64_t ConfusionMatrix::Total() const {
  int64_t sum = 0;
  for (int t = 0; t < kNumGrades; ++t) {
    sum += TrueCount(t);
  }
  return sum;
}

std::string ConfusionMatrix::ToString() const {
  std::string out = "true\\pred";
  for (int p = 0; p < kNumGrades; ++p) {
    absl::StrAppendFormat(&out, " %6d", p);
  }
  for (int t = 0; t < kNumGrades; ++t) {
    absl::StrAppendFormat(&out, "\n%9d", t);
    for (int p = 0; p < kNumGrades; ++p) {
      absl::StrAppendFormat(&out, " %6d", counts_[t][p]);
    }
  }
  return out;
}

}  // namespace skinlens::training
