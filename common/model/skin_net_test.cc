#include "common/model/skin_net.h"

#include <torch/utils.h>

#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skinlens::model {
namespace {

using Shape = std::vector<int64_t>;

// A tiny variant (one block per stage, a quarter of the channels) for fast tests.
SkinNetConfig TinyConfig() {
  SkinNetConfig config;
  config.backbone.name = "efficientnet-tiny";
  config.backbone.width_multiplier = 0.25;
  config.backbone.depth_multiplier = 0.25;
  config.backbone.resolution = 64;
  return config;
}

// Gives every batch norm a non-trivial state, as after training.
void RandomizeBatchNorms(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  for (const auto& named : module.named_buffers()) {
    if (named.key().find("running_mean") != std::string::npos) {
      named.value().uniform_(-0.2, 0.2);
    } else if (named.key().find("running_var") != std::string::npos) {
      named.value().uniform_(0.5, 1.5);
    }
  }
  for (const auto& named : module.named_parameters()) {
    if (named.key().find("bn.weight") != std::string::npos) {
      named.value().uniform_(0.5, 1.5);
    } else if (named.key().find("bn.bias") != std::string::npos) {
      named.value().uniform_(-0.2, 0.2);
    }
  }
}

double MaxAbsDiff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().max().item<double>();
}

TEST(SkinNet, TinyVariantGivesLogitsPerAttributeAndTheStrideThirtyTwoFeatureMap) {
  torch::manual_seed(1);
  SkinNet net(TinyConfig());
  net->eval();
  EXPECT_EQ(net->feature_channels(), 80);  // 320 / 4
  EXPECT_EQ(net->head_channels(), 320);    // 1280 / 4
  const SkinNetOutput out = net->forward(torch::randn({2, 3, 64, 64}), /*return_features=*/true);
  EXPECT_EQ(out.logits.sizes(), (Shape{2, 5, 5}));
  EXPECT_EQ(out.features.sizes(), (Shape{2, 80, 2, 2}));
  EXPECT_FALSE(net->forward(torch::randn({1, 3, 64, 64})).features.defined());
}

TEST(SkinNet, B0At224GivesFiveByFiveLogitsAndA7x7TargetMap) {
  torch::manual_seed(1);
  SkinNet net(SkinNetConfig{});
  net->eval();
  torch::InferenceMode inference;
  const SkinNetOutput out = net->forward(torch::randn({1, 3, 224, 224}), true);
  EXPECT_EQ(out.logits.sizes(), (Shape{1, 5, 5}));
  EXPECT_EQ(out.features.sizes(), (Shape{1, 320, 7, 7}));
  EXPECT_TRUE(torch::isfinite(out.logits).all().item<bool>());
}

TEST(SkinNet, SingleAttributeNetworkGivesOneHead) {
  SkinNetConfig config = TinyConfig();
  config.num_attributes = 1;
  SkinNet net(config);
  net->eval();
  EXPECT_EQ(net->forward(torch::randn({3, 3, 32, 32})).logits.sizes(), (Shape{3, 1, 5}));
}

TEST(SkinNet, B0ImageNetClassifierHasThePublishedParameterCount) {
  // torchvision's efficientnet_b0 (the paper's "5.3M"): 5,288,548.
  SkinNet net(ImageNetClassifierConfig(EfficientNetConfig{}));
  EXPECT_EQ(CountParameters(*net), 5288548);
}

TEST(SkinNet, B1ToB4ImageNetClassifiersHaveTheirPublishedParameterCounts) {
  // torchvision's efficientnet_b1..b4, whose rounding is the reference's.
  const std::vector<std::pair<std::string, int64_t>> expected = {
      {"b1", 7794184}, {"b2", 9109994}, {"b3", 12233232}, {"b4", 19341616}};
  for (const auto& [name, count] : expected) {
    SkinNet net(ImageNetClassifierConfig(*PublishedEfficientNet(name)));
    EXPECT_EQ(CountParameters(*net), count) << name;
  }
}

TEST(SkinNet, SkinLensB0HasFiveHeadsOfFiveGrades) {
  SkinNet net(SkinNetConfig{});
  // The backbone of the ImageNet model plus 5 x (1280 x 5 + 5) instead of 1280 x 1000 + 1000.
  EXPECT_EQ(CountParameters(*net), 5288548 - 1281000 + 5 * 6405);
}

TEST(SkinNet, ParameterNamesAreTheBundleFormats) {
  SkinNet net(TinyConfig());
  std::set<std::string> names;
  for (const auto& named : net->named_parameters()) {
    names.insert(named.key());
  }
  for (const auto& named : net->named_buffers()) {
    names.insert(named.key());
  }
  for (const char* name :
       {"stem.conv.weight", "stem.bn.weight", "stages.0.0.depthwise.conv.weight",
        "stages.0.0.se.reduce.weight", "stages.0.0.se.expand.bias", "stages.1.0.expand.conv.weight",
        "stages.6.0.project.bn.running_var", "stages.6.0.project.bn.num_batches_tracked",
        "head_conv.conv.weight", "head_conv.bn.bias", "heads.0.weight", "heads.4.bias"}) {
    EXPECT_EQ(names.count(name), 1u) << name;
  }
  EXPECT_EQ(names.count("stages.0.0.expand.conv.weight"), 0u);  // expand ratio 1
  EXPECT_EQ(names.count("heads.5.weight"), 0u);
}

TEST(SkinNet, HeadOfTheFeatureMapEqualsForward) {
  torch::manual_seed(2);
  SkinNet net(TinyConfig());
  RandomizeBatchNorms(*net);
  net->eval();
  const torch::Tensor images = torch::randn({2, 3, 64, 64});
  const SkinNetOutput out = net->forward(images, true);
  EXPECT_TRUE(torch::equal(net->Head(out.features), out.logits));
  EXPECT_TRUE(torch::equal(net->Features(images), out.features));
}

TEST(SkinNet, HeadIsDifferentiableWithRespectToTheFeatureMap) {
  torch::manual_seed(2);
  SkinNet net(TinyConfig());
  net->eval();
  torch::Tensor features;
  {
    torch::NoGradGuard no_grad;
    features = net->Features(torch::randn({1, 3, 64, 64}));
  }
  features.requires_grad_(true);
  const torch::Tensor logits = net->Head(features);
  logits.index({0, 2, 3}).backward();  // attribute 2, grade 3
  ASSERT_TRUE(features.grad().defined());
  EXPECT_EQ(features.grad().sizes(), features.sizes());
  EXPECT_GT(features.grad().abs().sum().item<double>(), 0.0);
}

TEST(SkinNet, FoldingBatchNormKeepsLogitsAndFeatureMap) {
  torch::manual_seed(4);
  SkinNet net(TinyConfig());
  RandomizeBatchNorms(*net);
  net->eval();
  const torch::Tensor images = torch::randn({2, 3, 64, 64});
  const SkinNetOutput before = net->forward(images, true);
  ASSERT_GT(before.logits.abs().max().item<double>(), 1e-2);  // not a trivial output

  // stem + 7 blocks x (expand except stage 0, depthwise, project) + head conv.
  EXPECT_EQ(net->FoldBatchNorm(), 1 + 6 * 3 + 2 + 1);
  EXPECT_TRUE(net->batch_norm_folded());
  EXPECT_FALSE(net->is_training());
  EXPECT_EQ(net->FoldBatchNorm(), 0);
  for (const auto& named : net->named_modules()) {
    EXPECT_EQ(named.value()->as<torch::nn::BatchNorm2dImpl>(), nullptr) << named.key();
  }

  const SkinNetOutput after = net->forward(images, true);
  EXPECT_LE(MaxAbsDiff(before.logits, after.logits), 1e-4);
  EXPECT_LE(MaxAbsDiff(before.features, after.features), 1e-4);
}

TEST(SkinNet, StochasticDepthActsOnlyInTraining) {
  SkinNetConfig config = TinyConfig();
  config.backbone.dropout = 0.0;  // leave stochastic depth the only source of randomness
  config.backbone.stochastic_depth = 0.5;
  // With depth 0.25 every stage has one block, and no first block of a stage has a residual
  // branch for stochastic depth to drop; 0.5 gives stages 3-5 a second block.
  config.backbone.depth_multiplier = 0.5;
  torch::manual_seed(6);
  SkinNet net(config);
  const torch::Tensor images = torch::randn({4, 3, 64, 64});

  net->train();
  EXPECT_GT(MaxAbsDiff(net->forward(images).logits, net->forward(images).logits), 1e-4);
  net->eval();
  EXPECT_TRUE(torch::equal(net->forward(images).logits, net->forward(images).logits));

  // The control: without stochastic depth, training mode is deterministic too.
  config.backbone.stochastic_depth = 0.0;
  SkinNet plain(config);
  plain->train();
  EXPECT_TRUE(torch::equal(plain->forward(images).logits, plain->forward(images).logits));
}

TEST(SkinNet, SameSeedGivesTheSameNetworkAndOutputs) {
  const torch::Tensor images = torch::randn({2, 3, 64, 64});
  torch::manual_seed(9);
  SkinNet first(TinyConfig());
  torch::manual_seed(9);
  SkinNet second(TinyConfig());
  torch::manual_seed(10);
  SkinNet other(TinyConfig());
  first->eval();
  second->eval();
  other->eval();
  EXPECT_TRUE(torch::equal(first->forward(images).logits, second->forward(images).logits));
  EXPECT_FALSE(torch::equal(first->forward(images).logits, other->forward(images).logits));
}

TEST(SkinNet, InferenceModeAndChannelsLastGiveTheSameLogits) {
  torch::manual_seed(11);
  SkinNet net(TinyConfig());
  RandomizeBatchNorms(*net);
  net->eval();
  const torch::Tensor images = torch::randn({2, 3, 64, 64});
  const torch::Tensor reference = net->forward(images).logits;  // autograd on, no in-place

  torch::InferenceMode inference;
  EXPECT_LE(MaxAbsDiff(net->forward(images).logits, reference), 1e-6);
  net->FoldBatchNorm();
  ConvertToChannelsLast(*net);
  const torch::Tensor nhwc = images.contiguous(torch::MemoryFormat::ChannelsLast);
  const SkinNetOutput out = net->forward(nhwc, true);
  EXPECT_LE(MaxAbsDiff(out.logits, reference), 1e-4);
  EXPECT_EQ(out.features.sizes(), (Shape{2, 80, 2, 2}));
}

// The default plain CNN at a small input: 7 layers, output stride 16.
SkinNetConfig PlainConfig() {
  SkinNetConfig config = PlainCnnSkinNetConfig(PlainCnnConfig{});
  config.backbone.resolution = 64;
  return config;
}

TEST(SkinNet, PlainCnnGivesAStrideSixteenTargetMapNamedByItsLastLayer) {
  torch::manual_seed(11);
  SkinNet net(PlainConfig());
  net->eval();
  EXPECT_EQ(net->feature_channels(), 128);
  EXPECT_EQ(net->head_channels(), 128);  // no head conv: the heads read the target map
  EXPECT_EQ(TargetLayerName(net->config()), "plain.6");
  EXPECT_EQ(TargetStride(net->config()), 16);
  EXPECT_EQ(TargetLayerName(SkinNetConfig{}), kTargetLayerName);
  EXPECT_EQ(TargetStride(SkinNetConfig{}), 32);
  const SkinNetOutput out = net->forward(torch::randn({2, 3, 256, 256}), true);
  EXPECT_EQ(out.logits.sizes(), (Shape{2, 5, 5}));
  EXPECT_EQ(out.features.sizes(), (Shape{2, 128, 16, 16}));
  EXPECT_LE(MaxAbsDiff(net->Head(out.features), out.logits), 1e-5);
  // 3x3 convs (no bias) + batch norm scale/shift + five 128 -> 5 heads.
  int64_t expected = 0, in = 3;
  for (int c : PlainCnnConfig{}.channels) {
    expected += in * c * 9 + 2 * c;
    in = c;
  }
  expected += 5 * (128 * 5 + 5);
  EXPECT_EQ(CountParameters(*net), expected);
  EXPECT_NEAR(static_cast<double>(expected), 0.29e6, 0.02e6);
}

TEST(SkinNet, PlainCnnParameterNamesAreStable) {
  SkinNet net(PlainConfig());
  std::set<std::string> names;
  for (const auto& named : net->named_parameters()) names.insert(named.key());
  EXPECT_TRUE(names.count("plain.0.conv.weight"));
  EXPECT_TRUE(names.count("plain.6.bn.weight"));
  EXPECT_TRUE(names.count("heads.4.weight"));
  EXPECT_FALSE(names.count("head_conv.conv.weight"));
  EXPECT_FALSE(names.count("stem.conv.weight"));
}

TEST(SkinNet, PlainCnnFoldsEveryBatchNormAndKeepsItsOutputs) {
  torch::manual_seed(12);
  SkinNet net(PlainConfig());
  RandomizeBatchNorms(*net);
  net->eval();
  const torch::Tensor images = torch::randn({2, 3, 64, 64});
  const SkinNetOutput before = net->forward(images, true);
  ASSERT_GT(before.logits.abs().max().item<double>(), 1e-3);
  EXPECT_EQ(net->FoldBatchNorm(), 7);
  const SkinNetOutput after = net->forward(images, true);
  EXPECT_LE(MaxAbsDiff(before.logits, after.logits), 1e-4);
  EXPECT_LE(MaxAbsDiff(before.features, after.features), 1e-4);
}

TEST(ValidateSkinNetConfig, RefusesBadPlainCnnLayers) {
  PlainCnnConfig plain;
  plain.strides.pop_back();
  EXPECT_THAT(ValidateSkinNetConfig(PlainCnnSkinNetConfig(plain)),
              ::testing::HasSubstr("one stride per layer"));
  plain = PlainCnnConfig{};
  plain.strides[0] = 3;
  EXPECT_THAT(ValidateSkinNetConfig(PlainCnnSkinNetConfig(plain)),
              ::testing::HasSubstr("layer 0: stride must be 1 or 2"));
  plain = PlainCnnConfig{};
  plain.channels[2] = 0;
  EXPECT_THAT(ValidateSkinNetConfig(PlainCnnSkinNetConfig(plain)),
              ::testing::HasSubstr("layer 2: channels"));
  EXPECT_THAT(ValidateSkinNetConfig(PlainCnnSkinNetConfig(PlainCnnConfig{{}, {}})),
              ::testing::HasSubstr("1 to 16 layers"));
  EXPECT_EQ(ValidateSkinNetConfig(PlainCnnSkinNetConfig(PlainCnnConfig{})), "");
}

TEST(ValidateSkinNetConfig, RefusesBadHeadShapes) {
  SkinNetConfig config = TinyConfig();
  EXPECT_EQ(ValidateSkinNetConfig(config), "");
  config.num_attributes = 0;
  EXPECT_THAT(ValidateSkinNetConfig(config), ::testing::HasSubstr("num_attributes"));
  config.num_attributes = 5;
  config.num_grades = 1;
  EXPECT_THAT(ValidateSkinNetConfig(config), ::testing::HasSubstr("num_grades"));
}

}  // namespace
}  // namespace skinlens::model
