// EfficientNet building blocks and configurations (Tan & Le, "EfficientNet: Rethinking Model
// Scaling for Convolutional Neural Networks", ICML 2019, https://arxiv.org/abs/1905.11946),
// written with the LibTorch C++ frontend.
//
// This file and skin_net.h depend only on LibTorch and the C++ standard library, and use only
// the stable frontend API common to LibTorch 1.13 and 2.x, so they build on a machine that has
// nothing but a pip LibTorch. Like torch::nn modules, the modules here report broken
// preconditions with c10::Error; the Abseil-based wrappers in model_bundle.h turn those into
// absl::Status.
//
//   std::optional<EfficientNetConfig> b0 = PublishedEfficientNet("efficientnet-b0");
//   std::vector<BlockSpec> blocks = ExpandBlocks(*b0);  // the 16 MBConv blocks of B0
//   MBConv block(blocks[1], BatchNormSettings{b0->batch_norm_eps, b0->batch_norm_momentum});
//   torch::Tensor y = block(torch::randn({1, 16, 112, 112}));  // [1, 24, 56, 56]
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace skinlens::model {

// One row of the EfficientNet-B0 stage table (paper, Table 1).
struct StageSpec {
  int expand_ratio;
  int kernel_size;
  int stride;  // of the first block of the stage; the others have stride 1
  int repeats;
  int out_channels;
};

// The B0 baseline that the width and depth multipliers scale.
inline constexpr int kB0StemChannels = 32;
inline constexpr int kB0HeadChannels = 1280;
inline constexpr std::array<StageSpec, 7> kB0Stages = {{
    {1, 3, 1, 1, 16},
    {6, 3, 2, 2, 24},
    {6, 5, 2, 2, 40},
    {6, 3, 2, 3, 80},
    {6, 5, 1, 3, 112},
    {6, 5, 2, 4, 192},
    {6, 3, 1, 1, 320},
}};

// A member of the EfficientNet family: B0 scaled in width and depth. Defaults are B0.
struct EfficientNetConfig {
  // "efficientnet-b0" .. "efficientnet-b4" for the published configurations; any other
  // non-empty name for a custom variant (e.g. a tiny one for tests).
  std::string name = "efficientnet-b0";
  double width_multiplier = 1.0;  // channels: RoundFilters(c, width_multiplier)
  double depth_multiplier = 1.0;  // blocks per stage: RoundRepeats(n, depth_multiplier)
  int resolution = 224;           // the input size the variant was published with
  double dropout = 0.2;           // before the classification heads, training only
  // Drop probability of the last block's residual branch; block i of n drops with
  // stochastic_depth * i / n (the reference's drop-connect schedule). Training only.
  double stochastic_depth = 0.2;
  // The reference implementation's batch norm (TensorFlow: epsilon 1e-3, decay 0.99).
  // torchvision's B0-B4 use PyTorch's defaults (1e-5, 0.1) instead.
  double batch_norm_eps = 1e-3;
  double batch_norm_momentum = 0.01;
};

// The published compound-scaling configurations B0-B4 (width, depth, resolution, dropout):
// B0 1.0/1.0/224/0.2, B1 1.0/1.1/240/0.2, B2 1.1/1.2/260/0.3, B3 1.2/1.4/300/0.3,
// B4 1.4/1.8/380/0.4. `name` is "efficientnet-bN" or "bN"; nullopt for any other name.
std::optional<EfficientNetConfig> PublishedEfficientNet(const std::string& name);

// The names PublishedEfficientNet() knows, "efficientnet-b0" first.
std::vector<std::string> PublishedEfficientNetNames();

// The reference's round_filters: channels * width_multiplier rounded to the nearest multiple
// of 8 (at least 8), rounding up once more when that loses over 10%.
int RoundFilters(int channels, double width_multiplier);

// The reference's round_repeats: ceil(repeats * depth_multiplier).
int RoundRepeats(int repeats, double depth_multiplier);

// Returns "" when `config` describes a network that can be built, otherwise the reason.
std::string ValidateEfficientNetConfig(const EfficientNetConfig& config);

// Batch norm settings shared by every layer of one network.
struct BatchNormSettings {
  double eps = 1e-3;
  double momentum = 0.01;
};

// One MBConv block after scaling, as ExpandBlocks() lays them out.
struct BlockSpec {
  int stage = 0;           // 0..6, the row of kB0Stages
  int index_in_stage = 0;  // 0 for the block that changes stride and channels
  int in_channels = 0;
  int out_channels = 0;
  int expand_ratio = 1;
  int kernel_size = 3;
  int stride = 1;
  double drop_probability = 0.0;  // stochastic depth of this block's residual branch
};

// Every MBConv block of the scaled network, in order. Precondition: the config is valid.
std::vector<BlockSpec> ExpandBlocks(const EfficientNetConfig& config);

// Stochastic depth ("drop-connect", Huang et al. 2016, https://arxiv.org/abs/1603.09382) in
// the per-sample form of the reference: while training, each sample's residual branch is
// zeroed with probability `drop_probability` and the survivors are scaled by
// 1 / (1 - drop_probability); otherwise returns `branch` itself. Precondition:
// 0 <= drop_probability <= 1 and `branch` has a batch dimension.
torch::Tensor StochasticDepth(const torch::Tensor& branch, double drop_probability, bool training);

// The options of a ConvBnAct layer.
struct ConvBnActOptions {
  int in_channels = 0;
  int out_channels = 0;
  int kernel_size = 1;
  int stride = 1;
  int groups = 1;
  bool activation = true;  // SiLU after batch norm
  BatchNormSettings batch_norm;
};

// Convolution ("same" padding, no bias) -> batch norm -> optional SiLU, with batch norm
// foldable into the convolution for inference. Parameters: conv.weight and bn.*, or
// conv.weight and conv.bias once folded.
class ConvBnActImpl : public torch::nn::Module {
 public:
  explicit ConvBnActImpl(const ConvBnActOptions& options);

  // `x`: [N, in_channels, H, W], any memory format. Not thread-safe in training mode (batch
  // norm updates its running statistics); concurrent calls are fine in eval mode.
  torch::Tensor forward(const torch::Tensor& x);

  // Replaces conv + batch norm by one convolution with bias computing the same function in
  // eval mode (y = (W x - mean) * gamma / sqrt(var + eps) + beta). The module is inference-only
  // afterwards. Idempotent. Not thread-safe.
  void FoldBatchNorm();

  bool batch_norm_folded() const { return folded_; }
  const ConvBnActOptions& options() const { return options_; }

 private:
  ConvBnActOptions options_;
  torch::nn::Conv2d conv_{nullptr};
  torch::nn::BatchNorm2d bn_{nullptr};  // null once folded
  bool folded_ = false;
};
TORCH_MODULE(ConvBnAct);

// Squeeze-and-excitation (Hu et al. 2018, https://arxiv.org/abs/1709.01507): global average
// pool -> 1x1 conv (reduce) -> SiLU -> 1x1 conv (expand) -> sigmoid, scaling each channel.
class SqueezeExcitationImpl : public torch::nn::Module {
 public:
  SqueezeExcitationImpl(int channels, int squeeze_channels);

  // `x`: [N, channels, H, W]; returns x scaled per channel.
  torch::Tensor forward(const torch::Tensor& x);

  // The per-channel scales of `x`, [N, channels, 1, 1] in (0, 1): forward(x) is x * Gates(x).
  torch::Tensor Gates(const torch::Tensor& x);

 private:
  torch::nn::Conv2d reduce_{nullptr};
  torch::nn::Conv2d expand_{nullptr};
};
TORCH_MODULE(SqueezeExcitation);

// Mobile inverted bottleneck (MobileNetV2's MBConv) with squeeze-and-excitation: optional 1x1
// expansion -> depthwise kxk -> SE (squeezed to in_channels / 4) -> 1x1 projection without
// activation, plus the input (through stochastic depth) when stride is 1 and channels match.
class MBConvImpl : public torch::nn::Module {
 public:
  MBConvImpl(const BlockSpec& spec, const BatchNormSettings& batch_norm);

  // `x`: [N, in_channels, H, W]. Thread safety as ConvBnAct::forward.
  torch::Tensor forward(const torch::Tensor& x);

  const BlockSpec& spec() const { return spec_; }
  bool has_residual() const { return has_residual_; }

 private:
  BlockSpec spec_;
  bool has_residual_ = false;
  ConvBnAct expand_{nullptr};  // null when expand_ratio is 1
  ConvBnAct depthwise_{nullptr};
  SqueezeExcitation se_{nullptr};
  ConvBnAct project_{nullptr};
};
TORCH_MODULE(MBConv);

}  // namespace skinlens::model
