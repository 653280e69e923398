// SkinNet: the SkinLens grading network. A backbone shared by one classification head per skin
// attribute, so one forward pass grades all attributes of a crop. Two backbone families:
// - EfficientNet (efficientnet.h): the seed's network; its target map is 1/32 of the input
//   (4 x 4 at 128 px), too coarse for Grad-CAM to point at a wrinkle or a spot.
// - Plain CNN: a few 3x3 conv + batch norm + SiLU layers with a chosen stride per layer, e.g.
//   1/16 (16 x 16 at 256 px); the head is global average pool + linear, so its Grad-CAM is CAM.
//
// forward() returns logits [N, A, G] (A attributes, G grades; 5 x 5 for SkinLens) and, when
// asked, the Grad-CAM target feature map: the output of the last MBConv stage ("stages.6",
// [N, 320 * width, H / 32, W / 32]). Head() maps that feature map to the same logits, so
// Grad-CAM can differentiate the head alone instead of the whole network.
//
// Depends only on LibTorch (see efficientnet.h). For inference: eval(), FoldBatchNorm(), then
// forward under torch::InferenceMode, optionally with ConvertToChannelsLast() and a
// channels-last input.
//
//   SkinNet net(SkinNetConfig{});  // B0, 5 attributes x 5 grades
//   net->FoldBatchNorm();          // also switches to eval mode
//   torch::InferenceMode inference;
//   SkinNetOutput out = net->forward(images, /*return_features=*/true);
//   // out.logits: [N, 5, 5]; out.features: [N, 320, 7, 7] for 224 x 224 images
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/model/efficientnet.h"

namespace skinlens::model {

// The name of the EfficientNet Grad-CAM target layer: the last MBConv stage, whose output feeds
// the 1x1 head convolution. Its output is what forward() returns as `features`.
inline constexpr char kTargetLayerName[] = "stages.6";

// The two backbone families.
enum class BackboneFamily { kEfficientNet, kPlainCnn };

// The layers of a plain CNN backbone: layer i is a 3x3 conv to channels[i] with strides[i]
// (1 or 2), batch norm and SiLU. Default: 7 layers, about 0.29 M parameters, output stride 16.
struct PlainCnnConfig {
  std::vector<int> channels = {16, 32, 32, 64, 64, 128, 128};
  std::vector<int> strides = {2, 2, 1, 2, 1, 2, 1};
};

// The variant name a plain CNN carries in `EfficientNetConfig::name` and the bundle.
inline constexpr char kPlainCnnVariant[] = "plain-cnn";

// The shape of a SkinNet. Defaults: B0, 5 attributes x 5 grades.
struct SkinNetConfig {
  BackboneFamily family = BackboneFamily::kEfficientNet;
  // EfficientNet: the whole backbone. Plain CNN: only resolution, dropout (before the heads) and
  // the batch norm settings are used; name is kPlainCnnVariant, multipliers 1.
  EfficientNetConfig backbone;
  PlainCnnConfig plain;    // used when family is kPlainCnn
  int num_attributes = 5;  // 5 for the shared network, 1 for a per-attribute one
  int num_grades = 5;
};

// The plain single-head classifier of the paper (ImageNet: 1 x 1000), for comparing with the
// published parameter counts.
SkinNetConfig ImageNetClassifierConfig(const EfficientNetConfig& backbone);

// A plain CNN configuration with the given layers (other settings default).
SkinNetConfig PlainCnnSkinNetConfig(const PlainCnnConfig& plain);

// Returns "" when a SkinNet can be built from `config`, otherwise the reason.
std::string ValidateSkinNetConfig(const SkinNetConfig& config);

// The Grad-CAM target layer of a network of this shape: "stages.6" for EfficientNet, "plain.<last
// layer index>" for a plain CNN.
std::string TargetLayerName(const SkinNetConfig& config);

// The total stride of the target map (32 for EfficientNet, the product of a plain CNN's strides).
int TargetStride(const SkinNetConfig& config);

// What SkinNet::forward returns.
struct SkinNetOutput {
  torch::Tensor logits;    // [N, num_attributes, num_grades]
  torch::Tensor features;  // the target layer's output; undefined unless requested
};

// The network, EfficientNet: stem -> stages.0..6 (MBConv) = Features(); head_conv (1x1 conv + BN +
// SiLU) -> global average pool -> dropout -> heads.a (one linear layer per attribute) = Head().
// Plain CNN: plain.0..L-1 (ConvBnAct) = Features(); global average pool -> dropout -> heads.a.
// Parameter names (state dict keys) are stable: the model bundle format relies on them.
class SkinNetImpl : public torch::nn::Module {
 public:
  // Precondition: ValidateSkinNetConfig(config) is empty (c10::Error otherwise). Weights are
  // initialised as the reference does, from LibTorch's global generator (torch::manual_seed).
  explicit SkinNetImpl(const SkinNetConfig& config);

  // `images`: [N, 3, H, W] float, normalised, any memory format and size.
  // Returns logits, plus the target feature map when `return_features`. Works under
  // torch::InferenceMode and torch::NoGradGuard (then intermediate results are overwritten
  // in place). Concurrent calls are safe in eval mode only: training mode updates batch norm
  // statistics.
  SkinNetOutput forward(const torch::Tensor& images, bool return_features = false);

  // The target feature map of `images`: stem and the seven MBConv stages.
  torch::Tensor Features(const torch::Tensor& images);

  // Plain CNN only: layers [first, end) of the backbone applied to `x`, so that
  // Features(x) equals PlainLayers(PlainLayers(x, 0, k), k, plain_layer_count()) for every k.
  // For explaining from a shallower layer (RefinedGradCam). c10::Error for an EfficientNet or a
  // range outside [0, plain_layer_count()].
  torch::Tensor PlainLayers(const torch::Tensor& x, int first, int end);
  int plain_layer_count() const { return static_cast<int>(plain_layers_.size()); }

  // Logits from a target feature map: (EfficientNet only: head conv + BN + SiLU), pool, dropout,
  // per-attribute linear. Head(Features(x)) equals forward(x).logits. Differentiable with respect
  // to `features` in any mode, which is what Grad-CAM needs.
  torch::Tensor Head(const torch::Tensor& features);

  // Folds every batch norm into its convolution and switches to eval mode. The network is
  // inference-only afterwards (its state dict has conv biases instead of batch norms, so it
  // cannot be saved as a bundle). Returns the number of batch norms folded (0 when already
  // folded). Not thread-safe.
  int FoldBatchNorm();

  bool batch_norm_folded() const { return folded_; }
  const SkinNetConfig& config() const { return config_; }
  int feature_channels() const { return feature_channels_; }  // channels of `features`
  // Channels the heads read: 1280 * width, rounded (EfficientNet); feature_channels (plain).
  int head_channels() const { return head_channels_; }

 private:
  void BuildPlainBackbone(const BatchNormSettings& batch_norm);
  void BuildEfficientNetBackbone(const BatchNormSettings& batch_norm);
  void BuildHeads();

  SkinNetConfig config_;
  int feature_channels_ = 0;
  int head_channels_ = 0;
  bool folded_ = false;
  ConvBnAct stem_{nullptr};
  torch::nn::ModuleList stages_{nullptr};    // of ModuleList of MBConv
  std::vector<std::vector<MBConv>> blocks_;  // the same blocks, typed, per stage
  torch::nn::ModuleList plain_{nullptr};     // of ConvBnAct, plain CNN only
  std::vector<ConvBnAct> plain_layers_;
  ConvBnAct head_conv_{nullptr};          // EfficientNet only
  torch::nn::ModuleList heads_{nullptr};  // of Linear
  std::vector<torch::nn::Linear> head_layers_;
};
TORCH_MODULE(SkinNet);

// The number of parameter elements (weights and biases; not batch norm running statistics),
// as torchvision and the paper count them.
int64_t CountParameters(const torch::nn::Module& module);

// Stores every 4-D parameter and buffer of `module` in channels-last (NHWC) memory format,
// so that channels-last inputs run without layout conversions. Not thread-safe.
void ConvertToChannelsLast(torch::nn::Module& module);

}  // namespace skinlens::model
