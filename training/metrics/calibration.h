// Calibration of one attribute's grade probabilities: temperature scaling
// (Guo et al., "On Calibration of Modern Neural Networks", ICML 2017), the
// expected calibration error that measures it, and the confidence threshold
// below which a prediction is better withheld ("cannot estimate").
//
// Temperature scaling divides the logits by one scalar T > 0 before the
// softmax: the argmax (and so every grade metric) is unchanged, only the
// confidence moves. T is fitted on held-out data by minimising the negative
// log-likelihood, which is convex in 1/T, so a one-dimensional search finds
// the optimum.
//
//   std::vector<std::vector<float>> logits = ...;   // one row of G logits per sample
//   std::vector<int> labels = ...;                   // true grade per row
//   SKINLENS_ASSIGN_OR_RETURN(double t, FitTemperature(logits, labels));
//   auto probs = SoftmaxRows(logits, t);
//   SKINLENS_ASSIGN_OR_RETURN(double ece, ExpectedCalibrationError(probs, labels));
//   SKINLENS_ASSIGN_OR_RETURN(double cut, AbstainThreshold(probs, 0.9));  // answer 90 %
//
// Every function is pure and thread-safe.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace skinlens::training {

// The range FitTemperature searches, wide enough for any sane network.
inline constexpr double kMinTemperature = 0.05;
inline constexpr double kMaxTemperature = 20.0;

// Row-wise softmax of logits / temperature (computed stably). Precondition:
// temperature > 0.
std::vector<std::vector<float>> SoftmaxRows(absl::Span<const std::vector<float>> logits,
                                            double temperature);

// Mean negative log-likelihood of `labels` under softmax(logits / temperature).
// INVALID_ARGUMENT for empty input, rows of different lengths, a label outside
// a row, or a temperature <= 0.
absl::StatusOr<double> NegativeLogLikelihood(absl::Span<const std::vector<float>> logits,
                                             absl::Span<const int> labels, double temperature);

// The temperature in [kMinTemperature, kMaxTemperature] that minimises
// NegativeLogLikelihood (golden-section search on 1/T, to 1e-4 relative).
// Errors as NegativeLogLikelihood.
absl::StatusOr<double> FitTemperature(absl::Span<const std::vector<float>> logits,
                                      absl::Span<const int> labels);

// Expected calibration error with `bins` equal-width bins of the top
// probability: sum over bins of |accuracy - mean confidence| weighted by the
// bin's share of samples. In [0, 1]; 0 is perfect. INVALID_ARGUMENT for empty
// input, mismatched sizes or bins < 1.
absl::StatusOr<double> ExpectedCalibrationError(absl::Span<const std::vector<float>> probabilities,
                                                absl::Span<const int> labels, int bins = 15);

// The smallest top probability t such that answering only the rows whose top
// probability is >= t answers at least `coverage` of them (0 < coverage <= 1):
// the (1 - coverage) quantile of the top probabilities. With coverage 1 it is
// 0 (answer everything). INVALID_ARGUMENT for empty input or coverage outside
// (0, 1].
absl::StatusOr<double> AbstainThreshold(absl::Span<const std::vector<float>> probabilities,
                                        double coverage);

// The largest probability of a row (0 for an empty row).
float TopProbability(const std::vector<float>& probabilities);

}  // namespace skinlens::training
