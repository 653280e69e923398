#include "training/cli/evaluation.h"

#include <torch/torch.h>

#include "gtest/gtest.h"
#include "training/data/test_files.h"

namespace skinlens::training {
namespace {

// A "model" that reads its answer from the image: pixel (0, 0) of channel c
// holds the grade it predicts for attribute c % 5 ... here simply the value
// of channel 0 for every attribute.
torch::Tensor LogitsFromFirstPixel(const torch::Tensor& images) {
  torch::Tensor grade = images.select(1, 0).select(1, 0).select(1, 0).to(torch::kInt64);
  torch::Tensor one_hot = torch::one_hot(grade, 5).to(torch::kFloat);  // [N, 5]
  return one_hot.unsqueeze(1).repeat({1, 5, 1});
}

TEST(EvaluateModel, ScoresArgmaxAgainstLabelsAndSkipsUnlabelled) {
  std::vector<Sample> samples(4);
  torch::Tensor images = torch::zeros({4, 3, 2, 2});
  const int predicted[4] = {0, 1, 3, 4};
  for (int i = 0; i < 4; ++i) {
    images[i][0][0][0] = predicted[i];
    for (int a = 0; a < kNumAttributes; ++a) samples[i].grades[a] = predicted[i];
  }
  samples[3].grades[AttributeIndex(Attribute::kOil)] = 2;  // predicted 4: d = 2, credit -0.5
  samples[0].grades[AttributeIndex(Attribute::kWrinkle)] = kUnlabelled;
  for (auto& s : samples) s.grades[AttributeIndex(Attribute::kHydration)] = kUnlabelled;

  auto evaluation = EvaluateModel(
      [](const torch::Tensor& x) -> absl::StatusOr<torch::Tensor> {
        return LogitsFromFirstPixel(x);
      },
      images, samples, /*batch_size=*/3);
  ASSERT_TRUE(evaluation.ok()) << evaluation.status();
  EXPECT_EQ(evaluation->num_samples, 4);
  const auto& oil = evaluation->metrics[AttributeIndex(Attribute::kOil)];
  ASSERT_TRUE(oil.has_value());
  // Grades 0, 1, 3 right (credit 1); grade 2 predicted as 4 (credit -0.5): mean over 4 grades.
  EXPECT_DOUBLE_EQ(oil->p_recall, (1 + 1 + 1 - 0.5) / 4);
  EXPECT_EQ(evaluation->metrics[AttributeIndex(Attribute::kWrinkle)]->labelled, 3);
  EXPECT_FALSE(evaluation->metrics[AttributeIndex(Attribute::kHydration)].has_value());
  EXPECT_DOUBLE_EQ(evaluation->metrics[AttributeIndex(Attribute::kPigmentation)]->p_recall, 1.0);
  EXPECT_EQ(evaluation->predictions[3][0], 4);
  // Mean over the four evaluated attributes.
  EXPECT_DOUBLE_EQ(*MeanPRecall(*evaluation), (0.625 + 1 + 1 + 1) / 4);

  const nlohmann::json j = EvaluationToJson(*evaluation);
  EXPECT_DOUBLE_EQ(j["attributes"]["oil"]["p_recall"].get<double>(), 0.625);
  EXPECT_EQ(j["attributes"]["oil"]["confusion"][2][4].get<int>(), 1);
  EXPECT_FALSE(j["attributes"].contains("hydration"));
  EXPECT_NE(EvaluationTable(*evaluation).find("(no labels)"), std::string::npos);
}

TEST(EvaluateModel, RefusesLogitsOfTheWrongShape) {
  std::vector<Sample> samples(2);
  for (auto& s : samples) s.grades = {0, 0, 0, 0, 0};
  auto evaluation = EvaluateModel(
      [](const torch::Tensor& x) -> absl::StatusOr<torch::Tensor> {
        return torch::zeros({x.size(0), 1, 5});
      },
      torch::zeros({2, 3, 2, 2}), samples, 2);
  EXPECT_EQ(evaluation.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(ScorePredictionsCsv, ScoresRowsPerAttribute) {
  TempFolder folder;
  const std::string path = folder.Path("p.csv");
  WriteText(path,
            "image,attribute,true,pred\n"
            "a.png,oil,0,1\n"  // d = 1: 0.5
            "a.png,wrinkle,2,2\n"
            "b.png,oil,3,3\n"
            "b.png,wrinkle,-1,4\n");  // unlabelled: skipped
  auto evaluation = ScorePredictionsCsv(path);
  ASSERT_TRUE(evaluation.ok()) << evaluation.status();
  EXPECT_EQ(evaluation->num_samples, 2);
  EXPECT_DOUBLE_EQ(evaluation->metrics[AttributeIndex(Attribute::kOil)]->p_recall, 0.75);
  EXPECT_EQ(evaluation->metrics[AttributeIndex(Attribute::kWrinkle)]->labelled, 1);
}

TEST(ScorePredictionsCsv, NamesTheLineOfAMalformedRow) {
  TempFolder folder;
  const std::string path = folder.Path("p.csv");
  WriteText(path, "image,attribute,true,pred\na.png,oil,0,1\na.png,oil,7,1\n");
  auto evaluation = ScorePredictionsCsv(path);
  ASSERT_EQ(evaluation.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(evaluation.status().message().find(":3:"), absl::string_view::npos)
      << evaluation.status();
  WriteText(path, "img,attr\n");
  EXPECT_EQ(ScorePredictionsCsv(path).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace skinlens::training
