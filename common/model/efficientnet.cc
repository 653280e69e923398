#include "common/model/efficientnet.h"

#include <torch/nn/init.h>
#include <torch/nn/options/batchnorm.h>
#include <torch/nn/options/conv.h>
#include <torch/utils.h>

#include <algorithm>
#include <cmath>
#include <utility>

namespace skinlens::model {
namespace {

struct PublishedRow {
  const char* name;
  double width;
  double depth;
  int resolution;
  double dropout;
};

// Tan & Le 2019, and the reference implementation's efficientnet_params().
constexpr std::array<PublishedRow, 5> kPublished = {{
    {"efficientnet-b0", 1.0, 1.0, 224, 0.2},
    {"efficientnet-b1", 1.0, 1.1, 240, 0.2},
    {"efficientnet-b2", 1.1, 1.2, 260, 0.3},
    {"efficientnet-b3", 1.2, 1.4, 300, 0.3},
    {"efficientnet-b4", 1.4, 1.8, 380, 0.4},
}};

// Gradient-free code paths (inference, InferenceMode) may overwrite intermediate results in
// place; with autograd recording they must not, since backward needs them.
bool MayWriteInPlace() { return !torch::GradMode::is_enabled(); }

// The reference initialisation (also torchvision's): He normal with fan-out for convolutions.
void InitConv(torch::nn::Conv2d& conv) {
  torch::NoGradGuard no_grad;
  torch::nn::init::kaiming_normal_(conv->weight, /*a=*/0.0, torch::kFanOut);
  if (conv->bias.defined()) {
    conv->bias.zero_();
  }
}

// "Same" padding for the odd kernel sizes EfficientNet uses.
torch::nn::Conv2dOptions MakeConvOptions(const ConvBnActOptions& options, bool bias) {
  return torch::nn::Conv2dOptions(options.in_channels, options.out_channels, options.kernel_size)
      .stride(options.stride)
      .padding((options.kernel_size - 1) / 2)
      .groups(options.groups)
      .bias(bias);
}

}  // namespace

std::optional<EfficientNetConfig> PublishedEfficientNet(const std::string& name) {
  for (const PublishedRow& row : kPublished) {
    const std::string full = row.name;
    if (name == full || "efficientnet-" + name == full) {
      EfficientNetConfig config;
      config.name = full;
      config.width_multiplier = row.width;
      config.depth_multiplier = row.depth;
      config.resolution = row.resolution;
      config.dropout = row.dropout;
      return config;
    }
  }
  return std::nullopt;
}

std::vector<std::string> PublishedEfficientNetNames() {
  std::vector<std::string> names;
  for (const PublishedRow& row : kPublished) {
    names.emplace_back(row.name);
  }
  return names;
}

int RoundFilters(int channels, double width_multiplier) {
  constexpr int kDivisor = 8;
  const double scaled = channels * width_multiplier;
  int rounded = std::max(kDivisor, static_cast<int>(scaled + kDivisor / 2.0) / kDivisor * kDivisor);
  if (rounded < 0.9 * scaled) {
    rounded += kDivisor;
  }
  return rounded;
}

int RoundRepeats(int repeats, double depth_multiplier) {
  return static_cast<int>(std::ceil(depth_multiplier * repeats));
}

std::string ValidateEfficientNetConfig(const EfficientNetConfig& config) {
  if (config.name.empty()) {
    return "the variant name is empty";
  }
  // The upper bounds keep a typo (width 14 for 1.4) from allocating gigabytes.
  if (!(config.width_multiplier > 0.0 && config.width_multiplier <= 8.0)) {
    return "width_multiplier must be in (0, 8], got " + std::to_string(config.width_multiplier);
  }
  if (!(config.depth_multiplier > 0.0 && config.depth_multiplier <= 8.0)) {
    return "depth_multiplier must be in (0, 8], got " + std::to_string(config.depth_multiplier);
  }
  if (config.resolution < 1) {
    return "resolution must be positive, got " + std::to_string(config.resolution);
  }
  if (!(config.dropout >= 0.0 && config.dropout < 1.0)) {
    return "dropout must be in [0, 1), got " + std::to_string(config.dropout);
  }
  if (!(config.stochastic_depth >= 0.0 && config.stochastic_depth < 1.0)) {
    return "stochastic_depth must be in [0, 1), got " + std::to_string(config.stochastic_depth);
  }
  if (!(config.batch_norm_eps > 0.0 && config.batch_norm_eps < 1.0)) {
    return "batch_norm_eps must be in (0, 1), got " + std::to_string(config.batch_norm_eps);
  }
  if (!(config.batch_norm_momentum > 0.0 && config.batch_norm_momentum <= 1.0)) {
    return "batch_norm_momentum must be in (0, 1], got " +
           std::to_string(config.batch_norm_momentum);
  }
  if (std::optional<EfficientNetConfig> published = PublishedEfficientNet(config.name)) {
    if (published->width_multiplier != config.width_multiplier ||
        published->depth_multiplier != config.depth_multiplier) {
      return config.name + " has width " + std::to_string(published->width_multiplier) +
             " and depth " + std::to_string(published->depth_multiplier) +
             "; give a custom variant another name";
    }
  }
  return "";
}

std::vector<BlockSpec> ExpandBlocks(const EfficientNetConfig& config) {
  int total = 0;
  for (const StageSpec& stage : kB0Stages) {
    total += RoundRepeats(stage.repeats, config.depth_multiplier);
  }
  std::vector<BlockSpec> blocks;
  blocks.reserve(total);
  int in_channels = RoundFilters(kB0StemChannels, config.width_multiplier);
  for (int s = 0; s < static_cast<int>(kB0Stages.size()); ++s) {
    const StageSpec& stage = kB0Stages[s];
    const int out_channels = RoundFilters(stage.out_channels, config.width_multiplier);
    const int repeats = RoundRepeats(stage.repeats, config.depth_multiplier);
    for (int i = 0; i < repeats; ++i) {
      BlockSpec block;
      block.stage = s;
      block.index_in_stage = i;
      block.in_channels = i == 0 ? in_channels : out_channels;
      block.out_channels = out_channels;
      block.expand_ratio = stage.expand_ratio;
      block.kernel_size = stage.kernel_size;
      block.stride = i == 0 ? stage.stride : 1;
      block.drop_probability =
          config.stochastic_depth * static_cast<double>(blocks.size()) / static_cast<double>(total);
      blocks.push_back(block);
    }
    in_channels = out_channels;
  }
  return blocks;
}

torch::Tensor StochasticDepth(const torch::Tensor& branch, double drop_probability, bool training) {
  TORCH_CHECK(drop_probability >= 0.0 && drop_probability <= 1.0,
              "drop probability must be in [0, 1], got ", drop_probability);
  if (!training || drop_probability == 0.0) {
    return branch;
  }
  const double survival = 1.0 - drop_probability;
  std::vector<int64_t> mask_shape(branch.dim(), 1);
  mask_shape[0] = branch.size(0);
  torch::Tensor keep = torch::empty(mask_shape, branch.options()).bernoulli_(survival);
  if (survival > 0.0) {
    keep.div_(survival);
  }
  return branch * keep;
}

ConvBnActImpl::ConvBnActImpl(const ConvBnActOptions& options) : options_(options) {
  TORCH_CHECK(options.kernel_size % 2 == 1, "kernel size must be odd, got ", options.kernel_size);
  conv_ = register_module("conv", torch::nn::Conv2d(MakeConvOptions(options, /*bias=*/false)));
  InitConv(conv_);
  bn_ = register_module("bn",
                        torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(options.out_channels)
                                                   .eps(options.batch_norm.eps)
                                                   .momentum(options.batch_norm.momentum)));
}

torch::Tensor ConvBnActImpl::forward(const torch::Tensor& x) {
  torch::Tensor y = conv_(x);
  if (!folded_) {
    y = bn_(y);
  }
  if (options_.activation) {
    y = MayWriteInPlace() ? torch::silu_(y) : torch::silu(y);
  }
  return y;
}

void ConvBnActImpl::FoldBatchNorm() {
  if (folded_) {
    return;
  }
  torch::NoGradGuard no_grad;
  // In double precision, so that folding adds no error beyond the final rounding to float.
  const torch::Tensor weight = conv_->weight.to(torch::kFloat64);
  const torch::Tensor scale =
      bn_->weight.to(torch::kFloat64) /
      torch::sqrt(bn_->running_var.to(torch::kFloat64) + bn_->options.eps());
  const torch::Tensor folded_weight = weight * scale.reshape({-1, 1, 1, 1});
  const torch::Tensor folded_bias =
      bn_->bias.to(torch::kFloat64) - bn_->running_mean.to(torch::kFloat64) * scale;

  torch::nn::Conv2d folded(MakeConvOptions(options_, /*bias=*/true));
  folded->weight.copy_(folded_weight);
  folded->bias.copy_(folded_bias);
  folded->to(conv_->weight.device(), conv_->weight.scalar_type());
  folded->eval();
  conv_ = replace_module("conv", folded);
  unregister_module("bn");
  bn_ = nullptr;
  folded_ = true;
}

SqueezeExcitationImpl::SqueezeExcitationImpl(int channels, int squeeze_channels) {
  reduce_ = register_module(
      "reduce", torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, squeeze_channels, 1)));
  expand_ = register_module(
      "expand", torch::nn::Conv2d(torch::nn::Conv2dOptions(squeeze_channels, channels, 1)));
  InitConv(reduce_);
  InitConv(expand_);
}

torch::Tensor SqueezeExcitationImpl::Gates(const torch::Tensor& x) {
  const bool in_place = MayWriteInPlace();
  torch::Tensor scale = x.mean({2, 3}, /*keepdim=*/true);
  scale = reduce_(scale);
  scale = in_place ? torch::silu_(scale) : torch::silu(scale);
  scale = expand_(scale);
  return in_place ? scale.sigmoid_() : scale.sigmoid();
}

torch::Tensor SqueezeExcitationImpl::forward(const torch::Tensor& x) { return x * Gates(x); }

MBConvImpl::MBConvImpl(const BlockSpec& spec, const BatchNormSettings& batch_norm)
    : spec_(spec), has_residual_(spec.stride == 1 && spec.in_channels == spec.out_channels) {
  const int expanded = spec.in_channels * spec.expand_ratio;
  if (spec.expand_ratio != 1) {
    expand_ = register_module("expand", ConvBnAct(ConvBnActOptions{spec.in_channels, expanded, 1, 1,
                                                                   1, true, batch_norm}));
  }
  depthwise_ = register_module(
      "depthwise", ConvBnAct(ConvBnActOptions{expanded, expanded, spec.kernel_size, spec.stride,
                                              expanded, true, batch_norm}));
  se_ = register_module("se", SqueezeExcitation(expanded, std::max(1, spec.in_channels / 4)));
  project_ = register_module("project", ConvBnAct(ConvBnActOptions{expanded, spec.out_channels, 1,
                                                                   1, 1, false, batch_norm}));
}

torch::Tensor MBConvImpl::forward(const torch::Tensor& x) {
  torch::Tensor y = expand_ ? expand_(x) : x;
  y = depthwise_(y);
  // The depthwise output is this block's own tensor: without autograd, scale it in place.
  y = MayWriteInPlace() ? y.mul_(se_->Gates(y)) : se_(y);
  y = project_(y);
  if (!has_residual_) {
    return y;
  }
  y = StochasticDepth(y, spec_.drop_probability, is_training());
  // `y` is a fresh tensor here (the projection's output or the stochastic depth product).
  return MayWriteInPlace() ? y.add_(x) : y + x;
}

}  // namespace skinlens::model
