#include "common/model/efficientnet.h"

#include <torch/nn/init.h>
#include <torch/utils.h>

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skinlens::model {
namespace {

using ::testing::HasSubstr;

TEST(RoundFilters, RoundsToNearestMultipleOfEight) {
  EXPECT_EQ(RoundFilters(32, 1.0), 32);
  EXPECT_EQ(RoundFilters(1280, 1.4), 1792);  // B4's head
  EXPECT_EQ(RoundFilters(32, 1.4), 48);      // 44.8 -> 48
  EXPECT_EQ(RoundFilters(112, 1.2), 136);    // 134.4 -> 136
  EXPECT_EQ(RoundFilters(40, 1.1), 48);      // 44 -> 48 (ties round up)
  EXPECT_EQ(RoundFilters(320, 0.25), 80);
}

TEST(RoundFilters, NeverGoesBelowEight) {
  EXPECT_EQ(RoundFilters(16, 0.25), 8);
  EXPECT_EQ(RoundFilters(24, 0.25), 8);
  EXPECT_EQ(RoundFilters(1, 0.1), 8);
}

TEST(RoundFilters, AddsEightWhenRoundingLosesOverTenPercent) {
  // 11 rounds to 8 (27% less) and 19 to 16 (16% less): both go up one more step.
  EXPECT_EQ(RoundFilters(11, 1.0), 16);
  EXPECT_EQ(RoundFilters(19, 1.0), 24);
  EXPECT_EQ(RoundFilters(43, 1.0), 40);  // 7% less is kept
}

TEST(RoundRepeats, TakesTheCeiling) {
  EXPECT_EQ(RoundRepeats(4, 1.8), 8);  // 7.2
  EXPECT_EQ(RoundRepeats(3, 1.1), 4);  // 3.3
  EXPECT_EQ(RoundRepeats(2, 1.0), 2);
  EXPECT_EQ(RoundRepeats(4, 0.25), 1);
}

TEST(PublishedEfficientNet, KnowsB0ToB4ByEitherName) {
  std::optional<EfficientNetConfig> b3 = PublishedEfficientNet("b3");
  ASSERT_TRUE(b3.has_value());
  EXPECT_EQ(b3->name, "efficientnet-b3");
  EXPECT_DOUBLE_EQ(b3->width_multiplier, 1.2);
  EXPECT_DOUBLE_EQ(b3->depth_multiplier, 1.4);
  EXPECT_EQ(b3->resolution, 300);
  EXPECT_DOUBLE_EQ(b3->dropout, 0.3);

  std::optional<EfficientNetConfig> b4 = PublishedEfficientNet("efficientnet-b4");
  ASSERT_TRUE(b4.has_value());
  EXPECT_DOUBLE_EQ(b4->width_multiplier, 1.4);
  EXPECT_DOUBLE_EQ(b4->depth_multiplier, 1.8);
  EXPECT_EQ(b4->resolution, 380);
  EXPECT_DOUBLE_EQ(b4->dropout, 0.4);
  EXPECT_DOUBLE_EQ(b4->batch_norm_eps, 1e-3);
  EXPECT_DOUBLE_EQ(b4->batch_norm_momentum, 0.01);

  EXPECT_FALSE(PublishedEfficientNet("efficientnet-b9").has_value());
  EXPECT_EQ(PublishedEfficientNetNames().size(), 5u);
}

TEST(ValidateEfficientNetConfig, RefusesAPublishedNameWithOtherMultipliers) {
  EfficientNetConfig config;  // B0
  EXPECT_EQ(ValidateEfficientNetConfig(config), "");
  config.width_multiplier = 0.5;
  EXPECT_THAT(ValidateEfficientNetConfig(config), HasSubstr("efficientnet-b0 has width"));
  config.name = "efficientnet-half";
  EXPECT_EQ(ValidateEfficientNetConfig(config), "");
}

TEST(ValidateEfficientNetConfig, RefusesOutOfRangeValues) {
  EfficientNetConfig config;
  config.name = "custom";
  config.depth_multiplier = 0.0;
  EXPECT_THAT(ValidateEfficientNetConfig(config), HasSubstr("depth_multiplier"));
  config.depth_multiplier = 1.0;
  config.dropout = 1.0;
  EXPECT_THAT(ValidateEfficientNetConfig(config), HasSubstr("dropout"));
  config.dropout = 0.2;
  config.batch_norm_eps = 0.0;
  EXPECT_THAT(ValidateEfficientNetConfig(config), HasSubstr("batch_norm_eps"));
}

TEST(ExpandBlocks, LaysOutTheSixteenBlocksOfB0) {
  const std::vector<BlockSpec> blocks = ExpandBlocks(EfficientNetConfig{});
  ASSERT_EQ(blocks.size(), 16u);
  EXPECT_EQ(blocks[0].in_channels, 32);
  EXPECT_EQ(blocks[0].out_channels, 16);
  EXPECT_EQ(blocks[0].expand_ratio, 1);
  EXPECT_EQ(blocks[1].stage, 1);
  EXPECT_EQ(blocks[1].stride, 2);
  EXPECT_EQ(blocks[2].stride, 1);
  EXPECT_EQ(blocks[2].in_channels, 24);
  EXPECT_EQ(blocks[5].kernel_size, 3);  // stage 3, 80 channels
  EXPECT_EQ(blocks[5].out_channels, 80);
  EXPECT_EQ(blocks[15].stage, 6);
  EXPECT_EQ(blocks[15].in_channels, 192);
  EXPECT_EQ(blocks[15].out_channels, 320);
  // Stochastic depth grows linearly: block i of 16 drops with 0.2 * i / 16.
  EXPECT_DOUBLE_EQ(blocks[0].drop_probability, 0.0);
  EXPECT_DOUBLE_EQ(blocks[8].drop_probability, 0.1);
  EXPECT_DOUBLE_EQ(blocks[15].drop_probability, 0.2 * 15 / 16);
}

TEST(ExpandBlocks, ScalesDepthPerStage) {
  EfficientNetConfig b4 = *PublishedEfficientNet("b4");
  const std::vector<BlockSpec> blocks = ExpandBlocks(b4);
  // ceil(1.8 * {1, 2, 2, 3, 3, 4, 1}) = {2, 4, 4, 6, 6, 8, 2}.
  EXPECT_EQ(blocks.size(), 32u);
  EXPECT_EQ(blocks.back().out_channels, 448);

  EfficientNetConfig tiny;
  tiny.name = "tiny";
  tiny.width_multiplier = 0.25;
  tiny.depth_multiplier = 0.25;
  EXPECT_EQ(ExpandBlocks(tiny).size(), 7u);  // one block per stage
}

TEST(StochasticDepth, IsTheIdentityOutsideTraining) {
  const torch::Tensor x = torch::randn({8, 4, 3, 3});
  EXPECT_TRUE(StochasticDepth(x, 0.5, /*training=*/false).is_same(x));
  EXPECT_TRUE(StochasticDepth(x, 0.0, /*training=*/true).is_same(x));
}

TEST(StochasticDepth, DropsWholeSamplesAndRescalesTheSurvivors) {
  torch::manual_seed(3);
  const torch::Tensor x = torch::ones({1000, 2, 2, 2});
  const torch::Tensor y = StochasticDepth(x, 0.25, /*training=*/true);
  int dropped = 0;
  for (int i = 0; i < 1000; ++i) {
    const torch::Tensor sample = y[i];
    const double first = sample.flatten()[0].item<double>();
    // Every element of a sample shares its fate: all 0 or all 1 / 0.75.
    ASSERT_TRUE(torch::all(sample == first).item<bool>());
    if (first == 0.0) {
      ++dropped;
    } else {
      ASSERT_NEAR(first, 1.0 / 0.75, 1e-6);
    }
  }
  EXPECT_GT(dropped, 200);
  EXPECT_LT(dropped, 300);
  EXPECT_TRUE(torch::all(StochasticDepth(x, 1.0, true) == 0).item<bool>());
}

// Gives every batch norm of `module` a non-trivial state, as after training.
void RandomizeBatchNorms(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  for (const auto& named : module.named_buffers()) {
    if (named.key().find("running_mean") != std::string::npos) {
      named.value().uniform_(-0.5, 0.5);
    } else if (named.key().find("running_var") != std::string::npos) {
      named.value().uniform_(0.5, 2.0);
    }
  }
  for (const auto& named : module.named_parameters()) {
    if (named.key().find("bn.weight") != std::string::npos) {
      named.value().uniform_(0.5, 1.5);
    } else if (named.key().find("bn.bias") != std::string::npos) {
      named.value().uniform_(-0.5, 0.5);
    }
  }
}

TEST(ConvBnAct, FoldingBatchNormKeepsTheOutput) {
  torch::manual_seed(5);
  ConvBnAct layer(ConvBnActOptions{8, 16, 3, 2, 1, true, BatchNormSettings{}});
  RandomizeBatchNorms(*layer);
  layer->eval();
  const torch::Tensor x = torch::randn({2, 8, 9, 9});
  const torch::Tensor before = layer(x);
  layer->FoldBatchNorm();
  EXPECT_TRUE(layer->batch_norm_folded());
  const torch::Tensor after = layer(x);
  EXPECT_EQ(after.sizes(), (std::vector<int64_t>{2, 16, 5, 5}));
  EXPECT_LT((before - after).abs().max().item<double>(), 1e-5);

  std::vector<std::string> names;
  for (const auto& named : layer->named_parameters()) {
    names.push_back(named.key());
  }
  EXPECT_THAT(names, ::testing::UnorderedElementsAre("conv.weight", "conv.bias"));
  EXPECT_TRUE(layer->named_buffers().is_empty());
}

TEST(MBConv, AddsTheInputOnlyWhenShapesAllow) {
  const std::vector<BlockSpec> blocks = ExpandBlocks(EfficientNetConfig{});
  MBConv first_of_stage(blocks[1], BatchNormSettings{});  // stride 2
  MBConv second_of_stage(blocks[2], BatchNormSettings{});
  EXPECT_FALSE(first_of_stage->has_residual());
  EXPECT_TRUE(second_of_stage->has_residual());
  first_of_stage->eval();
  EXPECT_EQ(first_of_stage(torch::randn({1, 16, 16, 16})).sizes(),
            (std::vector<int64_t>{1, 24, 8, 8}));
}

TEST(MBConv, ADroppedBranchLeavesOnlyTheInputInTraining) {
  BlockSpec spec = ExpandBlocks(EfficientNetConfig{})[2];  // 24 -> 24, stride 1
  spec.drop_probability = 1.0;
  MBConv block(spec, BatchNormSettings{});
  const torch::Tensor x = torch::randn({2, 24, 8, 8});
  block->train();
  EXPECT_TRUE(torch::equal(block(x), x));
  block->eval();  // stochastic depth is off: the branch is added
  EXPECT_GT((block(x) - x).abs().max().item<double>(), 1e-3);
}

}  // namespace
}  // namespace skinlens::model
