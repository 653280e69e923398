#include "training/cli/recipe.h"

#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"

namespace skinlens::training {
namespace {

using nlohmann::json;

std::string RecipePath(const std::string& name) {
  return std::string(SKINLENS_SOURCE_DIR) + "/training/recipes/" + name + ".json";
}

TEST(Recipe, ShippedSeedRecipeHasTheSeedsPerAttributeChoices) {
  absl::StatusOr<TrainRecipe> recipe = ReadRecipeFile(RecipePath("seed"));
  ASSERT_TRUE(recipe.ok()) << recipe.status();
  EXPECT_EQ(recipe->mode, TrainingMode::kPerAttribute);
  EXPECT_EQ(recipe->architecture, "efficientnet-b0");
  const auto& oil = recipe->attributes[AttributeIndex(Attribute::kOil)];
  const auto& wrinkle = recipe->attributes[AttributeIndex(Attribute::kWrinkle)];
  const auto& sensitivity = recipe->attributes[AttributeIndex(Attribute::kSensitivity)];
  const auto& pigmentation = recipe->attributes[AttributeIndex(Attribute::kPigmentation)];
  const auto& hydration = recipe->attributes[AttributeIndex(Attribute::kHydration)];
  EXPECT_EQ(oil.loss, "focal");
  EXPECT_EQ(wrinkle.loss, "masked_ls");
  EXPECT_EQ(sensitivity.loss, "cb_focal");
  EXPECT_EQ(pigmentation.loss, "masked_ls");
  EXPECT_EQ(hydration.loss, "masked_ls");
  // The seed's sampler helped oil, wrinkle and sensitivity only.
  EXPECT_TRUE(oil.sampler.has_value());
  EXPECT_TRUE(wrinkle.sampler.has_value());
  EXPECT_TRUE(sensitivity.sampler.has_value());
  EXPECT_FALSE(pigmentation.sampler.has_value());
  EXPECT_FALSE(hydration.sampler.has_value());
  EXPECT_EQ(oil.augment.size(), 6u);
}

TEST(Recipe, ShippedBaselineIsCrossEntropyWithoutAugmentation) {
  absl::StatusOr<TrainRecipe> recipe = ReadRecipeFile(RecipePath("baseline"));
  ASSERT_TRUE(recipe.ok()) << recipe.status();
  EXPECT_EQ(recipe->mode, TrainingMode::kJoint);
  for (const AttributeRecipe& a : recipe->attributes) {
    EXPECT_EQ(a.loss, "ce");
    EXPECT_TRUE(a.augment.empty());
    EXPECT_FALSE(a.sampler.has_value());
  }
}

// The shipped YAML recipe: every key reaches the recipe with its type.
TEST(Recipe, TinyYamlRecipeParses) {
  absl::StatusOr<TrainRecipe> recipe =
      ReadRecipeFile(std::string(SKINLENS_SOURCE_DIR) + "/training/recipes/tiny.yaml");
  ASSERT_TRUE(recipe.ok()) << recipe.status();
  EXPECT_EQ(recipe->name, "tiny");
  EXPECT_EQ(recipe->image_size, 64);
  EXPECT_DOUBLE_EQ(recipe->width_multiplier, 0.25);
  EXPECT_DOUBLE_EQ(recipe->stochastic_depth, 0.0);
  EXPECT_EQ(recipe->batch_size, 16);
  EXPECT_EQ(recipe->seed, 3u);
  EXPECT_EQ(recipe->mode, TrainingMode::kPerAttribute);
  const AttributeRecipe& oil = recipe->attributes[AttributeIndex(Attribute::kOil)];
  EXPECT_EQ(oil.loss, "focal");
  EXPECT_EQ(oil.loss_params, json::parse(R"({"gamma": 2})"));
  ASSERT_TRUE(oil.sampler.has_value());
  EXPECT_DOUBLE_EQ(oil.sampler->power, 0.0);
  EXPECT_EQ(oil.augment, json::parse(R"([{"name": "HorizontalFlip", "p": 0.5}])"));
  EXPECT_EQ(recipe->attributes[AttributeIndex(Attribute::kSensitivity)].loss, "cb_focal");
}

TEST(Recipe, EveryShippedRecipeParses) {
  int parsed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(SKINLENS_SOURCE_DIR) +
                                                               "/training/recipes")) {
    const std::string extension = entry.path().extension().string();
    if (extension != ".json" && extension != ".yaml" && extension != ".yml") continue;
    absl::StatusOr<TrainRecipe> recipe = ReadRecipeFile(entry.path().string());
    EXPECT_TRUE(recipe.ok()) << entry.path() << ": " << recipe.status();
    ++parsed;
  }
  EXPECT_GE(parsed, 4);  // baseline, seed, demo, tiny
}

TEST(Recipe, RoundTripsThroughJson) {
  absl::StatusOr<TrainRecipe> recipe = ReadRecipeFile(RecipePath("seed"));
  ASSERT_TRUE(recipe.ok()) << recipe.status();
  const json written = RecipeToJson(*recipe);
  absl::StatusOr<TrainRecipe> again = ParseRecipe(written, "written");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(RecipeToJson(*again), written);
}

TEST(Recipe, AttributesInheritTheTopLevelDefaults) {
  absl::StatusOr<TrainRecipe> recipe =
      ParseRecipe(json::parse(R"({"name": "x", "loss": {"name": "ls", "params": {"epsilon": 0.2}},
                      "augment": [{"name": "HorizontalFlip", "p": 0.5}],
                      "sampler": {"power": 0.5},
                      "attributes": {"oil": {"loss": {"name": "focal"}, "sampler": null}}})"),
                  "inline");
  ASSERT_TRUE(recipe.ok()) << recipe.status();
  const auto& oil = recipe->attributes[AttributeIndex(Attribute::kOil)];
  const auto& wrinkle = recipe->attributes[AttributeIndex(Attribute::kWrinkle)];
  EXPECT_EQ(oil.loss, "focal");
  EXPECT_FALSE(oil.sampler.has_value());
  EXPECT_EQ(oil.augment.size(), 1u);
  EXPECT_EQ(wrinkle.loss, "ls");
  EXPECT_DOUBLE_EQ(wrinkle.loss_params.at("epsilon").get<double>(), 0.2);
  ASSERT_TRUE(wrinkle.sampler.has_value());
  EXPECT_DOUBLE_EQ(wrinkle.sampler->power, 0.5);
}

TEST(Recipe, RefusesAnUnknownKeyByName) {
  absl::StatusOr<TrainRecipe> recipe =
      ParseRecipe(json::parse(R"({"name": "x", "epochz": 3})"), "r.json");
  ASSERT_EQ(recipe.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(recipe.status().message().find("epochz"), absl::string_view::npos) << recipe.status();
}

TEST(Recipe, RefusesValuesOutOfRangeAndWrongTypes) {
  EXPECT_EQ(ParseRecipe(json::parse(R"({"name": "x", "batch_size": 0})"), "r").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseRecipe(json::parse(R"({"name": "x", "epochs": "ten"})"), "r").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseRecipe(json::parse(R"({"name": "x", "mode": "both"})"), "r").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseRecipe(json::parse(R"({"epochs": 3})"), "r").status().code(),
            absl::StatusCode::kInvalidArgument);  // no name
}

TEST(Recipe, RefusesAnUnknownLossNamingTheAttribute) {
  absl::StatusOr<TrainRecipe> recipe = ParseRecipe(
      json::parse(R"({"name": "x", "attributes": {"wrinkle": {"loss": {"name": "hinge"}}}})"),
      "r.json");
  ASSERT_EQ(recipe.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(recipe.status().message().find("attributes.wrinkle.loss"), absl::string_view::npos)
      << recipe.status();
}

TEST(Recipe, RefusesAnUnknownTransform) {
  absl::StatusOr<TrainRecipe> recipe =
      ParseRecipe(json::parse(R"({"name": "x", "augment": [{"name": "Sharpen"}]})"), "r.json");
  EXPECT_EQ(recipe.status().code(), absl::StatusCode::kInvalidArgument);
}

// The same recipe in YAML reads to the same settings as the shipped JSON one.
TEST(Recipe, YamlRecipeReadsLikeItsJsonTwin) {
  const std::filesystem::path path = std::filesystem::path(::testing::TempDir()) / "seed-like.yaml";
  {
    std::ofstream out(path);
    out << R"(# The seed's recipe, as YAML.
name: seed
description: "The seed's final per-attribute recipe."
model: {architecture: efficientnet-b0, image_size: 96}
optimizer: {name: adamw, learning_rate: 0.002, weight_decay: 0.01}
schedule: {name: cosine, warmup_epochs: 1}
epochs: 10
batch_size: 32
seed: 1
split: {validation_fraction: 0.15, stratify_by: oil}
mode: per_attribute
)";
  }
  absl::StatusOr<TrainRecipe> yaml = ReadRecipeFile(path.string());
  ASSERT_TRUE(yaml.ok()) << yaml.status();
  EXPECT_EQ(yaml->name, "seed");
  EXPECT_EQ(yaml->image_size, 96);
  EXPECT_DOUBLE_EQ(yaml->learning_rate, 0.002);
  EXPECT_EQ(yaml->mode, TrainingMode::kPerAttribute);
  EXPECT_DOUBLE_EQ(yaml->validation_fraction, 0.15);

  absl::StatusOr<TrainRecipe> same = ParseRecipe(RecipeToJson(*yaml), "round trip");
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_EQ(RecipeToJson(*same), RecipeToJson(*yaml));
}

TEST(Recipe, YamlRecipeWithATypoIsRefusedByName) {
  const std::filesystem::path path = std::filesystem::path(::testing::TempDir()) / "typo.yml";
  {
    std::ofstream out(path);
    out << "name: x\nepochz: 3\n";
  }
  absl::StatusOr<TrainRecipe> recipe = ReadRecipeFile(path.string());
  ASSERT_EQ(recipe.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(recipe.status().message().find("epochz"), absl::string_view::npos) << recipe.status();

  {
    std::ofstream out(path);
    out << "name: x\nepochs: \"ten\"\n";
  }
  EXPECT_EQ(ReadRecipeFile(path.string()).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(Recipe, MissingFileIsNotFound) {
  EXPECT_EQ(ReadRecipeFile("/nonexistent/recipe.json").status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace skinlens::training
