#include "common/model/model_bundle.h"

#include <torch/utils.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace skinlens::model {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using Json = nlohmann::ordered_json;

SkinNetConfig TinyConfig() {
  SkinNetConfig config;
  config.backbone.name = "efficientnet-tiny";
  config.backbone.width_multiplier = 0.25;
  config.backbone.depth_multiplier = 0.25;
  config.backbone.resolution = 64;
  return config;
}

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteText(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

class ModelBundleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           (std::string("skinlens_bundle_") +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    torch::manual_seed(21);
    net_ = SkinNet(TinyConfig());
    // Trained-looking batch norm statistics, so that they matter for the outputs.
    torch::NoGradGuard no_grad;
    for (const auto& named : net_->named_buffers()) {
      if (named.key().find("running_var") != std::string::npos) {
        named.value().uniform_(0.5, 1.5);
      } else if (named.key().find("running_mean") != std::string::npos) {
        named.value().uniform_(-0.2, 0.2);
      }
    }
    net_->eval();
    metadata_ = DefaultMetadata(TinyConfig());
    metadata_.model_version = "tiny-test.1";
    metadata_.training_data.description = "unit test";
    metadata_.validation_metrics["oil"] = {0.5, 0.5, 0.25, 0.75, 10};
    images_ = torch::randn({2, 3, 64, 64});
  }

  void TearDown() override { fs::remove_all(dir_); }

  // Saves the fixture's network with `dtype`, expecting success.
  ModelMetadata Save(WeightsDtype dtype = WeightsDtype::kFloat32) {
    SaveBundleOptions options;
    options.weights_dtype = dtype;
    absl::StatusOr<ModelMetadata> written = SaveBundle(*net_, metadata_, dir_.string(), options);
    EXPECT_TRUE(written.ok()) << written.status();
    return written.ok() ? *written : ModelMetadata{};
  }

  // Applies `edit` to the saved metadata.json.
  template <typename Edit>
  void EditMetadata(Edit edit) {
    Json json = Json::parse(ReadText(dir_ / "metadata.json"));
    edit(json);
    WriteText(dir_ / "metadata.json", json.dump(2));
  }

  absl::Status LoadStatus() { return LoadBundle(dir_.string()).status(); }

  fs::path dir_;
  SkinNet net_{nullptr};
  ModelMetadata metadata_;
  torch::Tensor images_;
};

TEST_F(ModelBundleTest, Float32RoundTripGivesIdenticalOutputs) {
  const ModelMetadata written = Save();
  EXPECT_TRUE(fs::exists(dir_ / "metadata.json"));
  EXPECT_TRUE(fs::exists(dir_ / "weights.pt"));
  EXPECT_EQ(written.weights.size_bytes, static_cast<int64_t>(fs::file_size(dir_ / "weights.pt")));
  EXPECT_EQ(written.weights.sha256.size(), 64u);
  EXPECT_THAT(written.created_time, ::testing::MatchesRegex("[0-9-]+T[0-9:]+Z"));

  absl::StatusOr<ModelBundle> bundle = LoadBundle(dir_.string());
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  EXPECT_FALSE(bundle->net->is_training());
  EXPECT_EQ(bundle->metadata.model_version, "tiny-test.1");
  EXPECT_EQ(bundle->metadata.created_time, written.created_time);
  EXPECT_EQ(bundle->metadata.architecture.backbone.name, "efficientnet-tiny");
  EXPECT_EQ(bundle->metadata.validation_metrics.at("oil").mae, 0.75);

  const SkinNetOutput expected = net_->forward(images_, true);
  const SkinNetOutput actual = bundle->net->forward(images_, true);
  EXPECT_TRUE(torch::equal(actual.logits, expected.logits));
  EXPECT_TRUE(torch::equal(actual.features, expected.features));
}

TEST_F(ModelBundleTest, Float16RoundTripLoadsTheRoundedWeightsInFloat32) {
  Save(WeightsDtype::kFloat16);
  absl::StatusOr<ModelBundle> bundle = LoadBundle(dir_.string());
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  EXPECT_EQ(bundle->metadata.weights.dtype, WeightsDtype::kFloat16);
  const auto loaded = bundle->net->named_parameters();
  for (const auto& original : net_->named_parameters()) {
    const torch::Tensor& value = loaded[original.key()];
    ASSERT_EQ(value.scalar_type(), torch::kFloat) << original.key();
    ASSERT_TRUE(torch::equal(value, original.value().to(torch::kHalf).to(torch::kFloat)))
        << original.key();
  }
  const torch::Tensor expected = net_->forward(images_).logits;
  const torch::Tensor actual = bundle->net->forward(images_).logits;
  EXPECT_TRUE(torch::allclose(actual, expected, /*rtol=*/1e-2, /*atol=*/1e-2));
  EXPECT_FALSE(torch::equal(actual, expected));  // it really was rounded
}

TEST_F(ModelBundleTest, Float16BundleIsAboutHalfTheSize) {
  const int64_t float32_size = Save(WeightsDtype::kFloat32).weights.size_bytes;
  fs::remove_all(dir_);
  const int64_t float16_size = Save(WeightsDtype::kFloat16).weights.size_bytes;
  const double ratio = static_cast<double>(float16_size) / static_cast<double>(float32_size);
  EXPECT_GT(ratio, 0.45);
  EXPECT_LT(ratio, 0.6);
}

TEST_F(ModelBundleTest, RefusesToOverwriteUnlessAsked) {
  Save();
  absl::StatusOr<ModelMetadata> again = SaveBundle(*net_, metadata_, dir_.string());
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  SaveBundleOptions options;
  options.overwrite = true;
  options.weights_dtype = WeightsDtype::kFloat16;
  ASSERT_TRUE(SaveBundle(*net_, metadata_, dir_.string(), options).ok());
  absl::StatusOr<ModelBundle> bundle = LoadBundle(dir_.string());
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  EXPECT_EQ(bundle->metadata.weights.dtype, WeightsDtype::kFloat16);
}

TEST_F(ModelBundleTest, RefusesToSaveAFoldedNetwork) {
  net_->FoldBatchNorm();
  EXPECT_EQ(SaveBundle(*net_, metadata_, dir_.string()).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(fs::exists(dir_));
}

TEST_F(ModelBundleTest, RefusesToSaveIncompleteMetadata) {
  metadata_.model_version = "";
  const absl::Status status = SaveBundle(*net_, metadata_, dir_.string()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("'model_version' is empty"));
  EXPECT_FALSE(fs::exists(dir_));
}

TEST_F(ModelBundleTest, RefusesToSaveWeightsThatOverflowFloat16) {
  {
    torch::NoGradGuard no_grad;
    net_->named_parameters()["heads.2.bias"].fill_(1e6);
  }
  SaveBundleOptions options;
  options.weights_dtype = WeightsDtype::kFloat16;
  const absl::Status status = SaveBundle(*net_, metadata_, dir_.string(), options).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("'heads.2.bias'"));
  EXPECT_THAT(status.message(), HasSubstr("float16"));
}

TEST_F(ModelBundleTest, RefusesWeightsOfAnotherHeadCount) {
  Save();
  EditMetadata([](Json& json) {
    json["architecture"]["num_attributes"] = 1;
    json["attributes"] = Json::array({"oil"});
  });
  const absl::Status status = LoadStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("weights.pt' does not match the architecture"));
  EXPECT_THAT(status.message(), HasSubstr("efficientnet-tiny"));
  EXPECT_THAT(status.message(), HasSubstr("1 attributes x 5 grades"));
  EXPECT_THAT(status.message(), HasSubstr("parameter 'heads.1.bias' is not part of"));
  EXPECT_THAT(status.message(), HasSubstr("and 5 more"));  // 8 head tensors in all
}

TEST_F(ModelBundleTest, RefusesWeightsOfAnotherWidthNamingTheParameterAndShapes) {
  Save();
  EditMetadata([](Json& json) { json["architecture"]["width_multiplier"] = 0.5; });
  const absl::Status status = LoadStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("width 0.5"));
  EXPECT_THAT(status.message(),
              HasSubstr("parameter 'stem.conv.weight' has shape [8, 3, 3, 3] but the "
                        "architecture needs [16, 3, 3, 3]"));
}

TEST_F(ModelBundleTest, RefusesWeightsOfAnotherDtypeThanTheMetadataSays) {
  Save(WeightsDtype::kFloat32);
  EditMetadata([](Json& json) { json["weights"]["dtype"] = "float16"; });
  const absl::Status status = LoadStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("is stored as Float but should be Half"));
}

TEST_F(ModelBundleTest, MissingFolderOrFilesAreNotFoundNamingThem) {
  absl::Status status = LoadBundle((dir_ / "nowhere").string()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr("nowhere"));

  Save();
  fs::remove(dir_ / "weights.pt");
  status = LoadStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr("weights.pt"));

  fs::remove(dir_ / "metadata.json");
  status = LoadStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr("metadata.json"));
}

TEST_F(ModelBundleTest, CorruptMetadataIsDataLossAndAnInvalidFieldIsInvalidArgument) {
  Save();
  WriteText(dir_ / "metadata.json", "{\"format\": \"skinlens.model_bundle\", ");
  absl::Status status = LoadStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(status.message(), HasSubstr("metadata.json"));

  fs::remove_all(dir_);
  Save();
  EditMetadata([](Json& json) { json["input"]["std"] = Json::array({0.2, 0.0, 0.2}); });
  status = LoadStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("'input.std' must be finite and positive"));
}

TEST_F(ModelBundleTest, TruncatedOrAlteredWeightsAreDataLoss) {
  Save();
  const std::string weights = ReadText(dir_ / "weights.pt");
  WriteText(dir_ / "weights.pt", weights.substr(0, weights.size() / 2));
  absl::Status status = LoadStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(status.message(), HasSubstr("weights.pt' has"));
  EXPECT_THAT(status.message(), HasSubstr("truncated"));

  std::string altered = weights;
  altered[altered.size() / 2] ^= 0x5a;
  WriteText(dir_ / "weights.pt", altered);
  status = LoadStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(status.message(), HasSubstr("SHA-256"));
}

TEST_F(ModelBundleTest, WeightsThatAreNotATorchPickleAreDataLoss) {
  Save();
  // Garbage whose size and digest metadata.json vouches for: only the parser can tell.
  const std::string garbage(4096, 'x');
  WriteText(dir_ / "weights.pt", garbage);
  EditMetadata([&garbage](Json& json) {
    json["weights"]["sha256"] = Sha256Hex(garbage);
    json["weights"]["size_bytes"] = garbage.size();
  });
  const absl::Status status = LoadStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(status.message(), HasSubstr("cannot read"));
  EXPECT_THAT(status.message(), HasSubstr("weights.pt"));
}

TEST_F(ModelBundleTest, ReadBundleMetadataReadsOnlyTheMetadata) {
  Save(WeightsDtype::kFloat16);
  fs::remove(dir_ / "weights.pt");
  absl::StatusOr<ModelMetadata> metadata = ReadBundleMetadata(dir_.string());
  ASSERT_TRUE(metadata.ok()) << metadata.status();
  EXPECT_EQ(metadata->target_layer, "stages.6");
  EXPECT_EQ(metadata->weights.dtype, WeightsDtype::kFloat16);
}

TEST(Sha256Hex, MatchesTheStandardTestVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(CreateSkinNet, RefusesAnInvalidConfiguration) {
  SkinNetConfig config = TinyConfig();
  config.num_grades = 0;
  const absl::StatusOr<SkinNet> net = CreateSkinNet(config);
  EXPECT_EQ(net.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(net.status().message(), HasSubstr("num_grades"));
}

}  // namespace
}  // namespace skinlens::model
