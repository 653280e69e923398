#include "common/model/skin_net.h"

#include <torch/nn/init.h>
#include <torch/nn/options/linear.h>
#include <torch/utils.h>

#include <cmath>
#include <string>
#include <utility>

namespace skinlens::model {

SkinNetConfig ImageNetClassifierConfig(const EfficientNetConfig& backbone) {
  SkinNetConfig config;
  config.backbone = backbone;
  config.num_attributes = 1;
  config.num_grades = 1000;
  return config;
}

SkinNetConfig PlainCnnSkinNetConfig(const PlainCnnConfig& plain) {
  SkinNetConfig config;
  config.family = BackboneFamily::kPlainCnn;
  config.backbone.name = kPlainCnnVariant;
  config.backbone.width_multiplier = 1.0;
  config.backbone.depth_multiplier = 1.0;
  config.backbone.stochastic_depth = 0.0;
  config.plain = plain;
  return config;
}

namespace {

std::string ValidatePlainCnnConfig(const PlainCnnConfig& plain) {
  // The bounds keep a typo from allocating gigabytes; 16 layers is far past what the crops need.
  if (plain.channels.empty() || plain.channels.size() > 16) {
    return "a plain CNN needs 1 to 16 layers, got " + std::to_string(plain.channels.size());
  }
  if (plain.strides.size() != plain.channels.size()) {
    return "a plain CNN needs one stride per layer: " + std::to_string(plain.channels.size()) +
           " channel counts, " + std::to_string(plain.strides.size()) + " strides";
  }
  for (size_t i = 0; i < plain.channels.size(); ++i) {
    if (plain.channels[i] < 1 || plain.channels[i] > 2048) {
      return "plain CNN layer " + std::to_string(i) + ": channels must be in [1, 2048], got " +
             std::to_string(plain.channels[i]);
    }
    if (plain.strides[i] != 1 && plain.strides[i] != 2) {
      return "plain CNN layer " + std::to_string(i) + ": stride must be 1 or 2, got " +
             std::to_string(plain.strides[i]);
    }
  }
  return "";
}

}  // namespace

std::string ValidateSkinNetConfig(const SkinNetConfig& config) {
  if (std::string reason = ValidateEfficientNetConfig(config.backbone); !reason.empty()) {
    return reason;
  }
  if (config.family == BackboneFamily::kPlainCnn) {
    if (std::string reason = ValidatePlainCnnConfig(config.plain); !reason.empty()) {
      return reason;
    }
  }
  if (config.num_attributes < 1 || config.num_attributes > 64) {
    return "num_attributes must be in [1, 64], got " + std::to_string(config.num_attributes);
  }
  if (config.num_grades < 2 || config.num_grades > 100000) {
    return "num_grades must be in [2, 100000], got " + std::to_string(config.num_grades);
  }
  return "";
}

std::string TargetLayerName(const SkinNetConfig& config) {
  if (config.family == BackboneFamily::kPlainCnn) {
    return "plain." +
           std::to_string(config.plain.channels.empty() ? 0 : config.plain.channels.size() - 1);
  }
  return kTargetLayerName;
}

int TargetStride(const SkinNetConfig& config) {
  if (config.family != BackboneFamily::kPlainCnn) return 32;
  int stride = 1;
  for (int s : config.plain.strides) stride *= s;
  return stride;
}

SkinNetImpl::SkinNetImpl(const SkinNetConfig& config) : config_(config) {
  const std::string invalid = ValidateSkinNetConfig(config);
  TORCH_CHECK(invalid.empty(), "invalid SkinNet configuration: ", invalid);
  const EfficientNetConfig& backbone = config.backbone;
  const BatchNormSettings batch_norm{backbone.batch_norm_eps, backbone.batch_norm_momentum};
  if (config.family == BackboneFamily::kPlainCnn) {
    BuildPlainBackbone(batch_norm);
  } else {
    BuildEfficientNetBackbone(batch_norm);
  }
  BuildHeads();
}

void SkinNetImpl::BuildPlainBackbone(const BatchNormSettings& batch_norm) {
  plain_ = register_module("plain", torch::nn::ModuleList());
  int in_channels = 3;
  for (size_t i = 0; i < config_.plain.channels.size(); ++i) {
    ConvBnAct layer(ConvBnActOptions{in_channels, config_.plain.channels[i], 3,
                                     config_.plain.strides[i], 1, true, batch_norm});
    plain_->push_back(layer);
    plain_layers_.push_back(layer);
    in_channels = config_.plain.channels[i];
  }
  feature_channels_ = in_channels;
  head_channels_ = in_channels;
}

void SkinNetImpl::BuildEfficientNetBackbone(const BatchNormSettings& batch_norm) {
  const EfficientNetConfig& backbone = config_.backbone;

  const int stem_channels = RoundFilters(kB0StemChannels, backbone.width_multiplier);
  stem_ = register_module("stem",
                          ConvBnAct(ConvBnActOptions{3, stem_channels, 3, 2, 1, true, batch_norm}));

  stages_ = register_module("stages", torch::nn::ModuleList());
  blocks_.resize(kB0Stages.size());
  std::vector<torch::nn::ModuleList> stage_lists(kB0Stages.size());
  for (torch::nn::ModuleList& list : stage_lists) {
    list = torch::nn::ModuleList();
    stages_->push_back(list);
  }
  for (const BlockSpec& spec : ExpandBlocks(backbone)) {
    MBConv block(spec, batch_norm);
    stage_lists[spec.stage]->push_back(block);
    blocks_[spec.stage].push_back(block);
    feature_channels_ = spec.out_channels;
  }

  head_channels_ = RoundFilters(kB0HeadChannels, backbone.width_multiplier);
  head_conv_ = register_module(
      "head_conv",
      ConvBnAct(ConvBnActOptions{feature_channels_, head_channels_, 1, 1, 1, true, batch_norm}));
}

void SkinNetImpl::BuildHeads() {
  const SkinNetConfig& config = config_;
  heads_ = register_module("heads", torch::nn::ModuleList());
  torch::NoGradGuard no_grad;
  // The reference initialisation of the classifier: uniform(+-1/sqrt(outputs)), zero bias.
  const double bound = 1.0 / std::sqrt(static_cast<double>(config.num_grades));
  for (int a = 0; a < config.num_attributes; ++a) {
    torch::nn::Linear head(torch::nn::LinearOptions(head_channels_, config.num_grades));
    torch::nn::init::uniform_(head->weight, -bound, bound);
    head->bias.zero_();
    heads_->push_back(head);
    head_layers_.push_back(head);
  }
}

torch::Tensor SkinNetImpl::Features(const torch::Tensor& images) {
  TORCH_CHECK(images.dim() == 4 && images.size(1) == 3, "SkinNet expects images [N, 3, H, W], got ",
              images.sizes());
  if (config_.family == BackboneFamily::kPlainCnn) {
    torch::Tensor x = images;
    for (ConvBnAct& layer : plain_layers_) {
      x = layer(x);
    }
    return x;
  }
  torch::Tensor x = stem_(images);
  for (std::vector<MBConv>& stage : blocks_) {
    for (MBConv& block : stage) {
      x = block(x);
    }
  }
  return x;
}

torch::Tensor SkinNetImpl::PlainLayers(const torch::Tensor& x, int first, int end) {
  TORCH_CHECK(config_.family == BackboneFamily::kPlainCnn,
              "PlainLayers needs a plain CNN backbone");
  TORCH_CHECK(0 <= first && first <= end && end <= plain_layer_count(), "PlainLayers: layers [",
              first, ", ", end, ") outside [0, ", plain_layer_count(), "]");
  torch::Tensor y = x;
  for (int i = first; i < end; ++i) y = plain_layers_[static_cast<size_t>(i)](y);
  return y;
}

torch::Tensor SkinNetImpl::Head(const torch::Tensor& features) {
  TORCH_CHECK(features.dim() == 4 && features.size(1) == feature_channels_,
              "SkinNet::Head expects features [N, ", feature_channels_, ", H, W], got ",
              features.sizes());
  torch::Tensor x = head_conv_ ? head_conv_(features) : features;
  x = x.mean({2, 3});  // global average pool: [N, head_channels]
  x = torch::dropout(x, config_.backbone.dropout, is_training());
  std::vector<torch::Tensor> logits;
  logits.reserve(head_layers_.size());
  for (torch::nn::Linear& head : head_layers_) {
    logits.push_back(head(x));
  }
  return torch::stack(logits, /*dim=*/1);
}

SkinNetOutput SkinNetImpl::forward(const torch::Tensor& images, bool return_features) {
  SkinNetOutput output;
  torch::Tensor features = Features(images);
  output.logits = Head(features);
  if (return_features) {
    output.features = std::move(features);
  }
  return output;
}

int SkinNetImpl::FoldBatchNorm() {
  eval();
  if (folded_) {
    return 0;
  }
  int folded = 0;
  for (const std::shared_ptr<torch::nn::Module>& module : modules(/*include_self=*/false)) {
    if (auto* layer = module->as<ConvBnActImpl>();
        layer != nullptr && !layer->batch_norm_folded()) {
      layer->FoldBatchNorm();
      ++folded;
    }
  }
  folded_ = true;
  return folded;
}

int64_t CountParameters(const torch::nn::Module& module) {
  int64_t count = 0;
  for (const torch::Tensor& parameter : module.parameters(/*recurse=*/true)) {
    count += parameter.numel();
  }
  return count;
}

void ConvertToChannelsLast(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  auto convert = [](torch::Tensor& tensor) {
    if (tensor.defined() && tensor.dim() == 4) {
      tensor.set_data(tensor.contiguous(torch::MemoryFormat::ChannelsLast));
    }
  };
  for (torch::Tensor& parameter : module.parameters(/*recurse=*/true)) {
    convert(parameter);
  }
  for (torch::Tensor& buffer : module.buffers(/*recurse=*/true)) {
    convert(buffer);
  }
}

}  // namespace skinlens::model
