// GradingModel: what the inference and explain services need from a SkinLens grading model,
// whichever way it was made: a native model bundle (SkinNet weights + metadata.json,
// model_bundle.h) or a TorchScript module exported from Python PyTorch (torchscript_model.h).
// LoadGradingModel() (grading_model_loader.h) picks the implementation from the path.
//
//   absl::StatusOr<std::unique_ptr<GradingModel>> model = LoadGradingModel(path);
//   const InputSpec& input = (*model)->metadata().input;  // crop size, normalisation
//   torch::InferenceMode inference;                        // in the worker thread
//   absl::StatusOr<GradingOutput> out = (*model)->Forward(images, /*return_features=*/true);
//   // out->logits: [N, A, G]; out->features: the Grad-CAM target feature map
//   ...
//   // Grad-CAM (grad mode on, features not created under InferenceMode):
//   torch::Tensor f = features.clone().requires_grad_();
//   absl::StatusOr<torch::Tensor> logits = (*model)->Head(f);
//   logits->select(1, a).select(1, g).sum().backward();  // f.grad()
#pragma once

#include <torch/types.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/model/model_metadata.h"

namespace skinlens::model {

// What GradingModel::Forward returns.
struct GradingOutput {
  torch::Tensor logits;    // [N, A, G] float: A attributes x G grades, in the metadata's order
  torch::Tensor features;  // the target feature map [N, C, h, w]; undefined unless requested
};

// How a GradingModel was made.
enum class GradingModelKind { kNativeBundle, kTorchScript };

// "native bundle" or "TorchScript".
absl::string_view GradingModelKindName(GradingModelKind kind);

// A loaded, validated grading model in eval mode on the CPU. Implementations: NativeGradingModel
// (grading_model_loader.h) and TorchScriptGradingModel (torchscript_model.h). All methods are
// const and safe to call from several threads at once; the model never changes after loading.
class GradingModel {
 public:
  virtual ~GradingModel() = default;

  // `images`: [N, 3, H, W] floating point, N >= 1, prepared as metadata().input says (usually
  // H x W = input.height x input.width). Returns the logits and, when `return_features`, the
  // target feature map. Runs under whatever autograd mode the caller set (InferenceMode for
  // serving). Errors: INVALID_ARGUMENT for an input of the wrong rank, channels or dtype, or one
  // the model cannot compute (the message carries LibTorch's); INTERNAL when the model's
  // output breaks its contract.
  virtual absl::StatusOr<GradingOutput> Forward(const torch::Tensor& images,
                                                bool return_features) const = 0;

  // The logits from a target feature map as Forward returned it: Head(Forward(x).features)
  // equals Forward(x).logits. Differentiable with respect to `features` when grad mode is on,
  // which is what Grad-CAM needs. Errors as Forward.
  virtual absl::StatusOr<torch::Tensor> Head(const torch::Tensor& features) const = 0;

  // The validated metadata: input size and normalisation, attribute and grade names (as many
  // as the logits have rows and columns), model version, training data, metrics.
  virtual const ModelMetadata& metadata() const = 0;

  virtual GradingModelKind kind() const = 0;
};

// OK when `images` is a defined [N, 3, H, W] floating-point tensor with N, H, W >= 1;
// otherwise INVALID_ARGUMENT saying what is wrong. For implementations of Forward.
absl::Status CheckImages(const torch::Tensor& images);

// OK when `features` is a defined 4-D floating-point tensor; otherwise INVALID_ARGUMENT. For
// implementations of Head.
absl::Status CheckFeatures(const torch::Tensor& features);

}  // namespace skinlens::model
