#include "common/model/grading_model_loader.h"

#include <torch/torch.h>

#include <filesystem>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skinlens::model {
namespace {

namespace fs = std::filesystem;

TEST(GradingModelLoader, ServesANativeBundleBehindTheSameInterface) {
  const fs::path dir = fs::path(::testing::TempDir()) / "skinlens_grading_model_native";
  fs::remove_all(dir);
  SkinNetConfig config;
  config.backbone.name = "efficientnet-tiny";
  config.backbone.width_multiplier = 0.25;
  config.backbone.depth_multiplier = 0.25;
  config.backbone.resolution = 64;
  torch::manual_seed(5);
  SkinNet net(config);
  net->eval();
  ModelMetadata metadata = DefaultMetadata(config);
  metadata.model_version = "native-test.1";
  ASSERT_TRUE(SaveBundle(*net, metadata, dir.string()).ok());

  absl::StatusOr<std::unique_ptr<GradingModel>> model = LoadGradingModel(dir.string());
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_EQ((*model)->kind(), GradingModelKind::kNativeBundle);
  EXPECT_EQ((*model)->metadata().model_version, "native-test.1");
  const torch::Tensor images = torch::randn({2, 3, 64, 64});
  const SkinNetOutput expected = net->forward(images, /*return_features=*/true);
  absl::StatusOr<GradingOutput> out = (*model)->Forward(images, /*return_features=*/true);
  ASSERT_TRUE(out.ok()) << out.status();
  // The loader folded the batch norms: equal within the folding tolerance.
  EXPECT_TRUE(torch::allclose(out->logits, expected.logits, 0.0, 1e-4));
  EXPECT_TRUE(torch::allclose(out->features, expected.features, 0.0, 1e-4));
  torch::Tensor f = out->features.detach().clone().requires_grad_();
  absl::StatusOr<torch::Tensor> head = (*model)->Head(f);
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_TRUE(torch::allclose(*head, out->logits, 0.0, 1e-6));
  head->select(1, 0).select(1, 1).sum().backward();
  EXPECT_GT(f.grad().abs().sum().item<double>(), 0.0);

  EXPECT_EQ((*model)->Forward(torch::zeros({1, 4, 64, 64}), false).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ((*model)->Head(torch::zeros({1, 3})).status().code(),
            absl::StatusCode::kInvalidArgument);
  // A features map of the wrong channel count fails inside LibTorch, caught as a status.
  EXPECT_EQ((*model)->Head(torch::zeros({1, 7, 2, 2})).status().code(),
            absl::StatusCode::kInvalidArgument);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace skinlens::model
