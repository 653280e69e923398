#include "common/model/grad_cam.h"

#include <c10/core/InferenceMode.h>
#include <c10/util/Exception.h>
#include <torch/autograd.h>
#include <torch/nn/functional/upsampling.h>

#include <functional>
#include <optional>
#include <sstream>
#include <vector>

namespace skinlens::model {
namespace {

std::string ShapeOf(const torch::Tensor& t) {
  std::ostringstream out;
  out << t.sizes();
  return out.str();
}

}  // namespace

std::string ValidateGradCamInputs(const torch::Tensor& features, const torch::Tensor& grades,
                                  int64_t num_attributes, int64_t num_grades) {
  if (!features.defined()) {
    return "features: undefined tensor";
  }
  if (features.dim() != 4 || !features.is_floating_point()) {
    return "features: expected a 4-D floating-point tensor [N, C, h, w], got " + ShapeOf(features) +
           " of " + std::string(c10::toString(features.scalar_type()));
  }
  for (int64_t d = 0; d < 4; ++d) {
    if (features.size(d) < 1) {
      return "features: every dimension must be at least 1, got " + ShapeOf(features);
    }
  }
  if (!grades.defined()) {
    return "grades: undefined tensor";
  }
  if (grades.dim() != 2 || grades.size(0) != features.size(0) || grades.size(1) != num_attributes ||
      grades.is_floating_point() || !grades.device().is_cpu()) {
    return "grades: expected a CPU integer tensor [" + std::to_string(features.size(0)) + ", " +
           std::to_string(num_attributes) + "], got " + ShapeOf(grades);
  }
  const torch::Tensor g = grades.to(torch::kLong);
  const bool valid = ((g == kSkipGrade) | (g == kPredictedGrade) | (g == kExpectedGrade) |
                      ((g >= 0) & (g < num_grades)))
                         .all()
                         .item<bool>();
  if (!valid) {
    return "grades: every entry must be kSkipGrade (-2), kPredictedGrade (-1), kExpectedGrade "
           "(-3) or a grade in [0, " +
           std::to_string(num_grades) + ")";
  }
  return "";
}

namespace {

// Which grade each crop explains per attribute, and the gradient of that target with respect
// to the logits.
struct Targets {
  torch::Tensor chosen;             // [N, A] int64: the grade, kExpectedGrade or kSkipGrade
  torch::Tensor expected;           // [N, A] bool: explains the expected grade
  torch::Tensor active;             // [N, A] bool: explained at all
  torch::Tensor expected_grad;      // [N, A, G]: d E[grade] / d logit_k = p_k (k - E[grade])
  std::vector<int64_t> attributes;  // explained for at least one crop
};

Targets ResolveTargets(const torch::Tensor& detached_logits, const torch::Tensor& grades) {
  Targets t;
  const int64_t num_grades = detached_logits.size(2);
  const torch::Tensor predicted = detached_logits.argmax(/*dim=*/2).cpu();  // [N, A]
  t.chosen = grades.to(torch::kLong).clone();
  t.chosen = torch::where(t.chosen == kPredictedGrade, predicted, t.chosen);
  t.expected = t.chosen == kExpectedGrade;
  t.active = (t.chosen >= 0) | t.expected;
  const torch::Tensor probabilities = torch::softmax(detached_logits, /*dim=*/2);
  const torch::Tensor ranks = torch::arange(num_grades, detached_logits.options());
  const torch::Tensor mean_grade = (probabilities * ranks).sum(2, /*keepdim=*/true);
  t.expected_grad = probabilities * (ranks - mean_grade);
  for (int64_t a = 0; a < detached_logits.size(1); ++a) {
    if (t.active.select(1, a).any().item<bool>()) t.attributes.push_back(a);
  }
  return t;
}

// grad_outputs for the logits that select attribute `a`'s target of every active crop: the
// crops do not interact in the head, so each crop gets its own target's gradient.
torch::Tensor GradOutputsFor(const Targets& t, int64_t a, const torch::Tensor& logits) {
  const int64_t num_grades = logits.size(2);
  const torch::Tensor crop_mask = t.active.select(1, a);
  const torch::Tensor grade = t.chosen.select(1, a).clamp_min(0);
  const torch::Tensor wants_expected = t.expected.select(1, a).unsqueeze(1);  // [N, 1]
  const torch::Tensor target = torch::where(wants_expected, t.expected_grad.select(1, a),
                                            torch::one_hot(grade, num_grades).to(torch::kFloat));
  torch::Tensor one_hot = torch::zeros(logits.sizes(), logits.options());
  one_hot.select(1, a).copy_(target.to(logits.options()) *
                             crop_mask.unsqueeze(1).to(logits.options()));
  return one_hot;
}

void CheckLogits(const torch::Tensor& logits, int64_t n) {
  TORCH_CHECK(logits.dim() == 3 && logits.size(0) == n, "the head returned logits of shape ",
              ShapeOf(logits), ", expected [", n, ", A, G]");
}

// The shared part of both GradCam overloads: `x` (a leaf requiring grad) goes through `head`;
// for each attribute explained for some crop, one backward pass gives d logit / d x, whose
// spatial mean `project` turns into the Grad-CAM channel weights [N, C] of `a_maps`.
GradCamOutput GradCamCore(const HeadFn& head, const torch::Tensor& x, const torch::Tensor& a_maps,
                          const torch::Tensor& grades,
                          const std::function<torch::Tensor(const torch::Tensor&)>& project) {
  const torch::Tensor logits = head(x);
  GradCamOutput out;
  if (!logits.defined()) {
    return out;
  }
  CheckLogits(logits, x.size(0));
  const int64_t n = x.size(0);
  const std::string invalid = ValidateGradCamInputs(a_maps, grades, logits.size(1), logits.size(2));
  TORCH_CHECK(invalid.empty(), invalid);

  const torch::Tensor detached_logits = logits.detach().to(torch::kFloat);
  const Targets targets = ResolveTargets(detached_logits, grades);
  torch::Tensor maps = torch::zeros({n, logits.size(1), a_maps.size(2), a_maps.size(3)},
                                    a_maps.options().dtype(torch::kFloat).requires_grad(false));
  for (size_t i = 0; i < targets.attributes.size(); ++i) {
    const int64_t a = targets.attributes[i];
    const bool last = i + 1 == targets.attributes.size();
    const torch::Tensor grad =
        torch::autograd::grad({logits}, {x}, {GradOutputsFor(targets, a, logits)},
                              /*retain_graph=*/!last)[0];
    torch::NoGradGuard no_grad;
    const torch::Tensor weights = project(grad.mean({2, 3}));  // [N, C]
    maps.select(1, a).copy_(torch::relu((weights.unsqueeze(-1).unsqueeze(-1) * a_maps).sum(1)));
  }
  out.maps = maps;
  out.grades =
      torch::where(targets.active, targets.chosen, torch::full_like(targets.chosen, kSkipGrade));
  out.logits = detached_logits;
  return out;
}

// The preconditions every entry point shares: autograd available, a 4-D input.
void CheckAutogradAndInput(const char* function, const char* argument, const char* shape,
                           const torch::Tensor& input) {
  TORCH_CHECK(!c10::InferenceMode::is_enabled(), function,
              " needs autograd: do not call it under torch::InferenceMode");
  TORCH_CHECK(input.defined() && input.dim() == 4, argument, ": expected ", shape, ", got ",
              input.defined() ? ShapeOf(input) : std::string("undefined"));
}

// `features` as a float32 tensor that autograd may track: a copy, since it may be float16, an
// inference tensor, or a tensor another caller owns.
torch::Tensor Float32Copy(const torch::Tensor& features) {
  return features.detach().to(torch::kFloat, /*non_blocking=*/false, /*copy=*/true).contiguous();
}

}  // namespace

GradCamOutput GradCam(const HeadFn& head, const torch::Tensor& features,
                      const torch::Tensor& grades) {
  CheckAutogradAndInput("GradCam", "features", "[N, C, h, w]", features);
  torch::AutoGradMode grad_mode(true);
  torch::Tensor f = Float32Copy(features).requires_grad_(true);
  return GradCamCore(head, f, f.detach(), grades, [](const torch::Tensor& g) { return g; });
}

GradCamOutput GradCam(const PointwiseSplitHead& head, const torch::Tensor& features,
                      const torch::Tensor& grades) {
  CheckAutogradAndInput("GradCam", "features", "[N, C, h, w]", features);
  TORCH_CHECK(
      head.weight.defined() && head.weight.numel() > 0 &&
          head.weight.numel() % features.size(1) == 0,
      "PointwiseSplitHead.weight must be [K, C] (or [K, C, 1, 1]) with C = ", features.size(1));
  torch::AutoGradMode grad_mode(true);
  const torch::Tensor f = Float32Copy(features);
  const torch::Tensor weight =
      head.weight.detach().to(torch::kFloat).reshape({-1, features.size(1)});  // [K, C]
  torch::Tensor z;
  {
    torch::NoGradGuard no_grad;
    z = torch::conv2d(f, weight.unsqueeze(-1).unsqueeze(-1),
                      head.bias.defined() ? head.bias.detach().to(torch::kFloat) : torch::Tensor());
  }
  z.requires_grad_(true);
  // mean_hw(d logit / d f) = weight^T mean_hw(d logit / d z), because f -> z is the same linear
  // map at every pixel.
  return GradCamCore(head.rest, z, f, grades,
                     [&weight](const torch::Tensor& g) { return torch::mm(g, weight); });
}

GradCamOutput RefinedGradCam(const HeadFn& upper, const HeadFn& head, const torch::Tensor& shallow,
                             const torch::Tensor& grades) {
  CheckAutogradAndInput("RefinedGradCam", "shallow", "[N, C, H, W]", shallow);
  torch::AutoGradMode grad_mode(true);
  const torch::Tensor s = Float32Copy(shallow).requires_grad_(true);
  const torch::Tensor f = upper(s);
  GradCamOutput out;
  if (!f.defined()) return out;
  TORCH_CHECK(f.dim() == 4 && f.size(0) == s.size(0), "upper returned features of shape ",
              ShapeOf(f), ", expected [", s.size(0), ", C, h, w]");
  const torch::Tensor logits = head(f);
  if (!logits.defined()) return out;
  CheckLogits(logits, s.size(0));
  const std::string invalid = ValidateGradCamInputs(s, grades, logits.size(1), logits.size(2));
  TORCH_CHECK(invalid.empty(), invalid);

  const int64_t n = s.size(0), height = s.size(2), width = s.size(3);
  const torch::Tensor detached_logits = logits.detach().to(torch::kFloat);
  const Targets targets = ResolveTargets(detached_logits, grades);
  torch::Tensor maps =
      torch::zeros({n, logits.size(1), height, width}, s.options().requires_grad(false));
  const torch::Tensor f_values = f.detach(), s_values = s.detach();
  for (size_t i = 0; i < targets.attributes.size(); ++i) {
    const int64_t a = targets.attributes[i];
    const bool last = i + 1 == targets.attributes.size();
    const std::vector<torch::Tensor> grad = torch::autograd::grad(
        {logits}, {f, s}, {GradOutputsFor(targets, a, logits)}, /*retain_graph=*/!last);
    torch::NoGradGuard no_grad;
    // Grad-CAM at the target layer: where in the region the evidence is.
    const torch::Tensor coarse =
        torch::relu((grad[0].mean({2, 3}, /*keepdim=*/true) * f_values).sum(1, /*keepdim=*/true));
    // LayerCAM at the shallow layer: each pixel's positive gradient weighs its own activation.
    const torch::Tensor fine = torch::relu((torch::relu(grad[1]) * s_values).sum(1));
    maps.select(1, a).copy_(NormalizeCams(UpsampleCams(coarse, height, width).squeeze(1)) *
                            NormalizeCams(fine));
  }
  out.maps = maps;
  out.grades =
      torch::where(targets.active, targets.chosen, torch::full_like(targets.chosen, kSkipGrade));
  out.logits = detached_logits;
  return out;
}

std::optional<PointwiseSplitHead> SplitSkinNetHead(SkinNet net) {
  if (!net || !net->batch_norm_folded()) {
    return std::nullopt;
  }
  const auto parameters = net->named_parameters();
  const torch::Tensor* weight = parameters.find("head_conv.conv.weight");
  const torch::Tensor* bias = parameters.find("head_conv.conv.bias");
  if (weight == nullptr || bias == nullptr) {
    return std::nullopt;
  }
  const int num_attributes = net->config().num_attributes;
  std::vector<torch::Tensor> head_weights;
  std::vector<torch::Tensor> head_biases;
  for (int a = 0; a < num_attributes; ++a) {
    const torch::Tensor* w = parameters.find("heads." + std::to_string(a) + ".weight");
    const torch::Tensor* b = parameters.find("heads." + std::to_string(a) + ".bias");
    if (w == nullptr || b == nullptr) {
      return std::nullopt;
    }
    head_weights.push_back(w->detach());
    head_biases.push_back(b->detach());
  }
  PointwiseSplitHead split;
  split.weight = weight->detach();
  split.bias = bias->detach();
  // The rest of SkinNetImpl::Head in eval mode: SiLU, global average pool, (dropout is the
  // identity), one linear layer per attribute, stacked to [N, A, G].
  const torch::Tensor w = torch::stack(head_weights);  // [A, G, K]
  const torch::Tensor b = torch::stack(head_biases);   // [A, G]
  split.rest = [w, b](const torch::Tensor& z) {
    const torch::Tensor pooled = torch::silu(z).mean({2, 3});  // [N, K]
    return torch::einsum("nk,agk->nag", {pooled, w}) + b;
  };
  return split;
}

torch::Tensor UpsampleCams(const torch::Tensor& maps, int64_t height, int64_t width) {
  TORCH_CHECK(maps.defined() && maps.dim() == 4 && maps.is_floating_point(),
              "maps: expected a 4-D floating-point tensor");
  TORCH_CHECK(height >= 1 && width >= 1, "height and width must be at least 1");
  namespace F = torch::nn::functional;
  return F::interpolate(maps, F::InterpolateFuncOptions()
                                  .size(std::vector<int64_t>{height, width})
                                  .mode(torch::kBilinear)
                                  .align_corners(false));
}

torch::Tensor CamMaxima(const torch::Tensor& maps) {
  TORCH_CHECK(maps.defined() && maps.dim() >= 2, "maps: expected at least 2 dimensions");
  return maps.flatten(-2).amax(-1);
}

torch::Tensor NormalizeCams(const torch::Tensor& maps) {
  TORCH_CHECK(maps.defined() && maps.dim() >= 2 && maps.is_floating_point(),
              "maps: expected a floating-point tensor of at least 2 dimensions");
  const torch::Tensor maxima = CamMaxima(maps).unsqueeze(-1).unsqueeze(-1);
  // Dividing by 1 where the maximum is 0 keeps an all-zero map all zeros.
  return maps / torch::where(maxima > 0, maxima, torch::ones_like(maxima));
}

}  // namespace skinlens::model
