// A 5x5 confusion matrix of skin grades (rows = true grade, columns =
// predicted grade) for ONE attribute, the input of every grade metric in
// grade_metrics.h.
//
// Samples whose true grade is unlabelled for the attribute (-1 or -2 in the
// seed's label files) are skipped, so the matrix holds only labelled samples:
//
//   ConfusionMatrix cm;
//   SKINLENS_RETURN_IF_ERROR(cm.AddBatch(true_grades, predicted_grades));
//   SKINLENS_ASSIGN_OR_RETURN(double p_recall, PRecall(cm));
//
// Plain C++ with Abseil only (no LibTorch), so the services and the evaluator
// can link it cheaply.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace skinlens::training {

// Counts of (true grade, predicted grade) pairs for one attribute. A value
// type; not thread-safe for concurrent mutation (give each thread its own and
// Merge() them).
class ConfusionMatrix {
 public:
  // Grades run from 0 to kNumGrades - 1.
  static constexpr int kNumGrades = 5;
  // counts[true][predicted].
  using Counts = std::array<std::array<int64_t, kNumGrades>, kNumGrades>;

  // True for the seed's "not labelled for this attribute" values, -1 and -2.
  static constexpr bool IsUnlabelled(int grade) { return grade == -1 || grade == -2; }

  // An empty matrix.
  ConfusionMatrix() = default;

  // A matrix holding `counts` (rows = true grade). INVALID_ARGUMENT if a count
  // is negative.
  static absl::StatusOr<ConfusionMatrix> FromCounts(const Counts& counts);

  // A matrix of the pairs (true_grades[k], predicted_grades[k]); see Add().
  // INVALID_ARGUMENT if the spans differ in length or a grade is out of range
  // (the message names the position).
  static absl::StatusOr<ConfusionMatrix> FromPairs(absl::Span<const int> true_grades,
                                                   absl::Span<const int> predicted_grades);

  // Counts one sample. A true grade of -1 or -2 (unlabelled) is skipped and
  // returns OK. INVALID_ARGUMENT, leaving the matrix unchanged, if the true
  // grade is any other value outside [0, 4] or the predicted grade is outside
  // [0, 4] (a prediction is checked even when its label is unlabelled: an
  // out-of-range prediction is a bug upstream).
  absl::Status Add(int true_grade, int predicted_grade);

  // Add() for every pair. All pairs are checked before any is counted, so on
  // error the matrix is unchanged.
  absl::Status AddBatch(absl::Span<const int> true_grades, absl::Span<const int> predicted_grades);

  // Adds the counts of `other`.
  void Merge(const ConfusionMatrix& other);

  // Samples of true grade `true_grade` predicted as `predicted_grade`.
  // Both must be in [0, 4].
  int64_t count(int true_grade, int predicted_grade) const {
    return counts_[true_grade][predicted_grade];
  }
  const Counts& counts() const { return counts_; }

  // Samples whose true grade is `grade` (row sum). `grade` in [0, 4].
  int64_t TrueCount(int grade) const;
  // Samples predicted as `grade` (column sum). `grade` in [0, 4].
  int64_t PredictedCount(int grade) const;
  // All labelled samples counted.
  int64_t Total() const;
  // Whether at least one sample has true grade `grade`.
  bool IsPresent(int grade) const { return TrueCount(grade) > 0; }

  // The matrix as text, one row per true grade, for logs and reports.
  std::string ToString() const;

  friend bool operator==(const ConfusionMatrix& a, const ConfusionMatrix& b) {
    return a.counts_ == b.counts_;
  }
  friend bool operator!=(const ConfusionMatrix& a, const ConfusionMatrix& b) { return !(a == b); }

 private:
  Counts counts_{};  // counts_[true][predicted]; all zero initially.
};

}  // namespace skinlens::training
