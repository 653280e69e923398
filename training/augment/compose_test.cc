#include "training/augment/compose.h"

#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "opencv2/core.hpp"
#include "opencv2/imgproc.hpp"

#ifndef SKINLENS_AUGMENT_RECIPES_DIR
#error "the build defines SKINLENS_AUGMENT_RECIPES_DIR"
#endif

namespace skinlens::training {
namespace {

using ::testing::HasSubstr;

bool Identical(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0.0;
}

cv::Mat TestImage(int rows, int cols) {
  cv::Mat image(rows, cols, CV_8UC3);
  cv::randu(image, cv::Scalar::all(40), cv::Scalar::all(220));
  cv::GaussianBlur(image, image, cv::Size(5, 5), 0);
  return image;
}

absl::Status RecipeError(absl::string_view text) { return Compose::FromRecipeText(text).status(); }

TEST(Compose, BuildsTheExampleRecipeAndAppliesIt) {
  absl::StatusOr<Compose> compose = Compose::FromRecipeText(R"([
      {"name": "RandomResizedCrop", "size": 224, "scale": [0.5, 1.0]},
      {"name": "HorizontalFlip", "p": 0.5}])");
  ASSERT_TRUE(compose.ok()) << compose.status();
  ASSERT_EQ(compose->transforms().size(), 2u);
  EXPECT_EQ(compose->transforms()[0]->name(), "RandomResizedCrop");
  EXPECT_EQ(compose->transforms()[1]->probability(), 0.5);
  AugmentRng rng(1);
  absl::StatusOr<cv::Mat> out = compose->Apply(TestImage(300, 260), rng);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->size(), cv::Size(224, 224));
}

TEST(Compose, EmptyRecipeIsTheIdentity) {
  absl::StatusOr<Compose> compose = Compose::FromRecipeText("[]");
  ASSERT_TRUE(compose.ok());
  const cv::Mat image = TestImage(10, 12);
  AugmentRng rng(1);
  absl::StatusOr<cv::Mat> out = compose->Apply(image, rng);
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(Identical(*out, image));
}

TEST(Compose, SameSeedGivesSameOutput) {
  absl::StatusOr<Compose> compose = Compose::FromRecipeText(R"([
      {"name": "RandomResizedCrop", "size": 64},
      {"name": "RGBShift", "p": 1}, {"name": "ISONoise", "p": 1},
      {"name": "OpticalDistortion", "p": 1}, {"name": "RandomBrightnessContrast", "p": 1},
      {"name": "HorizontalFlip"}])");
  ASSERT_TRUE(compose.ok()) << compose.status();
  const cv::Mat image = TestImage(100, 90);
  AugmentRng a(33), b(33), c(34);
  absl::StatusOr<cv::Mat> first = compose->Apply(image, a);
  absl::StatusOr<cv::Mat> again = compose->Apply(image, b);
  absl::StatusOr<cv::Mat> other = compose->Apply(image, c);
  ASSERT_TRUE(first.ok() && again.ok() && other.ok());
  EXPECT_TRUE(Identical(*first, *again));
  EXPECT_FALSE(Identical(*first, *other));
}

TEST(Compose, UnknownTransformIsInvalidArgumentNamingIt) {
  const absl::Status status =
      RecipeError(R"([{"name": "HorizontalFlip"}, {"name": "VerticalFlip"}])");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("recipe entry 1"));
  EXPECT_THAT(status.message(), HasSubstr("unknown transform 'VerticalFlip'"));
  EXPECT_THAT(status.message(), HasSubstr("RandomResizedCrop"));  // Lists the known ones.
}

TEST(Compose, NormalizeIsRefusedWithAHint) {
  const absl::Status status = RecipeError(R"([{"name": "Normalize"}])");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("done by the trainer"));
}

TEST(Compose, UnknownParameterIsInvalidArgumentNamingIt) {
  const absl::Status status =
      RecipeError(R"([{"name": "RandomResizedCrop", "size": 224, "scal": [0.5, 1.0]}])");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("recipe entry 0: RandomResizedCrop"));
  EXPECT_THAT(status.message(), HasSubstr("unknown parameter 'scal'"));
}

TEST(Compose, MalformedOrOutOfRangeParametersAreInvalidArgument) {
  const std::pair<const char*, const char*> cases[] = {
      {R"([{"name": "Resize", "size": "big"}])", "'size' must be an integer or [height, width]"},
      {R"([{"name": "Resize"}])", "needs 'size'"},
      {R"([{"name": "Resize", "size": 8, "height": 8}])", "alternatives"},
      {R"([{"name": "Resize", "size": 0}])", "the size must be"},
      {R"([{"name": "RandomResizedCrop", "size": 8, "scale": [1.5, 2]}])", "'scale' must be"},
      {R"([{"name": "RandomResizedCrop", "size": 8, "ratio": "wide"}])", "'ratio' must be"},
      {R"([{"name": "HorizontalFlip", "p": 2}])", "'p' must be in [0, 1]"},
      {R"([{"name": "HorizontalFlip", "p": "often"}])", "'p' must be a number"},
      {R"([{"name": "RGBShift", "r_shift_limit": [30, 10]}])", "'r_shift_limit' must be"},
      {R"([{"name": "CenterCrop", "size": 8, "pad_if_needed": 1}])", "must be true or false"},
      {R"([{"name": "Resize", "size": 8, "interpolation": "bicubic"}])", "'interpolation'"},
      {R"([{"name": "OpticalDistortion", "border_mode": "mirror"}])", "'border_mode'"},
      {R"([{"name": "RandomBrightness", "contrast_limit": 0.2}])", "'contrast_limit'"},
      {R"([{"size": 8}])", "needs a \"name\""},
      {R"([7])", "must be a JSON object"},
      {R"({"name": "Resize"})", "must be a JSON array"},
      {R"([{"name": )", "not valid JSON"},
  };
  for (const auto& [recipe, expected] : cases) {
    const absl::Status status = RecipeError(recipe);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << recipe;
    EXPECT_THAT(status.message(), HasSubstr(expected)) << recipe;
  }
}

TEST(Compose, AcceptsAlbumentationsSpellings) {
  absl::StatusOr<Compose> compose = Compose::FromRecipeText(R"([
      {"name": "Resize", "height": 20, "width": 30, "interpolation": 3},
      {"name": "OpticalDistortion", "border_mode": 0, "p": 1},
      {"name": "RGBShift", "r_shift_limit": 10}])");
  ASSERT_TRUE(compose.ok()) << compose.status();
  const nlohmann::json recipe = compose->ToRecipe();
  EXPECT_EQ(recipe[0]["size"], nlohmann::json::parse("[20, 30]"));
  EXPECT_EQ(recipe[0]["interpolation"], "area");
  EXPECT_EQ(recipe[1]["border_mode"], "constant");
  EXPECT_EQ(recipe[2]["r_shift_limit"], nlohmann::json::parse("[-10.0, 10.0]"));
  EXPECT_EQ(recipe[2]["g_shift_limit"], nlohmann::json::parse("[-20.0, 20.0]"));  // Default.
}

TEST(Compose, ToRecipeReadsBackToTheSameBehaviour) {
  absl::StatusOr<Compose> compose = Compose::FromRecipeText(R"([
      {"name": "RandomResizedCrop", "size": [40, 48], "scale": [0.3, 0.9]},
      {"name": "ISONoise", "p": 0.7}, {"name": "RandomBrightness", "limit": 0.3},
      {"name": "CenterCrop", "size": 32}])");
  ASSERT_TRUE(compose.ok()) << compose.status();
  absl::StatusOr<Compose> again = Compose::FromRecipe(compose->ToRecipe());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->ToRecipe(), compose->ToRecipe());
  const cv::Mat image = TestImage(80, 70);
  for (uint32_t seed = 0; seed < 5; ++seed) {
    AugmentRng a(seed), b(seed);
    absl::StatusOr<cv::Mat> first = compose->Apply(image, a);
    absl::StatusOr<cv::Mat> second = again->Apply(image, b);
    ASSERT_TRUE(first.ok() && second.ok());
    EXPECT_TRUE(Identical(*first, *second));
    EXPECT_EQ(first->size(), cv::Size(32, 32));
  }
}

TEST(Compose, ApplyErrorNamesTheEntry) {
  absl::StatusOr<Compose> compose = Compose::FromRecipeText(
      R"([{"name": "HorizontalFlip"}, {"name": "RandomCrop", "size": 64}])");
  ASSERT_TRUE(compose.ok());
  AugmentRng rng(1);
  absl::StatusOr<cv::Mat> out = compose->Apply(TestImage(32, 32), rng);
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(out.status().message(), HasSubstr("recipe entry 1 (RandomCrop)"));
}

class SeedRecipe : public testing::TestWithParam<const char*> {};

// The per-attribute recipes of the seed (seed/SUMMARY.md), shipped in recipes/.
TEST_P(SeedRecipe, ParsesAndProducesFiveHundredTwelveSquareCrops) {
  const std::string path = std::string(SKINLENS_AUGMENT_RECIPES_DIR) + "/" + GetParam() + ".json";
  std::ifstream in(path);
  ASSERT_TRUE(in) << path;
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<Compose> compose = Compose::FromRecipeText(text.str());
  ASSERT_TRUE(compose.ok()) << compose.status();
  AugmentRng rng(7);
  absl::StatusOr<cv::Mat> out = compose->Apply(TestImage(600, 540), rng);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->size(), cv::Size(512, 512));
}

INSTANTIATE_TEST_SUITE_P(Attributes, SeedRecipe,
                         testing::Values("oil", "wrinkle", "sensitivity", "pigmentation",
                                         "hydration"));

}  // namespace
}  // namespace skinlens::training
