#include "common/model/model_metadata.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace skinlens::model {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::ordered_json;

ModelMetadata CompleteMetadata() {
  SkinNetConfig architecture;
  architecture.backbone.name = "efficientnet-tiny";
  architecture.backbone.width_multiplier = 0.25;
  architecture.backbone.depth_multiplier = 0.25;
  architecture.backbone.resolution = 64;
  ModelMetadata metadata = DefaultMetadata(architecture);
  metadata.model_version = "skin-tiny-test.1";
  metadata.created_time = "2024-06-01T12:30:00Z";
  metadata.input.mean = {0.5, 0.25, 0.125};
  metadata.training_data = {"synthetic skin, 8 regions", 1200, 300};
  metadata.validation_metrics["oil"] = {0.75, 0.625, 0.5, 0.375, 300};
  metadata.validation_metrics["wrinkle"] = {-0.25, 0.125, 0.0625, 1.5, 299};
  metadata.weights.dtype = WeightsDtype::kFloat16;
  metadata.weights.sha256 = std::string(64, 'a');
  metadata.weights.size_bytes = 12345;
  return metadata;
}

absl::StatusOr<ModelMetadata> Parse(const Json& json) {
  return MetadataFromJson(json.dump(), "bundle/metadata.json");
}

TEST(ModelMetadata, SyntheticOnlyMarkRoundTripsAndDefaultsToFalse) {
  ModelMetadata original = CompleteMetadata();
  original.training_data.synthetic_only = true;
  absl::StatusOr<ModelMetadata> parsed = MetadataFromJson(MetadataToJson(original), "m.json");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(parsed->training_data.synthetic_only);
  // Bundles written before the mark existed read as real-data models.
  nlohmann::json without = nlohmann::json::parse(MetadataToJson(original));
  without["training_data"].erase("synthetic_only");
  parsed = MetadataFromJson(without.dump(), "m.json");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_FALSE(parsed->training_data.synthetic_only);
  without["training_data"]["synthetic_only"] = "yes";
  EXPECT_EQ(MetadataFromJson(without.dump(), "m.json").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ModelMetadata, JsonRoundTripKeepsEveryField) {
  const ModelMetadata original = CompleteMetadata();
  absl::StatusOr<ModelMetadata> parsed =
      MetadataFromJson(MetadataToJson(original), "bundle/metadata.json");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->format_version, 1);
  EXPECT_EQ(parsed->model_version, "skin-tiny-test.1");
  EXPECT_EQ(parsed->created_time, "2024-06-01T12:30:00Z");
  EXPECT_EQ(parsed->architecture.backbone.name, "efficientnet-tiny");
  EXPECT_EQ(parsed->architecture.backbone.width_multiplier, 0.25);
  EXPECT_EQ(parsed->architecture.backbone.depth_multiplier, 0.25);
  EXPECT_EQ(parsed->architecture.backbone.resolution, 64);
  EXPECT_EQ(parsed->architecture.backbone.dropout, 0.2);
  EXPECT_EQ(parsed->architecture.backbone.stochastic_depth, 0.2);
  EXPECT_EQ(parsed->architecture.backbone.batch_norm_eps, 1e-3);
  EXPECT_EQ(parsed->architecture.backbone.batch_norm_momentum, 0.01);
  EXPECT_EQ(parsed->architecture.num_attributes, 5);
  EXPECT_EQ(parsed->architecture.num_grades, 5);
  EXPECT_EQ(parsed->input.height, 64);
  EXPECT_EQ(parsed->input.width, 64);
  EXPECT_EQ(parsed->input.mean, (std::array<double, 3>{0.5, 0.25, 0.125}));
  EXPECT_EQ(parsed->input.std, (std::array<double, 3>{0.229, 0.224, 0.225}));
  EXPECT_THAT(parsed->attribute_names,
              ::testing::ElementsAre("oil", "hydration", "wrinkle", "pigmentation", "sensitivity"));
  EXPECT_THAT(parsed->grade_names, ::testing::ElementsAre("0", "1", "2", "3", "4"));
  EXPECT_EQ(parsed->target_layer, "stages.6");
  EXPECT_EQ(parsed->training_data.description, "synthetic skin, 8 regions");
  EXPECT_EQ(parsed->training_data.num_train_images, 1200);
  EXPECT_EQ(parsed->training_data.num_validation_images, 300);
  ASSERT_EQ(parsed->validation_metrics.size(), 2u);
  const ValidationMetrics& wrinkle = parsed->validation_metrics.at("wrinkle");
  EXPECT_EQ(wrinkle.p_recall, -0.25);
  EXPECT_EQ(wrinkle.accuracy, 0.125);
  EXPECT_EQ(wrinkle.macro_f1, 0.0625);
  EXPECT_EQ(wrinkle.mae, 1.5);
  EXPECT_EQ(wrinkle.num_samples, 299);
  EXPECT_EQ(parsed->weights.file, "weights.pt");
  EXPECT_EQ(parsed->weights.dtype, WeightsDtype::kFloat16);
  EXPECT_EQ(parsed->weights.sha256, std::string(64, 'a'));
  EXPECT_EQ(parsed->weights.size_bytes, 12345);
}

TEST(ModelMetadata, WritesTheDocumentedLayout) {
  const Json json = Json::parse(MetadataToJson(CompleteMetadata()));
  EXPECT_EQ(json["format"], "skinlens.model_bundle");
  EXPECT_EQ(json["architecture"]["family"], "efficientnet");
  EXPECT_EQ(json["architecture"]["variant"], "efficientnet-tiny");
  EXPECT_EQ(json["input"]["color"], "RGB");
  EXPECT_EQ(json["input"]["value_range"], Json::array({0, 1}));
  EXPECT_EQ(json["weights"]["dtype"], "float16");
  EXPECT_EQ(json["validation_metrics"]["oil"]["p_recall"], 0.75);
}

TEST(ModelMetadata, NotJsonIsDataLossNamingTheFile) {
  const absl::StatusOr<ModelMetadata> parsed = MetadataFromJson("{\"format\": ", "b/metadata.json");
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(parsed.status().message(), HasSubstr("b/metadata.json"));
}

TEST(ModelMetadata, MissingFieldIsNamedByItsPath) {
  Json json = Json::parse(MetadataToJson(CompleteMetadata()));
  json["architecture"].erase("num_grades");
  const absl::StatusOr<ModelMetadata> parsed = Parse(json);
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(parsed.status().message(), HasSubstr("'architecture.num_grades' is missing"));
  EXPECT_THAT(parsed.status().message(), HasSubstr("bundle/metadata.json"));
}

TEST(ModelMetadata, WrongTypeIsNamedByItsPath) {
  Json json = Json::parse(MetadataToJson(CompleteMetadata()));
  json["architecture"]["width_multiplier"] = "0.25";
  EXPECT_THAT(Parse(json).status().message(),
              HasSubstr("'architecture.width_multiplier' must be a number"));
  json = Json::parse(MetadataToJson(CompleteMetadata()));
  json["architecture"]["num_attributes"] = 5.5;
  EXPECT_THAT(Parse(json).status().message(),
              HasSubstr("'architecture.num_attributes' must be an integer"));
}

TEST(ModelMetadata, RefusesAnotherKindOfJsonFile) {
  Json json = Json::parse(MetadataToJson(CompleteMetadata()));
  json["format"] = "something.else";
  const absl::StatusOr<ModelMetadata> parsed = Parse(json);
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(parsed.status().message(), HasSubstr("not a SkinLens model bundle"));
}

TEST(ModelMetadata, RefusesANewerFormatVersion) {
  Json json = Json::parse(MetadataToJson(CompleteMetadata()));
  json["format_version"] = 2;
  json.erase("architecture");  // a newer format may differ anywhere: the version comes first
  const absl::StatusOr<ModelMetadata> parsed = Parse(json);
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(parsed.status().message(), HasSubstr("'format_version' is 2"));
}

TEST(ModelMetadata, RefusesAttributeNamesThatDoNotMatchTheHeads) {
  ModelMetadata metadata = CompleteMetadata();
  metadata.attribute_names.pop_back();
  EXPECT_THAT(ValidateMetadata(metadata).message(),
              HasSubstr("'attributes' lists 4 names but 'architecture.num_attributes' is 5"));
  metadata = CompleteMetadata();
  metadata.attribute_names[1] = "oil";
  EXPECT_THAT(ValidateMetadata(metadata).message(), HasSubstr("names 'oil' twice"));
}

TEST(ModelMetadata, RefusesMetricsOfUnknownAttributesOrOutOfRange) {
  ModelMetadata metadata = CompleteMetadata();
  metadata.validation_metrics["shine"] = {};
  EXPECT_THAT(ValidateMetadata(metadata).message(),
              HasSubstr("'validation_metrics.shine' is not one of the attributes"));
  metadata = CompleteMetadata();
  metadata.validation_metrics["oil"].p_recall = -2.0;
  const absl::Status status = ValidateMetadata(metadata);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("'validation_metrics.oil.p_recall' is -2"));
}

TEST(ModelMetadata, CalibrationRoundTripsAndIsOptional) {
  ModelMetadata original = CompleteMetadata();
  original.calibration.fitted_on = "validation split, 300 images";
  original.calibration.target_coverage = 0.9;
  original.calibration.attributes["oil"] = {1.75, 0.375};
  original.calibration.attributes["wrinkle"] = {0.5, 0.0};
  absl::StatusOr<ModelMetadata> parsed = MetadataFromJson(MetadataToJson(original), "m.json");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->calibration.fitted_on, "validation split, 300 images");
  EXPECT_EQ(parsed->calibration.target_coverage, 0.9);
  EXPECT_EQ(CalibrationFor(*parsed, "oil").temperature, 1.75);
  EXPECT_EQ(CalibrationFor(*parsed, "oil").abstain_threshold, 0.375);
  EXPECT_EQ(CalibrationFor(*parsed, "wrinkle").temperature, 0.5);
  // An attribute without an entry, and a bundle without the section, are uncalibrated.
  EXPECT_EQ(CalibrationFor(*parsed, "hydration").temperature, 1.0);
  EXPECT_EQ(CalibrationFor(*parsed, "hydration").abstain_threshold, 0.0);
  nlohmann::json without = nlohmann::json::parse(MetadataToJson(original));
  without.erase("calibration");
  parsed = MetadataFromJson(without.dump(), "m.json");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(parsed->calibration.attributes.empty());
  EXPECT_EQ(CalibrationFor(*parsed, "oil").temperature, 1.0);
  EXPECT_FALSE(nlohmann::json::parse(MetadataToJson(CompleteMetadata())).contains("calibration"));
}

TEST(ModelMetadata, RetestNoiseRoundTripsAndIsChecked) {
  ModelMetadata original = CompleteMetadata();
  original.retest_noise.source = "skinlens-retest 2026-12-06, 40 scans per face";
  original.retest_noise.attributes["oil"] = {0.125, 0.25};
  absl::StatusOr<ModelMetadata> parsed = MetadataFromJson(MetadataToJson(original), "m.json");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->retest_noise.source, original.retest_noise.source);
  EXPECT_EQ(parsed->retest_noise.attributes.at("oil").expected_score_sd, 0.125);
  EXPECT_EQ(parsed->retest_noise.attributes.at("oil").grade_flip_rate, 0.25);
  EXPECT_FALSE(nlohmann::json::parse(MetadataToJson(CompleteMetadata())).contains("retest_noise"));
  original.retest_noise.attributes["oil"].grade_flip_rate = 2;
  EXPECT_THAT(ValidateMetadata(original).message(),
              HasSubstr("'retest_noise.attributes.oil.grade_flip_rate' is 2"));
  original.retest_noise.attributes["oil"] = {-1, 0};
  EXPECT_THAT(ValidateMetadata(original).message(),
              HasSubstr("'retest_noise.attributes.oil.expected_score_sd' is -1"));
}

TEST(ModelMetadata, RefusesBadCalibration) {
  ModelMetadata metadata = CompleteMetadata();
  metadata.calibration.attributes["oil"] = {0.0, 0.5};
  EXPECT_THAT(ValidateMetadata(metadata).message(),
              HasSubstr("'calibration.attributes.oil.temperature' must be finite and positive"));
  metadata.calibration.attributes["oil"] = {1.0, 1.5};
  EXPECT_THAT(ValidateMetadata(metadata).message(),
              HasSubstr("'calibration.attributes.oil.abstain_threshold' is 1.5"));
  metadata.calibration.attributes.clear();
  metadata.calibration.attributes["shine"] = {};
  EXPECT_THAT(ValidateMetadata(metadata).message(),
              HasSubstr("'calibration.attributes.shine' is not one of the attributes"));
  nlohmann::json json = nlohmann::json::parse(MetadataToJson(CompleteMetadata()));
  json["calibration"] = {
      {"fitted_on", "x"}, {"target_coverage", 0.9}, {"attributes", {{"oil", 2}}}};
  EXPECT_THAT(MetadataFromJson(json.dump(), "m.json").status().message(),
              HasSubstr("'calibration.attributes.oil' must be an object"));
}

TEST(ModelMetadata, RefusesAWeightsFileOutsideTheBundle) {
  ModelMetadata metadata = CompleteMetadata();
  metadata.weights.file = "../weights.pt";
  EXPECT_THAT(ValidateMetadata(metadata).message(), HasSubstr("'weights.file'"));
}

TEST(ModelMetadata, RefusesAnotherTargetLayerOrABadTime) {
  ModelMetadata metadata = CompleteMetadata();
  metadata.target_layer = "head_conv";
  EXPECT_THAT(ValidateMetadata(metadata).message(), HasSubstr("'target_layer' is 'head_conv'"));
  metadata = CompleteMetadata();
  metadata.created_time = "yesterday";
  EXPECT_THAT(ValidateMetadata(metadata).message(), HasSubstr("'created_time'"));
}

TEST(ModelMetadata, PlainCnnArchitectureRoundTripsWithItsLayersAndTargetLayer) {
  PlainCnnConfig plain;
  plain.channels = {8, 16, 32};
  plain.strides = {2, 1, 2};
  SkinNetConfig architecture = PlainCnnSkinNetConfig(plain);
  architecture.backbone.resolution = 96;
  ModelMetadata metadata = DefaultMetadata(architecture);
  metadata.model_version = "plain.1";
  metadata.created_time = "2026-12-07T00:00:00Z";
  metadata.weights.sha256 = std::string(64, 'b');
  EXPECT_EQ(metadata.target_layer, "plain.2");
  const std::string text = MetadataToJson(metadata);
  const Json json = Json::parse(text);
  EXPECT_EQ(json["architecture"]["family"], "plain_cnn");
  EXPECT_EQ(json["architecture"]["channels"], Json::array({8, 16, 32}));
  EXPECT_FALSE(json["architecture"].contains("width_multiplier"));
  absl::StatusOr<ModelMetadata> parsed = MetadataFromJson(text, "m.json");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->architecture.family, BackboneFamily::kPlainCnn);
  EXPECT_EQ(parsed->architecture.plain.channels, plain.channels);
  EXPECT_EQ(parsed->architecture.plain.strides, plain.strides);
  EXPECT_EQ(parsed->architecture.backbone.resolution, 96);
  EXPECT_EQ(parsed->target_layer, "plain.2");

  // An EfficientNet target layer on a plain CNN, a stride of 3, an unknown family: refused.
  Json wrong = json;
  wrong["target_layer"] = "stages.6";
  EXPECT_THAT(Parse(wrong).status().message(), HasSubstr("target layer is 'plain.2'"));
  wrong = json;
  wrong["architecture"]["strides"] = Json::array({2, 3, 2});
  EXPECT_THAT(Parse(wrong).status().message(), HasSubstr("stride must be 1 or 2"));
  wrong = json;
  wrong["architecture"]["family"] = "resnet";
  EXPECT_THAT(Parse(wrong).status().message(), HasSubstr("is 'resnet'"));
}

TEST(ModelMetadata, DefaultMetadataNeedsOnlyAModelVersion) {
  ModelMetadata metadata = DefaultMetadata(SkinNetConfig{});
  EXPECT_THAT(ValidateMetadata(metadata).message(), HasSubstr("'model_version' is empty"));
  metadata.model_version = "v1";
  EXPECT_TRUE(ValidateMetadata(metadata).ok());
  EXPECT_EQ(metadata.input.height, 224);

  SkinNetConfig single;
  single.num_attributes = 1;
  EXPECT_THAT(DefaultMetadata(single).attribute_names, ::testing::ElementsAre("attribute0"));
}

}  // namespace
}  // namespace skinlens::model
