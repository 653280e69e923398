#include "services/inference/photo_aggregation.h"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skinlens::inference {
namespace {

using ::testing::ElementsAre;
using ::testing::FloatNear;
using ::testing::HasSubstr;
using ::testing::Pointwise;

TEST(MakeDistribution, ArgmaxAndExpectedScore) {
  const Distribution d = MakeDistribution({0.1f, 0.2f, 0.4f, 0.2f, 0.1f});
  EXPECT_EQ(d.grade, 2);
  EXPECT_FLOAT_EQ(d.expected_score, 0.2f + 0.8f + 0.6f + 0.4f);
}

TEST(MakeDistribution, LowestGradeWinsATie) {
  EXPECT_EQ(MakeDistribution({0.0f, 0.4f, 0.2f, 0.4f, 0.0f}).grade, 1);
}

TEST(DecideAbstention, WithholdsOnlyBelowTheThreshold) {
  const Distribution unsure = MakeDistribution({0.3f, 0.35f, 0.2f, 0.1f, 0.05f});
  const Distribution sure = MakeDistribution({0.05f, 0.9f, 0.05f, 0.0f, 0.0f});
  const Abstention withheld = DecideAbstention(unsure, 0.5, "oil");
  EXPECT_TRUE(withheld.abstained);
  EXPECT_EQ(withheld.reason,
            "confidence 0.35 is below 0.50, the least this model needs to grade oil from a photo");
  EXPECT_FALSE(DecideAbstention(sure, 0.5, "oil").abstained);
  EXPECT_EQ(DecideAbstention(sure, 0.5, "oil").reason, "");
  // At the threshold the result is given; a threshold of 0 never withholds.
  EXPECT_FALSE(
      DecideAbstention(MakeDistribution({0.25f, 0.5f, 0.25f, 0, 0}), 0.5, "oil").abstained);
  EXPECT_FALSE(DecideAbstention(unsure, 0.0, "oil").abstained);
  EXPECT_FALSE(DecideAbstention(MakeDistribution({}), 0.0, "oil").abstained);
  EXPECT_TRUE(DecideAbstention(MakeDistribution({}), 0.1, "oil").abstained);
}

TEST(AttributeFromName, MapsBundleNamesToTheApiEnum) {
  EXPECT_EQ(AttributeFromName("oil"), v1::ATTRIBUTE_OIL);
  EXPECT_EQ(AttributeFromName("Pigmentation"), v1::ATTRIBUTE_PIGMENTATION);
  EXPECT_EQ(AttributeFromName("sensitivity"), v1::ATTRIBUTE_SENSITIVITY);
  EXPECT_EQ(AttributeFromName("elasticity"), v1::ATTRIBUTE_UNSPECIFIED);
}

TEST(RegionsForAttribute, FollowsWhereEachAttributeIsJudged) {
  EXPECT_THAT(RegionsForAttribute(v1::ATTRIBUTE_OIL),
              ElementsAre(v1::FACE_REGION_FOREHEAD, v1::FACE_REGION_NOSE));
  EXPECT_THAT(RegionsForAttribute(v1::ATTRIBUTE_HYDRATION),
              ElementsAre(v1::FACE_REGION_LEFT_CHEEK, v1::FACE_REGION_RIGHT_CHEEK));
  EXPECT_THAT(RegionsForAttribute(v1::ATTRIBUTE_WRINKLE),
              ElementsAre(v1::FACE_REGION_FOREHEAD, v1::FACE_REGION_LEFT_EYE_AREA,
                          v1::FACE_REGION_RIGHT_EYE_AREA));
  EXPECT_THAT(RegionsForAttribute(v1::ATTRIBUTE_PIGMENTATION),
              ElementsAre(v1::FACE_REGION_LEFT_CHEEK, v1::FACE_REGION_RIGHT_CHEEK));
  EXPECT_THAT(RegionsForAttribute(v1::ATTRIBUTE_SENSITIVITY),
              ElementsAre(v1::FACE_REGION_LEFT_CHEEK, v1::FACE_REGION_RIGHT_CHEEK,
                          v1::FACE_REGION_NOSE, v1::FACE_REGION_CHIN));
  EXPECT_TRUE(RegionsForAttribute(v1::ATTRIBUTE_UNSPECIFIED).empty());
}

TEST(AggregatePhotoAttribute, AveragesOnlyTheAttributesRegions) {
  const std::vector<v1::FaceRegion> regions = {v1::FACE_REGION_NOSE, v1::FACE_REGION_LEFT_CHEEK,
                                               v1::FACE_REGION_FOREHEAD, v1::FACE_REGION_CHIN};
  const std::vector<std::vector<float>> p = {{0.0f, 1.0f, 0.0f, 0.0f, 0.0f},
                                             {0.0f, 0.0f, 0.0f, 0.0f, 1.0f},
                                             {0.0f, 0.0f, 1.0f, 0.0f, 0.0f},
                                             {1.0f, 0.0f, 0.0f, 0.0f, 0.0f}};
  // Oil: nose and forehead only; the cheek's grade 4 and the chin's 0 do not count.
  const PhotoAttributeResult oil = AggregatePhotoAttribute(v1::ATTRIBUTE_OIL, regions, p);
  EXPECT_THAT(oil.distribution.probabilities,
              Pointwise(FloatNear(1e-6), std::vector<float>{0.0f, 0.5f, 0.5f, 0.0f, 0.0f}));
  EXPECT_EQ(oil.distribution.grade, 1);  // Tie between 1 and 2: the lower grade.
  EXPECT_FLOAT_EQ(oil.distribution.expected_score, 1.5f);
  EXPECT_THAT(oil.regions, ElementsAre(v1::FACE_REGION_FOREHEAD, v1::FACE_REGION_NOSE));
  // Sensitivity: nose, cheek and chin.
  const PhotoAttributeResult sensitivity =
      AggregatePhotoAttribute(v1::ATTRIBUTE_SENSITIVITY, regions, p);
  EXPECT_FLOAT_EQ(sensitivity.distribution.expected_score, (1.0f + 4.0f + 0.0f) / 3.0f);
  EXPECT_THAT(sensitivity.regions,
              ElementsAre(v1::FACE_REGION_LEFT_CHEEK, v1::FACE_REGION_NOSE, v1::FACE_REGION_CHIN));
}

TEST(AggregatePhotoAttribute, EveryCropCountsWhenNoneOfItsRegionsIsPresent) {
  const std::vector<v1::FaceRegion> regions = {v1::FACE_REGION_FULL_FACE, v1::FACE_REGION_CHIN};
  const std::vector<std::vector<float>> p = {{0.2f, 0.8f, 0.0f}, {0.6f, 0.0f, 0.4f}};
  const PhotoAttributeResult wrinkle = AggregatePhotoAttribute(v1::ATTRIBUTE_WRINKLE, regions, p);
  EXPECT_THAT(wrinkle.distribution.probabilities,
              Pointwise(FloatNear(1e-6), std::vector<float>{0.4f, 0.4f, 0.2f}));
  EXPECT_EQ(wrinkle.distribution.grade, 0);
  EXPECT_THAT(wrinkle.regions, ElementsAre(v1::FACE_REGION_FULL_FACE, v1::FACE_REGION_CHIN));
  // An attribute the table does not know (a bundle's own name) counts every crop too.
  EXPECT_EQ(AggregatePhotoAttribute(v1::ATTRIBUTE_UNSPECIFIED, regions, p).regions.size(), 2u);
}

TEST(AggregatePhotoAttribute, TwoCropsOfOneRegionBothCountAndTheRegionIsListedOnce) {
  const std::vector<v1::FaceRegion> regions = {v1::FACE_REGION_FOREHEAD, v1::FACE_REGION_FOREHEAD,
                                               v1::FACE_REGION_NOSE};
  const std::vector<std::vector<float>> p = {{1.0f, 0.0f}, {1.0f, 0.0f}, {0.0f, 1.0f}};
  const PhotoAttributeResult oil = AggregatePhotoAttribute(v1::ATTRIBUTE_OIL, regions, p);
  EXPECT_THAT(oil.distribution.probabilities,
              Pointwise(FloatNear(1e-6), std::vector<float>{2.0f / 3, 1.0f / 3}));
  EXPECT_THAT(oil.regions, ElementsAre(v1::FACE_REGION_FOREHEAD, v1::FACE_REGION_NOSE));
}

TEST(AttributeRegionTable, TheReadmeDocumentsTheTableInForce) {
  std::ifstream in(SKINLENS_INFERENCE_README);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_THAT(text.str(), HasSubstr(AttributeRegionTableMarkdown()))
      << "services/inference/README.md must contain:\n"
      << AttributeRegionTableMarkdown();
}

}  // namespace
}  // namespace skinlens::inference
