// The seed's training losses for one attribute's grade logits: cross entropy,
// label smoothing, focal, class-balanced softmax CE, class-balanced focal and
// masked (adjacent-grade) label smoothing. README.md beside this file gives the
// formulas, the names recipes use and their parameters.
//
// Every loss is one formula with three knobs:
//
//   loss_n = w[y_n] * (1 - p_n[y_n])^gamma * sum_k -q_n[k] * log p_n[k]
//   loss   = mean of loss_n over the samples whose target y_n >= 0
//
// where p_n = softmax(logits_n), q_n is the target distribution (one-hot, or
// smoothed uniformly or onto the adjacent grades), gamma the focal exponent
// and w an optional weight per grade (focal alpha or class-balanced weights).
// Targets < 0 (the seed's -1/-2 "unlabelled") are masked out; when every
// target is masked the loss is a differentiable 0.
//
//   SKINLENS_ASSIGN_OR_RETURN(GradeLoss loss,
//                             CreateGradeLoss("cb_focal", {{"beta", 0.999}, {"gamma", 2}},
//                                             train_grade_counts));
//   SKINLENS_ASSIGN_OR_RETURN(torch::Tensor value, loss(logits, targets));  // [N,5], [N]
//   value.backward();
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "nlohmann/json_fwd.hpp"

namespace skinlens::training {

// How the target distribution q is made from the true grade y, with K grades
// and smoothing mass epsilon.
enum class TargetSmoothing {
  // q = one-hot(y).
  kNone,
  // q = (1 - epsilon) * one-hot(y) + epsilon / K on every grade (the true
  // grade included), as PyTorch's cross_entropy(label_smoothing=epsilon).
  kUniform,
  // q[y] = 1 - epsilon and the epsilon goes only to the grades adjacent to y:
  // all of it to grade 1 when y = 0, all of it to grade K-2 when y = K-1, and
  // epsilon / 2 to each of y-1 and y+1 otherwise. The seed's "masked label
  // smoothing": a near miss is made cheap, a far one is not.
  kAdjacent,
};

// The knobs of a GradeLoss. CreateGradeLoss() fills them from a recipe name.
struct GradeLossOptions {
  // The recipe name, for messages and Describe() (e.g. "focal").
  std::string name = "ce";
  TargetSmoothing smoothing = TargetSmoothing::kNone;
  // Smoothing mass in [0, 1]; ignored when smoothing is kNone.
  double epsilon = 0.0;
  // Focal exponent >= 0; 0 means no focal modulation.
  double gamma = 0.0;
  // One weight >= 0 per grade, multiplying the loss of the samples of that
  // grade (focal alpha, class-balanced weights); empty means all 1.
  std::vector<double> grade_weights;
};

// A loss over grade logits [N, K] and integer targets [N]; see the file comment
// for the formula. Immutable after Create(); operator() is thread-safe.
class GradeLoss {
 public:
  // INVALID_ARGUMENT if epsilon is outside [0, 1], gamma is negative or not
  // finite, or a grade weight is negative or not finite.
  static absl::StatusOr<GradeLoss> Create(GradeLossOptions options);

  // The mean loss over the samples with target >= 0, a 0-dim tensor of the
  // logits' dtype and device that autograd can differentiate.
  // `logits`: floating point [N, K] with K >= 2 (K must equal the number of
  // grade weights, if any); `targets`: integer [N] with values < K, any
  // negative value masking its sample. N may be 0. INVALID_ARGUMENT for other
  // shapes, types or target values; INTERNAL if LibTorch throws anyway.
  absl::StatusOr<torch::Tensor> operator()(const torch::Tensor& logits,
                                           const torch::Tensor& targets) const;

  const GradeLossOptions& options() const { return options_; }

  // The loss and its parameters, e.g. "focal(gamma=2, weights=[1, 1, 2, 4, 4])".
  std::string Describe() const;

 private:
  explicit GradeLoss(GradeLossOptions options) : options_(std::move(options)) {}

  absl::Status Validate(const torch::Tensor& logits, const torch::Tensor& targets) const;
  // The per-sample loss of rows whose targets are all in [0, K).
  torch::Tensor PerSample(const torch::Tensor& logits, const torch::Tensor& targets) const;

  GradeLossOptions options_;
};

// The class-balanced weights of Cui et al., "Class-Balanced Loss Based on
// Effective Number of Samples", CVPR 2019 (arXiv:1901.05555): for a grade with
// n samples, w = (1 - beta) / (1 - beta^n), the inverse of its effective
// number of samples; then scaled so that the weights sum to the number of
// grades that have samples. A grade with no sample gets weight 0 (its loss
// never occurs; Cui's formula would divide by zero). With every grade present
// this is exactly Cui et al.'s normalisation (sum = number of classes); with
// beta = 0 every present grade weighs 1 (plain CE).
// INVALID_ARGUMENT if beta is outside [0, 1), `grade_counts` is empty, a count
// is negative or every count is 0.
absl::StatusOr<std::vector<double>> ClassBalancedWeights(absl::Span<const int64_t> grade_counts,
                                                         double beta);

// The loss names recipes use: ce, ls, focal, cb_ce, cb_focal, masked_ls.
std::vector<std::string> GradeLossNames();

// The loss a recipe names, for five grades. `params` is a JSON object of the
// loss's parameters (null or {} takes the defaults; README.md lists them):
//   "ce" {}                       "ls" {"epsilon": 0.1}
//   "focal" {"gamma": 2, "alpha": [..5..] or a number}
//   "cb_ce" {"beta": 0.999}       "cb_focal" {"beta": 0.999, "gamma": 2}
//   "masked_ls" {"epsilon": 0.1}
// `grade_counts` is the number of training samples of each grade (5 values)
// for the attribute; only cb_ce and cb_focal use it, and they require it.
// INVALID_ARGUMENT, naming the loss and the parameter, for an unknown name, an
// unknown or mistyped parameter, a value out of range or missing counts.
absl::StatusOr<GradeLoss> CreateGradeLoss(absl::string_view name, const nlohmann::json& params,
                                          absl::Span<const int64_t> grade_counts = {});

}  // namespace skinlens::training
