#include "training/metrics/calibration.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace skinlens::training {
namespace {

absl::Status CheckRows(absl::Span<const std::vector<float>> rows, absl::Span<const int> labels) {
  if (rows.empty()) return absl::InvalidArgumentError("no samples");
  if (rows.size() != labels.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat(rows.size(), " rows but ", labels.size(), " labels"));
  }
  const size_t width = rows[0].size();
  if (width == 0) return absl::InvalidArgumentError("rows are empty");
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].size() != width) {
      return absl::InvalidArgumentError(
          absl::StrCat("row ", i, " has ", rows[i].size(), " values, row 0 has ", width));
    }
    if (labels[i] < 0 || static_cast<size_t>(labels[i]) >= width) {
      return absl::InvalidArgumentError(
          absl::StrCat("label ", labels[i], " of row ", i, " is outside 0..", width - 1));
    }
  }
  return absl::OkStatus();
}

// log(sum(exp(x / t))) and the row's scaled logits, stably.
double LogSumExp(const std::vector<float>& row, double inverse_t) {
  double top = -INFINITY;
  for (float x : row) top = std::max(top, x * inverse_t);
  double sum = 0;
  for (float x : row) sum += std::exp(x * inverse_t - top);
  return top + std::log(sum);
}

double Nll(absl::Span<const std::vector<float>> logits, absl::Span<const int> labels,
           double inverse_t) {
  double total = 0;
  for (size_t i = 0; i < logits.size(); ++i) {
    total += LogSumExp(logits[i], inverse_t) - logits[i][labels[i]] * inverse_t;
  }
  return total / static_cast<double>(logits.size());
}

}  // namespace

float TopProbability(const std::vector<float>& probabilities) {
  return probabilities.empty() ? 0.0f
                               : *std::max_element(probabilities.begin(), probabilities.end());
}

std::vector<std::vector<float>> SoftmaxRows(absl::Span<const std::vector<float>> logits,
                                            double temperature) {
  std::vector<std::vector<float>> out;
  out.reserve(logits.size());
  const double inverse_t = 1.0 / temperature;
  for (const std::vector<float>& row : logits) {
    const double lse = LogSumExp(row, inverse_t);
    std::vector<float>& p = out.emplace_back(row.size());
    for (size_t k = 0; k < row.size(); ++k) {
      p[k] = static_cast<float>(std::exp(row[k] * inverse_t - lse));
    }
  }
  return out;
}

absl::StatusOr<double> NegativeLogLikelihood(absl::Span<const std::vector<float>> logits,
                                             absl::Span<const int> labels, double temperature) {
  if (absl::Status s = CheckRows(logits, labels); !s.ok()) return s;
  if (!(temperature > 0)) return absl::InvalidArgumentError("the temperature must be > 0");
  return Nll(logits, labels, 1.0 / temperature);
}

absl::StatusOr<double> FitTemperature(absl::Span<const std::vector<float>> logits,
                                      absl::Span<const int> labels) {
  if (absl::Status s = CheckRows(logits, labels); !s.ok()) return s;
  // Golden-section search over b = 1/T, where the NLL is convex.
  const double phi = (std::sqrt(5.0) - 1) / 2;
  double lo = 1.0 / kMaxTemperature, hi = 1.0 / kMinTemperature;
  double x1 = hi - phi * (hi - lo), x2 = lo + phi * (hi - lo);
  double f1 = Nll(logits, labels, x1), f2 = Nll(logits, labels, x2);
  while (hi - lo > 1e-4 * std::max(1.0, lo)) {
    if (f1 <= f2) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - phi * (hi - lo);
      f1 = Nll(logits, labels, x1);
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + phi * (hi - lo);
      f2 = Nll(logits, labels, x2);
    }
  }
  return std::clamp(2.0 / (lo + hi), kMinTemperature, kMaxTemperature);
}

absl::StatusOr<double> ExpectedCalibrationError(absl::Span<const std::vector<float>> probabilities,
                                                absl::Span<const int> labels, int bins) {
  if (absl::Status s = CheckRows(probabilities, labels); !s.ok()) return s;
  if (bins < 1) return absl::InvalidArgumentError("at least one bin");
  std::vector<double> confidence(bins, 0.0), correct(bins, 0.0), count(bins, 0.0);
  for (size_t i = 0; i < probabilities.size(); ++i) {
    const std::vector<float>& p = probabilities[i];
    const size_t predicted = static_cast<size_t>(std::max_element(p.begin(), p.end()) - p.begin());
    const double top = p[predicted];
    // Bins (k/B, (k+1)/B], with a top of exactly 0 in the first.
    int bin = static_cast<int>(std::ceil(top * bins)) - 1;
    bin = std::clamp(bin, 0, bins - 1);
    confidence[bin] += top;
    correct[bin] += static_cast<int>(predicted) == labels[i] ? 1.0 : 0.0;
    count[bin] += 1;
  }
  double ece = 0;
  const double n = static_cast<double>(probabilities.size());
  for (int b = 0; b < bins; ++b) {
    if (count[b] == 0) continue;
    ece += std::abs(correct[b] - confidence[b]) / n;
  }
  return ece;
}

absl::StatusOr<double> AbstainThreshold(absl::Span<const std::vector<float>> probabilities,
                                        double coverage) {
  if (probabilities.empty()) return absl::InvalidArgumentError("no samples");
  if (!(coverage > 0 && coverage <= 1)) {
    return absl::InvalidArgumentError("coverage must be in (0, 1]");
  }
  if (coverage == 1) return 0.0;
  std::vector<float> tops;
  tops.reserve(probabilities.size());
  for (const std::vector<float>& p : probabilities) tops.push_back(TopProbability(p));
  std::sort(tops.begin(), tops.end(), std::greater<float>());
  // Answer the ceil(coverage * n) most confident rows; ties at the cut answer too.
  const size_t answered =
      std::min(tops.size(), static_cast<size_t>(std::ceil(coverage * tops.size() - 1e-9)));
  return static_cast<double>(tops[std::max<size_t>(answered, 1) - 1]);
}

}  // namespace skinlens::training
