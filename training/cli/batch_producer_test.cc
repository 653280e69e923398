#include "training/cli/batch_producer.h"

#include <torch/torch.h>

#include "gtest/gtest.h"
#include "opencv2/core.hpp"
#include "training/data/test_files.h"

namespace skinlens::training {
namespace {

// `count` 24x24 images of distinct flat colours, with grades that cycle and
// wrinkle unlabelled on every third sample.
std::vector<Sample> WriteSamples(const TempFolder& folder, int count) {
  std::vector<Sample> samples;
  for (int i = 0; i < count; ++i) {
    Sample s;
    s.image_path = folder.Path("img" + std::to_string(i) + ".png");
    WriteImage(s.image_path, cv::Mat(24, 24, CV_8UC3, cv::Scalar(i * 7 % 256, i * 13 % 256, 90)));
    for (int a = 0; a < kNumAttributes; ++a) s.grades[a] = (i + a) % 5;
    if (i % 3 == 0) s.grades[AttributeIndex(Attribute::kWrinkle)] = kUnlabelled;
    samples.push_back(s);
  }
  return samples;
}

std::vector<BatchTask> PerAttributeTasks(const std::vector<Sample>& samples) {
  std::vector<BatchTask> tasks;
  for (int a = 0; a < kNumAttributes; ++a) {
    BatchTask task;
    task.augment.emplace(
        *Compose::FromRecipe(nlohmann::json::parse(R"([{"name": "HorizontalFlip", "p": 0.5}])")));
    task.trains = {false, false, false, false, false};
    task.trains[a] = true;
    for (size_t i = 0; i < samples.size(); ++i) {
      if (samples[i].grades[a] >= 0) task.eligible.push_back(static_cast<int64_t>(i));
    }
    tasks.push_back(std::move(task));
  }
  return tasks;
}

TEST(BatchProducer, ResumedProducerYieldsTheSameBatchesAsAnUninterruptedOne) {
  TempFolder folder;
  std::vector<Sample> samples = WriteSamples(folder, 30);
  BatchProducerOptions options;
  options.batch_size = 4;
  options.image_size = 16;
  options.seed = 9;
  options.end_step = 12;
  auto whole = BatchProducer::Start(samples, PerAttributeTasks(samples), options);
  ASSERT_TRUE(whole.ok()) << whole.status();
  std::vector<TrainingBatch> expected;
  for (int s = 0; s < 12; ++s) {
    auto batch = (*whole)->Next();
    ASSERT_TRUE(batch.ok()) << batch.status();
    expected.push_back(*batch);
  }
  EXPECT_EQ((*whole)->Next().status().code(), absl::StatusCode::kOutOfRange);

  options.first_step = 7;
  auto resumed = BatchProducer::Start(samples, PerAttributeTasks(samples), options);
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  for (int s = 7; s < 12; ++s) {
    auto batch = (*resumed)->Next();
    ASSERT_TRUE(batch.ok()) << batch.status();
    EXPECT_EQ(batch->step, s);
    EXPECT_EQ(batch->task, s % 5);
    EXPECT_TRUE(torch::equal(batch->images, expected[s].images)) << "step " << s;
    EXPECT_TRUE(torch::equal(batch->labels, expected[s].labels)) << "step " << s;
  }
}

TEST(BatchProducer, PerAttributeBatchesTrainOnlyTheirAttributeAndOnlyLabelledSamples) {
  TempFolder folder;
  std::vector<Sample> samples = WriteSamples(folder, 30);
  BatchProducerOptions options;
  options.batch_size = 6;
  options.image_size = 20;
  options.end_step = 10;
  auto producer = BatchProducer::Start(samples, PerAttributeTasks(samples), options);
  ASSERT_TRUE(producer.ok()) << producer.status();
  for (int s = 0; s < 10; ++s) {
    auto batch = (*producer)->Next();
    ASSERT_TRUE(batch.ok()) << batch.status();
    EXPECT_EQ(batch->images.sizes(), (std::vector<int64_t>{6, 3, 20, 20}));
    for (int a = 0; a < kNumAttributes; ++a) {
      torch::Tensor column = batch->labels.select(1, a);
      if (a == batch->task) {
        EXPECT_TRUE(column.ge(0).all().item<bool>())
            << "task " << a << " drew an unlabelled sample";
      } else {
        EXPECT_TRUE(column.eq(kUnlabelled).all().item<bool>())
            << "attribute " << a << " not masked";
      }
    }
  }
}

TEST(BatchProducer, AnUnreadableImageIsReportedByName) {
  TempFolder folder;
  std::vector<Sample> samples = WriteSamples(folder, 4);
  WriteText(samples[2].image_path, "not an image");
  BatchTask task;
  task.eligible = {0, 1, 2, 3};
  std::vector<BatchTask> tasks;
  tasks.push_back(std::move(task));
  BatchProducerOptions options;
  options.batch_size = 4;
  options.end_step = 3;
  auto producer = BatchProducer::Start(samples, std::move(tasks), options);
  ASSERT_TRUE(producer.ok()) << producer.status();
  auto batch = (*producer)->Next();
  ASSERT_FALSE(batch.ok());
  EXPECT_NE(batch.status().message().find("img2.png"), absl::string_view::npos) << batch.status();
  EXPECT_FALSE((*producer)->Next().ok());  // The error stays.
}

TEST(BatchProducer, RefusesATaskWithNothingToDraw) {
  TempFolder folder;
  std::vector<Sample> samples = WriteSamples(folder, 2);
  std::vector<BatchTask> tasks(1);
  BatchProducerOptions options;
  options.end_step = 1;
  EXPECT_EQ(BatchProducer::Start(samples, std::move(tasks), options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace skinlens::training
