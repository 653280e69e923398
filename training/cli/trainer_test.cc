// The trainer's contract with its run folder: a run interrupted and resumed
// ends with the same weights as an uninterrupted one, the files a user reads
// are written, and a folder holding another run is never overwritten.
#include "training/cli/trainer.h"

#include <torch/torch.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "common/model/model_bundle.h"
#include "gtest/gtest.h"
#include "opencv2/core.hpp"
#include "training/data/test_files.h"

namespace skinlens::training {
namespace {

namespace fs = std::filesystem;

std::vector<Sample> WriteSamples(const TempFolder& folder, int count, int offset) {
  std::vector<Sample> samples;
  cv::RNG rng(offset + 1);
  for (int i = 0; i < count; ++i) {
    Sample s;
    s.image_path = folder.Path("img" + std::to_string(offset + i) + ".png");
    cv::Mat image(32, 32, CV_8UC3);
    rng.fill(image, cv::RNG::UNIFORM, 0, 255);
    WriteImage(s.image_path, image);
    for (int a = 0; a < kNumAttributes; ++a) s.grades[a] = (i * (a + 1)) % 5;
    samples.push_back(s);
  }
  return samples;
}

TrainRecipe TestRecipe() {
  absl::StatusOr<TrainRecipe> recipe = ParseRecipe(nlohmann::json::parse(R"({
    "name": "test",
    "model": {"architecture": "tiny", "width_multiplier": 0.1, "depth_multiplier": 0.1,
              "image_size": 32, "dropout": 0.0, "stochastic_depth": 0.0},
    "epochs": 2, "batch_size": 8, "seed": 5, "mode": "per_attribute",
    "attributes": {"oil": {"sampler": {"power": 0.0}, "loss": {"name": "cb_focal"}}}
  })"),
                                                   "test");
  EXPECT_TRUE(recipe.ok()) << recipe.status();
  return *recipe;
}

torch::Tensor FlatWeights(const std::string& bundle) {
  absl::StatusOr<model::ModelBundle> loaded = model::LoadBundle(bundle);
  EXPECT_TRUE(loaded.ok()) << loaded.status();
  std::vector<torch::Tensor> flat;
  for (const auto& p : loaded->net->parameters()) flat.push_back(p.detach().flatten());
  return torch::cat(flat);
}

class TrainerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    torch::set_num_threads(1);
    train_ = WriteSamples(folder_, 40, 0);
    validation_ = WriteSamples(folder_, 12, 1000);
  }
  TrainerOptions Options(const std::string& name) {
    TrainerOptions options;
    options.run_dir = folder_.Path(name);
    options.progress = false;
    return options;
  }
  TempFolder folder_;
  std::vector<Sample> train_, validation_;
};

TEST_F(TrainerTest, InterruptedAndResumedRunEndsWithTheSameModel) {
  const TrainRecipe recipe = TestRecipe();
  auto straight = Train(recipe, train_, validation_, Options("straight"));
  ASSERT_TRUE(straight.ok()) << straight.status();
  EXPECT_EQ(straight->epochs_completed, 2);
  EXPECT_FALSE(straight->interrupted);

  // Stopped after the first step of the run, then after epoch 1, then resumed to the end.
  std::atomic<bool> stop{true};
  TrainerOptions options = Options("resumed");
  options.stop_requested = &stop;
  auto first = Train(recipe, train_, validation_, options);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->interrupted);
  EXPECT_EQ(first->epochs_completed, 0);
  stop = false;
  options.resume = true;
  options.stop_after_epochs = 1;
  auto second = Train(recipe, train_, validation_, options);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->epochs_completed, 1);
  options.stop_after_epochs = 0;
  auto third = Train(recipe, train_, validation_, options);
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ(third->epochs_completed, 2);
  EXPECT_EQ(third->best_epoch, straight->best_epoch);
  EXPECT_DOUBLE_EQ(third->best_mean_p_recall, straight->best_mean_p_recall);

  const torch::Tensor a = FlatWeights(folder_.Path("straight/model"));
  const torch::Tensor b = FlatWeights(folder_.Path("resumed/model"));
  EXPECT_LE((a - b).abs().max().item<double>(), 1e-5);

  // One metrics line per epoch, even though epoch 1 was split over two invocations.
  std::ifstream metrics(folder_.Path("resumed/metrics.jsonl"));
  std::string line;
  int lines = 0;
  while (std::getline(metrics, line)) {
    const auto record = nlohmann::json::parse(line);
    EXPECT_EQ(record["epoch"].get<int>(), ++lines);
    EXPECT_TRUE(record["validation"]["attributes"].contains("oil"));
  }
  EXPECT_EQ(lines, 2);
  for (const char* file : {"recipe.json", "curves.png", "confusion_matrices.jsonl",
                           "model/metadata.json", "checkpoint/state.json"}) {
    EXPECT_TRUE(fs::exists(folder_.Path(std::string("resumed/") + file))) << file;
  }
}

TEST_F(TrainerTest, RefusesToOverwriteARunAndToResumeWithAnotherRecipe) {
  TrainRecipe recipe = TestRecipe();
  recipe.epochs = 1;
  ASSERT_TRUE(Train(recipe, train_, validation_, Options("run")).ok());
  auto again = Train(recipe, train_, validation_, Options("run"));
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition) << again.status();

  TrainerOptions resume = Options("run");
  resume.resume = true;
  TrainRecipe other = recipe;
  other.learning_rate = 0.5;
  auto mismatched = Train(other, train_, validation_, resume);
  EXPECT_EQ(mismatched.status().code(), absl::StatusCode::kFailedPrecondition)
      << mismatched.status();

  TrainerOptions nothing = Options("empty");
  nothing.resume = true;
  EXPECT_EQ(Train(recipe, train_, validation_, nothing).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(TrainerTest, BundleCarriesTheValidationMetricsAndInputSize) {
  TrainRecipe recipe = TestRecipe();
  recipe.epochs = 1;
  TrainerOptions options = Options("bundle");
  options.model_version = "test-model-1";
  options.data_description = "random noise";
  ASSERT_TRUE(Train(recipe, train_, validation_, options).ok());
  auto metadata = model::ReadBundleMetadata(folder_.Path("bundle/model"));
  ASSERT_TRUE(metadata.ok()) << metadata.status();
  EXPECT_EQ(metadata->model_version, "test-model-1");
  EXPECT_EQ(metadata->input.height, 32);
  EXPECT_EQ(metadata->training_data.description, "random noise");
  EXPECT_EQ(metadata->training_data.num_train_images, 40);
  EXPECT_EQ(metadata->validation_metrics.size(), 5u);
  EXPECT_EQ(metadata->validation_metrics.at("oil").num_samples, 12);
}

}  // namespace
}  // namespace skinlens::training
