#include "common/model/grad_cam.h"

#include <torch/torch.h>

#include <optional>
#include <string>

#include "common/model/skin_net.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skinlens::model {
namespace {

using ::testing::HasSubstr;

SkinNetConfig TinyConfig() {
  SkinNetConfig config;
  config.backbone.name = "efficientnet-tiny";
  config.backbone.width_multiplier = 0.25;
  config.backbone.depth_multiplier = 0.25;
  config.backbone.resolution = 64;
  return config;
}

// Batch norm statistics and affine parameters away from their initial values, so that eval
// mode and folding are not the identity.
void RandomizeBatchNorms(SkinNetImpl& net) {
  torch::NoGradGuard no_grad;
  for (auto& item : net.named_buffers()) {
    if (item.key().find("running_mean") != std::string::npos) {
      item.value().uniform_(-0.2, 0.2);
    } else if (item.key().find("running_var") != std::string::npos) {
      item.value().uniform_(0.5, 1.5);
    }
  }
  for (auto& item : net.named_parameters()) {
    if (item.key().find("bn.weight") != std::string::npos) {
      item.value().uniform_(0.7, 1.3);
    } else if (item.key().find("bn.bias") != std::string::npos) {
      item.value().uniform_(-0.2, 0.2);
    }
  }
}

// Textbook Grad-CAM: a full backward pass through the whole network for one crop's one logit,
// reading the gradient at the target layer's output (a retained grad on "stages.6").
// Returns maps [N, A, h, w] for the predicted grades.
torch::Tensor GradCamThroughWholeNetwork(SkinNet& net, const torch::Tensor& images) {
  const SkinNetOutput probe = net->forward(images, /*return_features=*/true);
  const int64_t n = images.size(0);
  const int64_t num_attributes = probe.logits.size(1);
  const torch::Tensor predicted = probe.logits.argmax(2);
  torch::Tensor maps =
      torch::zeros({n, num_attributes, probe.features.size(2), probe.features.size(3)});
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t a = 0; a < num_attributes; ++a) {
      // A fresh graph per backward pass, from the image through every layer.
      const torch::Tensor image = images.slice(0, i, i + 1).clone().requires_grad_(true);
      SkinNetOutput out = net->forward(image, /*return_features=*/true);
      out.features.retain_grad();
      net->zero_grad();
      out.logits[0][a][predicted[i][a].item<int64_t>()].backward();
      EXPECT_TRUE(image.grad().defined());  // the pass did reach the input
      const torch::Tensor weights = out.features.grad().mean({2, 3}, true);
      torch::NoGradGuard no_grad;
      maps[i][a].copy_(torch::relu((weights * out.features.detach()).sum(1))[0]);
    }
  }
  return maps;
}

double MaxAbsDiff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().max().item<double>();
}

TEST(GradCam, HeadOnlyEqualsAutogradThroughTheWholeTinyNetworkForEveryAttribute) {
  torch::manual_seed(11);
  SkinNet net(TinyConfig());
  RandomizeBatchNorms(*net);
  net->eval();
  const torch::Tensor images = torch::randn({3, 3, 64, 64});
  const torch::Tensor reference = GradCamThroughWholeNetwork(net, images);

  torch::Tensor features;
  {
    torch::InferenceMode inference;  // as the inference service computes it
    features = net->forward(images, /*return_features=*/true).features;
  }
  const GradCamOutput cam = GradCam([&](const torch::Tensor& f) { return net->Head(f); }, features,
                                    torch::full({3, 5}, kPredictedGrade, torch::kLong));
  ASSERT_EQ(cam.maps.sizes(), reference.sizes());
  EXPECT_GT(reference.max().item<double>(), 1e-3);  // not a vacuous comparison
  for (int64_t a = 0; a < 5; ++a) {
    SCOPED_TRACE("attribute " + std::to_string(a));
    EXPECT_LE(MaxAbsDiff(cam.maps.select(1, a), reference.select(1, a)), 1e-4);
    EXPECT_LE(MaxAbsDiff(cam.maps.select(1, a), reference.select(1, a)),
              1e-4 * reference.select(1, a).max().item<double>());
    EXPECT_LE(MaxAbsDiff(NormalizeCams(UpsampleCams(cam.maps, 64, 64)).select(1, a),
                         NormalizeCams(UpsampleCams(reference, 64, 64)).select(1, a)),
              1e-4);
  }
  EXPECT_TRUE(torch::equal(cam.grades, cam.logits.argmax(2)));
}

TEST(GradCam, FoldedHeadEqualsAutogradThroughTheUnfoldedNetworkWithinTheFoldingTolerance) {
  // The service serves a folded network; the reference is the network as trained (eval mode).
  torch::manual_seed(12);
  SkinNet trained(TinyConfig());
  RandomizeBatchNorms(*trained);
  trained->eval();
  SkinNet served(TinyConfig());
  {
    torch::NoGradGuard no_grad;
    auto source = trained->named_parameters();
    for (auto& item : served->named_parameters()) item.value().copy_(source[item.key()]);
    auto buffers = trained->named_buffers();
    for (auto& item : served->named_buffers()) item.value().copy_(buffers[item.key()]);
  }
  ASSERT_GT(served->FoldBatchNorm(), 0);
  const torch::Tensor images = torch::randn({2, 3, 64, 64});
  const torch::Tensor reference =
      NormalizeCams(UpsampleCams(GradCamThroughWholeNetwork(trained, images), 64, 64));
  torch::Tensor features;
  {
    torch::InferenceMode inference;
    features = served->forward(images, /*return_features=*/true).features;
  }
  const GradCamOutput cam = GradCam([&](const torch::Tensor& f) { return served->Head(f); },
                                    features, torch::full({2, 5}, kPredictedGrade, torch::kLong));
  const torch::Tensor heat = NormalizeCams(UpsampleCams(cam.maps, 64, 64));
  // The split head (backward passes stopping above the 1x1 head convolution) as well.
  const std::optional<PointwiseSplitHead> split = SplitSkinNetHead(served);
  ASSERT_TRUE(split.has_value());
  const GradCamOutput split_cam =
      GradCam(*split, features, torch::full({2, 5}, kPredictedGrade, torch::kLong));
  const torch::Tensor split_heat = NormalizeCams(UpsampleCams(split_cam.maps, 64, 64));
  EXPECT_TRUE(torch::equal(split_cam.grades, cam.grades));
  EXPECT_LE(MaxAbsDiff(split_cam.logits, cam.logits), 1e-5);
  for (int64_t a = 0; a < 5; ++a) {
    SCOPED_TRACE("attribute " + std::to_string(a));
    EXPECT_LE(MaxAbsDiff(heat.select(1, a), reference.select(1, a)), 1e-4);
    EXPECT_LE(MaxAbsDiff(split_heat.select(1, a), reference.select(1, a)), 1e-4);
    EXPECT_LE(MaxAbsDiff(split_cam.maps.select(1, a), cam.maps.select(1, a)),
              1e-5 * cam.maps.select(1, a).max().item<double>() + 1e-12);
  }
}

TEST(SplitSkinNetHead, NeedsAFoldedNetwork) {
  SkinNet net(TinyConfig());
  EXPECT_FALSE(SplitSkinNetHead(net).has_value());
  EXPECT_FALSE(SplitSkinNetHead(SkinNet(nullptr)).has_value());
  net->FoldBatchNorm();
  const std::optional<PointwiseSplitHead> split = SplitSkinNetHead(net);
  ASSERT_TRUE(split.has_value());
  const torch::Tensor features = net->Features(torch::randn({2, 3, 64, 64})).detach();
  torch::NoGradGuard no_grad;
  const torch::Tensor z = torch::conv2d(features, split->weight, split->bias);
  EXPECT_LE(MaxAbsDiff(split->rest(z), net->Head(features)), 1e-5);
}

TEST(GradCam, HeadOnlyEqualsAutogradThroughFullWidthB0OnOneSmallImage) {
  torch::manual_seed(13);
  SkinNetConfig config;  // B0, 5 x 5
  SkinNet net(config);
  RandomizeBatchNorms(*net);
  net->eval();
  const torch::Tensor images = torch::randn({1, 3, 64, 64});
  const torch::Tensor reference = GradCamThroughWholeNetwork(net, images);
  const torch::Tensor features = net->forward(images, true).features.detach();
  const GradCamOutput cam = GradCam([&](const torch::Tensor& f) { return net->Head(f); }, features,
                                    torch::full({1, 5}, kPredictedGrade, torch::kLong));
  EXPECT_GT(reference.max().item<double>(), 0.0);
  for (int64_t a = 0; a < 5; ++a) {
    SCOPED_TRACE("attribute " + std::to_string(a));
    EXPECT_LE(MaxAbsDiff(NormalizeCams(UpsampleCams(cam.maps, 64, 64)).select(1, a),
                         NormalizeCams(UpsampleCams(reference, 64, 64)).select(1, a)),
              1e-4);
  }
}

TEST(GradCam, ExplainsTheRequestedGradeAndSkipsAttributesWithoutABackwardPass) {
  torch::manual_seed(14);
  SkinNet net(TinyConfig());
  net->eval();
  const torch::Tensor features = net->Features(torch::randn({2, 3, 64, 64})).detach();
  int head_calls = 0;
  const HeadFn head = [&](const torch::Tensor& f) {
    ++head_calls;
    return net->Head(f);
  };
  const torch::Tensor grades =
      torch::tensor({int64_t{3}, kSkipGrade, kSkipGrade, kPredictedGrade, kSkipGrade, int64_t{0},
                     kSkipGrade, kSkipGrade, kPredictedGrade, kSkipGrade},
                    torch::kLong)
          .view({2, 5});
  const GradCamOutput cam = GradCam(head, features, grades);
  EXPECT_EQ(head_calls, 1);
  EXPECT_EQ(cam.grades[0][0].item<int64_t>(), 3);
  EXPECT_EQ(cam.grades[1][0].item<int64_t>(), 0);
  EXPECT_EQ(cam.grades[0][3].item<int64_t>(), cam.logits[0][3].argmax().item<int64_t>());
  EXPECT_EQ(cam.grades[1][3].item<int64_t>(), cam.logits[1][3].argmax().item<int64_t>());
  EXPECT_EQ(cam.grades[0][1].item<int64_t>(), kSkipGrade);
  EXPECT_EQ(cam.maps.select(1, 1).abs().sum().item<double>(), 0.0);
  EXPECT_EQ(cam.maps.select(1, 2).abs().sum().item<double>(), 0.0);
  EXPECT_EQ(cam.maps.select(1, 4).abs().sum().item<double>(), 0.0);

  // Grade 3 of attribute 0 for crop 0 alone equals what a one-crop call computes.
  const GradCamOutput single = GradCam(
      head, features.slice(0, 0, 1),
      torch::tensor({int64_t{3}, kSkipGrade, kSkipGrade, kSkipGrade, kSkipGrade}, torch::kLong)
          .view({1, 5}));
  EXPECT_LE(MaxAbsDiff(single.maps[0][0], cam.maps[0][0]), 1e-6);
}

TEST(GradCam, ExpectedGradeMapIsGradCamOfTheProbabilityWeightedGrade) {
  torch::manual_seed(15);
  SkinNet net(PlainCnnSkinNetConfig(PlainCnnConfig{{8, 16, 16}, {2, 2, 1}}));
  RandomizeBatchNorms(*net);
  net->eval();
  const torch::Tensor features = net->Features(torch::randn({3, 3, 32, 32})).detach();
  const HeadFn head = [&](const torch::Tensor& f) { return net->Head(f); };
  const torch::Tensor grades = torch::full({3, 5}, kExpectedGrade, torch::kLong);
  const GradCamOutput cam = GradCam(head, features, grades);
  EXPECT_TRUE((cam.grades == kExpectedGrade).all().item<bool>());

  // Textbook Grad-CAM of E[grade] = sum_g g * softmax(logits)_g, crop by crop.
  for (int64_t i = 0; i < 3; ++i) {
    for (int64_t a = 0; a < 5; ++a) {
      torch::Tensor f = features.slice(0, i, i + 1).clone().requires_grad_(true);
      const torch::Tensor p = torch::softmax(net->Head(f)[0][a], 0);
      const torch::Tensor expected = (p * torch::arange(5, p.options())).sum();
      const torch::Tensor grad = torch::autograd::grad({expected}, {f})[0];
      const torch::Tensor weights = grad.mean({2, 3}, /*keepdim=*/true);
      const torch::Tensor reference = torch::relu((weights * f.detach()).sum(1))[0];
      EXPECT_LE(MaxAbsDiff(cam.maps[i][a], reference), 1e-5) << i << " " << a;
    }
  }
  EXPECT_GT(cam.maps.abs().sum().item<double>(), 0.0);
}

TEST(RefinedGradCam, IsTheTargetLayersGradCamTimesTheShallowLayersLayerCamCropByCrop) {
  torch::manual_seed(16);
  SkinNet net(PlainCnnSkinNetConfig(PlainCnnConfig{{8, 8, 16, 16}, {1, 2, 1, 2}}));
  RandomizeBatchNorms(*net);
  net->eval();
  const torch::Tensor images = torch::randn({3, 3, 32, 32});
  const torch::Tensor shallow = net->PlainLayers(images, 0, 2).detach();  // [3, 8, 16, 16]
  ASSERT_EQ(shallow.size(2), 16);
  const HeadFn upper = [&](const torch::Tensor& s) { return net->PlainLayers(s, 2, 4); };
  const HeadFn head = [&](const torch::Tensor& f) { return net->Head(f); };
  torch::Tensor grades = torch::full({3, 5}, kExpectedGrade, torch::kLong);
  grades.select(1, 3).fill_(kSkipGrade);
  grades[1][0] = 2;  // one crop explains a grade's logit instead
  const GradCamOutput cam = RefinedGradCam(upper, head, shallow, grades);
  ASSERT_EQ(cam.maps.sizes(), (std::vector<int64_t>{3, 5, 16, 16}));
  EXPECT_TRUE((cam.maps.select(1, 3) == 0).all().item<bool>());
  EXPECT_EQ(cam.grades[1][0].item<int64_t>(), 2);

  // Textbook: a fresh graph per crop and attribute from the shallow layer up, the target's
  // gradient read at both layers.
  for (int64_t i = 0; i < 3; ++i) {
    for (int64_t a : {0, 1, 2, 4}) {
      const torch::Tensor s = shallow.slice(0, i, i + 1).clone().requires_grad_(true);
      const torch::Tensor f = upper(s);
      const torch::Tensor logits = head(f)[0][a];
      const torch::Tensor p = torch::softmax(logits, 0);
      const torch::Tensor target =
          i == 1 && a == 0 ? logits[2] : (p * torch::arange(5, p.options())).sum();
      const auto grad = torch::autograd::grad({target}, {f, s});
      torch::NoGradGuard no_grad;
      const torch::Tensor coarse =
          torch::relu((grad[0].mean({2, 3}, true) * f.detach()).sum(1, true));  // [1, 1, 8, 8]
      const torch::Tensor fine = torch::relu((torch::relu(grad[1]) * s.detach()).sum(1));
      const torch::Tensor reference =
          NormalizeCams(UpsampleCams(coarse, 16, 16)[0][0]) * NormalizeCams(fine[0]);
      EXPECT_LE(MaxAbsDiff(cam.maps[i][a], reference), 1e-5) << i << " " << a;
      EXPECT_LE(cam.maps[i][a].max().item<float>(), 1.0f + 1e-6f);
    }
  }
  EXPECT_GT(cam.maps.sum().item<double>(), 0.0);
  // Split anywhere, the network is the same: Features == PlainLayers in two parts.
  EXPECT_LE(MaxAbsDiff(net->Features(images), upper(shallow)), 1e-5);
}

TEST(RefinedGradCam, RefusesBadInputsAndRangesOutsideTheNetwork) {
  SkinNet net(PlainCnnSkinNetConfig(PlainCnnConfig{{8, 16}, {2, 1}}));
  net->eval();
  const HeadFn upper = [&](const torch::Tensor& s) { return net->PlainLayers(s, 1, 2); };
  const HeadFn head = [&](const torch::Tensor& f) { return net->Head(f); };
  const torch::Tensor shallow = net->PlainLayers(torch::randn({2, 3, 16, 16}), 0, 1).detach();
  EXPECT_THROW(RefinedGradCam(upper, head, shallow, torch::full({3, 5}, kExpectedGrade)),
               c10::Error);  // one grade row per crop
  EXPECT_THROW(net->PlainLayers(shallow, 1, 3), c10::Error);
  EXPECT_THROW(net->PlainLayers(shallow, 2, 1), c10::Error);
  SkinNet b0(TinyConfig());
  EXPECT_THROW(b0->PlainLayers(torch::randn({1, 3, 64, 64}), 0, 1), c10::Error);
}

TEST(GradCam, AcceptsHalfPrecisionFeatureMaps) {
  torch::manual_seed(11);
  SkinNet net(TinyConfig());
  RandomizeBatchNorms(*net);
  net->eval();
  const torch::Tensor features = net->Features(torch::randn({1, 3, 64, 64})).detach();
  const HeadFn head = [&](const torch::Tensor& f) { return net->Head(f); };
  const torch::Tensor grades = torch::full({1, 5}, kPredictedGrade, torch::kLong);
  const torch::Tensor full = GradCam(head, features, grades).maps;
  const torch::Tensor half = GradCam(head, features.to(torch::kHalf), grades).maps;
  EXPECT_EQ(half.scalar_type(), torch::kFloat);
  // float16 keeps 11 significant bits: the maps agree to a few thousandths of their scale.
  EXPECT_GT(full.max().item<double>(), 0.0);
  EXPECT_LE(MaxAbsDiff(full, half), 5e-3 * full.max().item<double>());
}

TEST(GradCam, ReturnsUndefinedMapsWhenTheHeadReportsAFailure) {
  const GradCamOutput cam =
      GradCam([](const torch::Tensor&) { return torch::Tensor(); }, torch::ones({1, 8, 2, 2}),
              torch::full({1, 5}, kPredictedGrade, torch::kLong));
  EXPECT_FALSE(cam.maps.defined());
}

TEST(GradCam, RefusesToRunUnderInferenceMode) {
  torch::InferenceMode inference;
  EXPECT_THROW(GradCam(
                   [](const torch::Tensor& f) {
                     return f.mean({2, 3}).view({1, 1, 2});
                   },
                   torch::ones({1, 2, 2, 2}), torch::full({1, 1}, 0, torch::kLong)),
               c10::Error);
}

TEST(ValidateGradCamInputs, NamesTheArgumentThatIsWrong) {
  const torch::Tensor features = torch::ones({2, 8, 3, 3});
  const torch::Tensor grades = torch::zeros({2, 5}, torch::kLong);
  EXPECT_EQ(ValidateGradCamInputs(features, grades, 5, 5), "");
  EXPECT_THAT(ValidateGradCamInputs(torch::ones({8, 3, 3}), grades, 5, 5),
              HasSubstr("features: expected a 4-D"));
  EXPECT_THAT(ValidateGradCamInputs(torch::ones({2, 8, 3, 3}, torch::kLong), grades, 5, 5),
              HasSubstr("features: expected a 4-D floating-point"));
  EXPECT_THAT(ValidateGradCamInputs(features, torch::zeros({1, 5}, torch::kLong), 5, 5),
              HasSubstr("grades: expected a CPU integer tensor [2, 5]"));
  EXPECT_THAT(ValidateGradCamInputs(features, torch::full({2, 5}, 5, torch::kLong), 5, 5),
              HasSubstr("grades: every entry"));
  EXPECT_THAT(ValidateGradCamInputs(features, torch::full({2, 5}, -4, torch::kLong), 5, 5),
              HasSubstr("grades: every entry"));
}

TEST(UpsampleCams, MatchesBilinearWithoutAlignedCorners) {
  // A 2x2 map [[0, 1], [0, 0]] doubled: pixel (x = 2, y = 0) sits at source (0.75, -0.25),
  // clamped to (0.75, 0): 0.25 * 0 + 0.75 * 1.
  const torch::Tensor map = torch::tensor({0.0f, 1.0f, 0.0f, 0.0f}).view({1, 1, 2, 2});
  const torch::Tensor up = UpsampleCams(map, 4, 4);
  ASSERT_EQ(up.sizes(), (std::vector<int64_t>{1, 1, 4, 4}));
  EXPECT_FLOAT_EQ(up[0][0][0][2].item<float>(), 0.75f);
  EXPECT_FLOAT_EQ(up[0][0][0][3].item<float>(), 1.0f);
  EXPECT_FLOAT_EQ(up[0][0][3][0].item<float>(), 0.0f);
}

TEST(NormalizeCams, ScalesEachMapToAMaximumOfOneAndLeavesAnAllZeroMapZero) {
  torch::Tensor maps = torch::zeros({1, 2, 2, 2});
  maps[0][0][1][1] = 4.0f;
  maps[0][0][0][0] = 1.0f;
  const torch::Tensor normalized = NormalizeCams(maps);
  EXPECT_FLOAT_EQ(normalized[0][0][1][1].item<float>(), 1.0f);
  EXPECT_FLOAT_EQ(normalized[0][0][0][0].item<float>(), 0.25f);
  EXPECT_EQ(normalized[0][1].abs().sum().item<float>(), 0.0f);
  EXPECT_FALSE(normalized.isnan().any().item<bool>());
  EXPECT_FLOAT_EQ(CamMaxima(maps)[0][0].item<float>(), 4.0f);
}

}  // namespace
}  // namespace skinlens::model
