#include "training/losses/grade_loss.h"

#include <cmath>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/status/status_macros.h"
#include "nlohmann/json.hpp"

namespace skinlens::training {
namespace {

constexpr int kRecipeGrades = 5;

std::string ShapeString(const torch::Tensor& t) {
  return absl::StrCat("[", absl::StrJoin(t.sizes(), ", "), "]");
}

std::string DoubleString(double v) { return absl::StrFormat("%g", v); }

// Rows of q's smoothing part for kAdjacent: row y spreads one unit of mass over
// the grades adjacent to y.
torch::Tensor AdjacentMass(int64_t k, const torch::TensorOptions& options) {
  torch::Tensor m = torch::zeros({k, k}, torch::kDouble);
  auto a = m.accessor<double, 2>();
  a[0][1] = 1.0;
  a[k - 1][k - 2] = 1.0;
  for (int64_t y = 1; y + 1 < k; ++y) {
    a[y][y - 1] = 0.5;
    a[y][y + 1] = 0.5;
  }
  return m.to(options);
}

}  // namespace

absl::StatusOr<GradeLoss> GradeLoss::Create(GradeLossOptions options) {
  if (!(options.epsilon >= 0.0 && options.epsilon <= 1.0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        options.name, ": epsilon must be in [0, 1], got ", DoubleString(options.epsilon)));
  }
  if (!(options.gamma >= 0.0 && std::isfinite(options.gamma))) {
    return absl::InvalidArgumentError(absl::StrCat(
        options.name, ": gamma must be finite and >= 0, got ", DoubleString(options.gamma)));
  }
  for (size_t c = 0; c < options.grade_weights.size(); ++c) {
    const double w = options.grade_weights[c];
    if (!(w >= 0.0 && std::isfinite(w))) {
      return absl::InvalidArgumentError(absl::StrCat(options.name, ": weight of grade ", c,
                                                     " must be finite and >= 0, got ",
                                                     DoubleString(w)));
    }
  }
  return GradeLoss(std::move(options));
}

absl::Status GradeLoss::Validate(const torch::Tensor& logits, const torch::Tensor& targets) const {
  if (!logits.defined() || logits.dim() != 2 || !logits.is_floating_point()) {
    return absl::InvalidArgumentError(
        absl::StrCat(options_.name, ": logits must be a floating-point [N, K] tensor, got ",
                     logits.defined() ? ShapeString(logits) : "an undefined tensor"));
  }
  const int64_t k = logits.size(1);
  if (k < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat(options_.name, ": logits need at least 2 grades, got ", ShapeString(logits)));
  }
  if (!options_.grade_weights.empty() && static_cast<int64_t>(options_.grade_weights.size()) != k) {
    return absl::InvalidArgumentError(absl::StrCat(options_.name, ": ",
                                                   options_.grade_weights.size(),
                                                   " grade weights for logits of ", k, " grades"));
  }
  if (!targets.defined() || targets.dim() != 1 ||
      !c10::isIntegralType(targets.scalar_type(), /*includeBool=*/false)) {
    return absl::InvalidArgumentError(
        absl::StrCat(options_.name, ": targets must be an integer [N] tensor, got ",
                     targets.defined() ? ShapeString(targets) : "an undefined tensor"));
  }
  if (targets.size(0) != logits.size(0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        options_.name, ": ", targets.size(0), " targets for ", logits.size(0), " rows of logits"));
  }
  if (targets.numel() > 0) {
    const int64_t max_target = targets.max().item<int64_t>();
    if (max_target >= k) {
      return absl::InvalidArgumentError(absl::StrCat(options_.name, ": target grade ", max_target,
                                                     " is out of range for ", k, " grades"));
    }
  }
  return absl::OkStatus();
}

torch::Tensor GradeLoss::PerSample(const torch::Tensor& logits,
                                   const torch::Tensor& targets) const {
  const int64_t k = logits.size(1);
  const torch::Tensor log_p = torch::log_softmax(logits, /*dim=*/1);
  const torch::Tensor log_p_target = log_p.gather(1, targets.unsqueeze(1)).squeeze(1);
  const double eps = options_.epsilon;

  torch::Tensor loss;
  switch (options_.smoothing) {
    case TargetSmoothing::kNone:
      loss = -log_p_target;
      break;
    case TargetSmoothing::kUniform:
      // -sum_k q_k log p_k with q = (1 - eps) one-hot + eps / K.
      loss = -(1.0 - eps) * log_p_target - eps * log_p.mean(/*dim=*/1);
      break;
    case TargetSmoothing::kAdjacent: {
      const torch::Tensor neighbours = AdjacentMass(k, log_p.options()).index_select(0, targets);
      const torch::Tensor neighbour_term = -(neighbours * log_p).sum(/*dim=*/1);
      loss = -(1.0 - eps) * log_p_target + eps * neighbour_term;
      break;
    }
  }
  if (options_.gamma != 0.0) {
    // 1 - p computed as -expm1(log p): exact near p = 1 and never negative.
    const torch::Tensor one_minus_p = (-torch::expm1(log_p_target)).clamp_min(0.0);
    loss = loss * one_minus_p.pow(options_.gamma);
  }
  if (!options_.grade_weights.empty()) {
    const torch::Tensor w = torch::tensor(options_.grade_weights, torch::kDouble)
                                .to(logits.options())
                                .index_select(0, targets);
    loss = loss * w;
  }
  return loss;
}

absl::StatusOr<torch::Tensor> GradeLoss::operator()(const torch::Tensor& logits,
                                                    const torch::Tensor& targets) const {
  try {
    SKINLENS_RETURN_IF_ERROR(Validate(logits, targets));
    const torch::Tensor t = targets.to(logits.device(), torch::kLong);
    // Masked rows are dropped before any arithmetic so that no NaN or infinite
    // gradient from their (arbitrary) logits can leak into the backward pass.
    const torch::Tensor kept = (t >= 0).nonzero().squeeze(1);
    const int64_t count = kept.size(0);
    if (count == 0) {
      // Zero with a graph back to the logits, so backward() works and gives 0.
      return (logits * 0).sum();
    }
    return PerSample(logits.index_select(0, kept), t.index_select(0, kept)).sum() /
           static_cast<double>(count);
  } catch (const c10::Error& e) {
    return absl::InternalError(absl::StrCat(Describe(), " on logits ", ShapeString(logits), ": ",
                                            e.what_without_backtrace()));
  }
}

std::string GradeLoss::Describe() const {
  std::vector<std::string> parts;
  if (options_.smoothing != TargetSmoothing::kNone) {
    parts.push_back(absl::StrCat("epsilon=", DoubleString(options_.epsilon)));
  }
  if (options_.gamma != 0.0) {
    parts.push_back(absl::StrCat("gamma=", DoubleString(options_.gamma)));
  }
  if (!options_.grade_weights.empty()) {
    parts.push_back(absl::StrCat(
        "weights=[",
        absl::StrJoin(options_.grade_weights, ", ",
                      [](std::string* out, double w) { out->append(DoubleString(w)); }),
        "]"));
  }
  return absl::StrCat(options_.name, "(", absl::StrJoin(parts, ", "), ")");
}

absl::StatusOr<std::vector<double>> ClassBalancedWeights(absl::Span<const int64_t> grade_counts,
                                                         double beta) {
  if (!(beta >= 0.0 && beta < 1.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("class-balanced beta must be in [0, 1), got ", DoubleString(beta)));
  }
  if (grade_counts.empty()) {
    return absl::InvalidArgumentError("class-balanced weights need the count of every grade");
  }
  std::vector<double> weights(grade_counts.size(), 0.0);
  double sum = 0.0;
  int present = 0;
  for (size_t c = 0; c < grade_counts.size(); ++c) {
    const int64_t n = grade_counts[c];
    if (n < 0) {
      return absl::InvalidArgumentError(absl::StrCat("count of grade ", c, " is negative: ", n));
    }
    if (n == 0) {
      continue;
    }
    // 1 - beta^n as -expm1(n log beta): accurate when beta is close to 1
    // (log(0) = -inf makes it 1 for beta = 0).
    const double one_minus_beta_n = -std::expm1(static_cast<double>(n) * std::log(beta));
    weights[c] = (1.0 - beta) / one_minus_beta_n;
    sum += weights[c];
    ++present;
  }
  if (present == 0) {
    return absl::InvalidArgumentError("class-balanced weights need at least one sample");
  }
  for (double& w : weights) {
    w *= present / sum;
  }
  return weights;
}

std::vector<std::string> GradeLossNames() {
  return {"ce", "ls", "focal", "cb_ce", "cb_focal", "masked_ls"};
}

namespace {

// Reads the numeric parameters of one loss from a JSON object and rejects
// keys the loss does not know.
class ParamReader {
 public:
  ParamReader(absl::string_view loss, const nlohmann::json& params)
      : loss_(loss), params_(params) {}

  absl::Status CheckKeys(std::initializer_list<absl::string_view> allowed) const {
    if (params_.is_null()) return absl::OkStatus();
    if (!params_.is_object()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "loss '", loss_, "': parameters must be a JSON object, got ", params_.dump()));
    }
    for (const auto& item : params_.items()) {
      bool known = false;
      for (absl::string_view a : allowed) known = known || item.key() == a;
      if (!known) {
        return absl::InvalidArgumentError(absl::StrCat(
            "loss '", loss_, "' has no parameter '", item.key(),
            "' (it takes: ", allowed.size() == 0 ? "none" : absl::StrJoin(allowed, ", "), ")"));
      }
    }
    return absl::OkStatus();
  }

  bool Has(const char* key) const { return params_.is_object() && params_.contains(key); }

  absl::StatusOr<double> Number(const char* key, double fallback) const {
    if (!Has(key)) return fallback;
    const nlohmann::json& v = params_.at(key);
    if (!v.is_number()) {
      return absl::InvalidArgumentError(absl::StrCat("loss '", loss_, "': parameter '", key,
                                                     "' must be a number, got ", v.dump()));
    }
    return v.get<double>();
  }

  // A number (the same for every grade) or an array of kRecipeGrades numbers.
  absl::StatusOr<std::vector<double>> PerGrade(const char* key) const {
    const nlohmann::json& v = params_.at(key);
    if (v.is_number()) {
      return std::vector<double>(kRecipeGrades, v.get<double>());
    }
    if (v.is_array() && v.size() == kRecipeGrades) {
      std::vector<double> out;
      for (const nlohmann::json& e : v) {
        if (!e.is_number()) break;
        out.push_back(e.get<double>());
      }
      if (out.size() == kRecipeGrades) return out;
    }
    return absl::InvalidArgumentError(absl::StrCat("loss '", loss_, "': parameter '", key,
                                                   "' must be a number or an array of ",
                                                   kRecipeGrades, " numbers, got ", v.dump()));
  }

 private:
  std::string loss_;
  const nlohmann::json& params_;
};

absl::StatusOr<std::vector<double>> RecipeClassBalancedWeights(
    absl::string_view name, double beta, absl::Span<const int64_t> grade_counts) {
  if (grade_counts.size() != kRecipeGrades) {
    return absl::InvalidArgumentError(
        absl::StrCat("loss '", name, "' needs the training-set count of each of the ",
                     kRecipeGrades, " grades, got ", grade_counts.size(), " counts"));
  }
  absl::StatusOr<std::vector<double>> weights = ClassBalancedWeights(grade_counts, beta);
  if (!weights.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("loss '", name, "': ", weights.status().message()));
  }
  return weights;
}

}  // namespace

absl::StatusOr<GradeLoss> CreateGradeLoss(absl::string_view name, const nlohmann::json& params,
                                          absl::Span<const int64_t> grade_counts) {
  ParamReader reader(name, params);
  GradeLossOptions options;
  options.name = std::string(name);
  if (name == "ce") {
    SKINLENS_RETURN_IF_ERROR(reader.CheckKeys({}));
  } else if (name == "ls" || name == "masked_ls") {
    SKINLENS_RETURN_IF_ERROR(reader.CheckKeys({"epsilon"}));
    options.smoothing = name == "ls" ? TargetSmoothing::kUniform : TargetSmoothing::kAdjacent;
    SKINLENS_ASSIGN_OR_RETURN(options.epsilon, reader.Number("epsilon", 0.1));
  } else if (name == "focal") {
    SKINLENS_RETURN_IF_ERROR(reader.CheckKeys({"gamma", "alpha"}));
    SKINLENS_ASSIGN_OR_RETURN(options.gamma, reader.Number("gamma", 2.0));
    if (reader.Has("alpha")) {
      SKINLENS_ASSIGN_OR_RETURN(options.grade_weights, reader.PerGrade("alpha"));
    }
  } else if (name == "cb_ce" || name == "cb_focal") {
    const bool focal = name == "cb_focal";
    if (focal) {
      SKINLENS_RETURN_IF_ERROR(reader.CheckKeys({"beta", "gamma"}));
      SKINLENS_ASSIGN_OR_RETURN(options.gamma, reader.Number("gamma", 2.0));
    } else {
      SKINLENS_RETURN_IF_ERROR(reader.CheckKeys({"beta"}));
    }
    SKINLENS_ASSIGN_OR_RETURN(const double beta, reader.Number("beta", 0.999));
    SKINLENS_ASSIGN_OR_RETURN(options.grade_weights,
                              RecipeClassBalancedWeights(name, beta, grade_counts));
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown loss '", name, "' (known: ", absl::StrJoin(GradeLossNames(), ", "), ")"));
  }
  return GradeLoss::Create(std::move(options));
}

}  // namespace skinlens::training
