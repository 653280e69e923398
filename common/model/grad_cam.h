// Grad-CAM (Selvaraju et al. 2017, https://arxiv.org/abs/1610.02391) from a target feature map
// and the part of the network above it (the "head"), without running the backbone again.
//
// The gradient of a grade's logit with respect to the target layer's activations depends only
// on the layers above that layer, so differentiating the head alone gives exactly the Grad-CAM
// of the whole network at that layer (grad_cam_test.cc checks it against autograd through the
// whole SkinNet). One backward pass per attribute covers every crop of the batch: in eval mode
// the head treats crops independently, so the gradient of the sum over crops of each crop's own
// selected logit is, for each crop, the gradient of its own logit.
//
// Depends on LibTorch alone (no Abseil, OpenCV or gRPC), so the trainer and a LibTorch-only GPU
// build can use it. Like SkinNet, it reports broken preconditions with c10::Error
// (TORCH_CHECK): callers that must not throw check ValidateGradCamInputs() first and call
// GradCam() inside a try.
//
//   torch::Tensor features = ...;                 // [N, C, h, w] from Forward(x, true), any dtype
//   torch::Tensor grades = torch::full({N, 5}, kPredictedGrade, torch::kLong);
//   GradCamOutput cam = GradCam([&](const torch::Tensor& f) { return net->Head(f); },
//                               features, grades);
//   torch::Tensor heat = NormalizeCams(UpsampleCams(cam.maps, 224, 224));  // [N, 5, 224, 224]
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "common/model/skin_net.h"

namespace skinlens::model {

// The head above the target layer: feature map [N, C, h, w] float -> logits [N, A, G]. It must
// treat the crops of a batch independently (eval mode: no batch statistics, no dropout) and be
// differentiable with respect to its input. It may return an undefined tensor to report a
// failure of its own (GradCam then returns undefined maps).
using HeadFn = std::function<torch::Tensor(const torch::Tensor& features)>;

// A `grades` entry: explain the crop's predicted grade (argmax of its logits; the lowest grade
// wins a tie) for this attribute.
inline constexpr int64_t kPredictedGrade = -1;
// A `grades` entry: explain the crop's expected grade, sum_g g * softmax(logits)_g, instead of
// one grade's logit. Grades are ordinal: the evidence for "a higher grade" is what the attribute
// looks like (the lines, the spots), while one middle grade's logit rises and falls with the
// same evidence, so its map points anywhere (measured: docs/MODEL.md). A crop with nothing that
// raises its grade gets an empty map.
inline constexpr int64_t kExpectedGrade = -3;
// A `grades` entry: do not explain this attribute for this crop (its map is all zeros). An
// attribute skipped for every crop costs no backward pass. Note: the seed's label files use
// -1 and -2 for "not labelled"; map both to kSkipGrade before calling.
inline constexpr int64_t kSkipGrade = -2;

// What GradCam returns.
struct GradCamOutput {
  // [N, A, h, w] float32, >= 0: relu(sum_c alpha_c * A_c) with alpha_c the spatial mean of
  // d logit[n, a, grade] / d A_c, at the feature map's resolution; zeros where skipped.
  // Undefined when the head returned an undefined tensor.
  torch::Tensor maps;
  // [N, A] int64: the grade explained per crop and attribute (predicted grades resolved),
  // kExpectedGrade where the expected grade was explained, kSkipGrade where skipped.
  torch::Tensor grades;
  // [N, A, G] float32: the head's logits, detached.
  torch::Tensor logits;
};

// Returns "" when GradCam(head, features, grades) may be called for a head with
// `num_attributes` rows and `num_grades` columns of logits; otherwise what is wrong (in
// English, naming the argument). Checks: `features` is a defined 4-D floating-point tensor with
// N, C, h, w >= 1; `grades` is a defined [N, num_attributes] integer tensor on the CPU whose
// entries are kSkipGrade, kPredictedGrade, kExpectedGrade or in [0, num_grades).
std::string ValidateGradCamInputs(const torch::Tensor& features, const torch::Tensor& grades,
                                  int64_t num_attributes, int64_t num_grades);

// Grad-CAM of every crop of `features` for every attribute at the grade `grades` selects.
// `features` may be float16 (as the inference service sends it) or an inference tensor (made
// under torch::InferenceMode): it is copied to a float32 leaf that requires grad. Runs with
// grad mode on, whatever the caller's; precondition: not called under torch::InferenceMode
// (c10::InferenceMode::is_enabled() is false). Costs one head forward pass and one head
// backward pass per attribute that is explained for at least one crop. Computes on the device
// of `features`. Throws c10::Error when ValidateGradCamInputs() fails for the logits' shape, or
// when the head throws or returns logits of another shape than [N, A, G]. Thread-safe if
// `head` is.
GradCamOutput GradCam(const HeadFn& head, const torch::Tensor& features,
                      const torch::Tensor& grades);

// A head whose first layer is the same affine map at every pixel (a 1x1 convolution, with its
// batch norm folded in): head(f) = rest(conv1x1(f, weight, bias)). Grad-CAM needs only the
// spatial mean of d logit / d f, which is weight^T times the spatial mean of d logit / d z, so
// the backward passes stop at z and never run the convolution backwards. For SkinNet this makes
// Grad-CAM for five attributes cost about one head forward pass instead of six.
struct PointwiseSplitHead {
  torch::Tensor weight;  // [K, C] or [K, C, 1, 1]
  torch::Tensor bias;    // [K], or undefined for none
  HeadFn rest;           // z [N, K, h, w] -> logits [N, A, G]; as HeadFn
};

// GradCam(head, features, grades) for a split head: the same result (up to float rounding),
// computed as PointwiseSplitHead describes. Preconditions and errors as the HeadFn overload,
// and weight has C columns.
GradCamOutput GradCam(const PointwiseSplitHead& head, const torch::Tensor& features,
                      const torch::Tensor& grades);

// Grad-CAM at the target layer sharpened by LayerCAM (Jiang et al. 2021,
// https://doi.org/10.1109/TIP.2021.3089943) at a shallower layer S, for each crop and explained
// attribute: upsample(GradCam) / max  x  LayerCam_S / max, with LayerCam_S = relu(sum_c
// relu(d target / d S_c) * S_c) at S's resolution. The coarse map says which part of the region
// raised the grade, the shallow one which pixels (a line, a spot) the evidence came from: a
// 16 x 16 target map alone cannot point into a mask a few pixels wide (docs/MODEL.md measures
// both). `shallow` [N, C_s, H, W] is S's output (any float dtype; copied); `upper` runs the
// layers after S up to the target layer ([N, C, h, w]), `head` the rest, both differentiable
// and treating crops independently (eval mode). Returns maps [N, A, H, W] float32 in [0, 1]
// (zeros where skipped or without positive evidence), grades and logits as GradCam. Costs one
// forward of `upper` and `head` and one backward through both per explained attribute. Errors
// (c10::Error) as GradCam, for `shallow` in place of `features`.
GradCamOutput RefinedGradCam(const HeadFn& upper, const HeadFn& head, const torch::Tensor& shallow,
                             const torch::Tensor& grades);

// The split head of a SkinNet whose batch norms are folded (FoldBatchNorm), reading its
// parameters "head_conv.conv.weight" / ".bias" and "heads.<a>.weight" / ".bias" (the bundle's
// state-dict names); nullopt when the network is null, not folded or lacks them. The split
// head references the network's weights: the network must outlive it and not change. Eval mode
// only (dropout is left out). grad_cam_test checks it against the network's own Head().
std::optional<PointwiseSplitHead> SplitSkinNetHead(SkinNet net);

// Bilinear upsampling (align_corners = false, as torch.nn.functional.interpolate and OpenCV's
// INTER_LINEAR) of maps [N, A, h, w] to [N, A, height, width]. Precondition: `maps` is a 4-D
// floating-point tensor; height, width >= 1 (c10::Error otherwise). Values stay >= 0 and never
// exceed the input's maximum.
torch::Tensor UpsampleCams(const torch::Tensor& maps, int64_t height, int64_t width);

// Each map of [..., H, W] divided by its own maximum, so its values lie in [0, 1] with 1 at the
// strongest evidence. A map whose maximum is 0 (no positive evidence; Grad-CAM maps are never
// negative) stays all zeros rather than becoming NaN. Precondition: at least 2-D, floating
// point, values >= 0.
torch::Tensor NormalizeCams(const torch::Tensor& maps);

// Each map's maximum over its last two dimensions: [...] for maps [..., H, W].
torch::Tensor CamMaxima(const torch::Tensor& maps);

}  // namespace skinlens::model
