#include "common/model/torchscript_model.h"

#include <torch/csrc/jit/serialization/import.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "common/model/grading_model_loader.h"
#include "common/model/model_bundle.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

// Where the CTest fixture model_torchscript_export wrote model.pt and ref.pt
// (training/torchscript/export_skinlens_torchscript.py).
#ifndef SKINLENS_TORCHSCRIPT_TEST_DIR
#error "SKINLENS_TORCHSCRIPT_TEST_DIR must name the folder the export fixture writes"
#endif

namespace skinlens::model {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Json = nlohmann::ordered_json;

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteText(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

// The message as a std::string, which GoogleTest prints readably (Debian's absl::string_view
// is printed character by character).
std::string Message(const absl::Status& status) { return std::string(status.message()); }

double MaxDifference(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

// Metadata in the TorchScript format for a 32 x 32 input and `attributes` attributes.
Json MetadataJson(int attributes = 5) {
  Json names = Json::array();
  for (int a = 0; a < attributes; ++a) {
    names.push_back(a < 5 ? DefaultAttributeNames()[a] : "extra" + std::to_string(a));
  }
  return {{"format", "skinlens.torchscript"},
          {"format_version", 1},
          {"model_version", "cpp-built-1"},
          {"created_time", "2024-06-01T12:30:00Z"},
          {"architecture", "strided-mean"},
          {"input",
           {{"height", 32},
            {"width", 32},
            {"color", "RGB"},
            {"value_range", {0, 1}},
            {"mean", {0.5, 0.5, 0.5}},
            {"std", {0.25, 0.25, 0.25}}}},
          {"attributes", names},
          {"grades", {"0", "1", "2", "3", "4"}},
          {"target_layer", "subsample"},
          {"training_data",
           {{"description", "none"}, {"num_train_images", 0}, {"num_validation_images", 0}}}};
}

// The modules the test defines in TorchScript: the feature map `f` is the input subsampled by 4
// (Source()); the head (kHead) pools it and spreads the 3 channel means over 5 x 5 logits.
constexpr char kHead[] = "f.mean(dim=[2, 3]).repeat(1, 9)[:, :25].reshape(-1, 5, 5)";

// Compiles `source` into a module and saves it at `path` with `metadata` as its extra file (none
// when null).
fs::path SaveModule(const fs::path& path, const std::string& source, const std::string* metadata) {
  torch::jit::Module module("__torch__.SkinLensTestModule");
  module.define(source);
  torch::jit::ExtraFilesMap extra;
  if (metadata != nullptr) {
    extra[kTorchScriptMetadataFile] = *metadata;
  }
  module.save(path.string(), extra);
  return path;
}

// The TorchScript source of forward (computing `f`, then `forward_body`) and, unless
// `head_body` is empty, of head(f) returning `head_body`.
std::string Source(const std::string& forward_body, const std::string& head_body) {
  std::string source =
      "def forward(self, x):\n    f = x[:, :, ::4, ::4]\n    " + forward_body + "\n";
  if (!head_body.empty()) {
    source += "def head(self, f):\n    return " + head_body + "\n";
  }
  return source;
}

class TorchScriptModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           (std::string("skinlens_torchscript_") +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Saves a module from `source` with `metadata` (none when null) and loads it.
  absl::Status Load(const std::string& name, const std::string& source,
                    const std::string* metadata) {
    return LoadTorchScriptModel(SaveModule(dir_ / name, source, metadata).string()).status();
  }

  fs::path dir_;
};

TEST(TorchScriptModel, ReproducesPyTorchOutputsAndReadsTheMetadata) {
  const fs::path dir(SKINLENS_TORCHSCRIPT_TEST_DIR);
  absl::StatusOr<std::unique_ptr<TorchScriptGradingModel>> model =
      LoadTorchScriptModel((dir / "model.pt").string());
  ASSERT_TRUE(model.ok()) << model.status();
  torch::jit::Module reference = torch::jit::load((dir / "ref.pt").string());
  const torch::Tensor input = reference.attr("input").toTensor();
  const torch::Tensor logits = reference.attr("logits").toTensor();
  const torch::Tensor features = reference.attr("features").toTensor();
  ASSERT_THAT(logits.sizes(), ElementsAre(2, 5, 5));

  absl::StatusOr<GradingOutput> out = (*model)->Forward(input, /*return_features=*/true);
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->logits.sizes(), logits.sizes());
  ASSERT_EQ(out->features.sizes(), features.sizes());
  EXPECT_LE(MaxDifference(out->logits, logits), 1e-5);
  EXPECT_LE(MaxDifference(out->features, features), 1e-5);
  absl::StatusOr<torch::Tensor> head = (*model)->Head(out->features);
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_LE(MaxDifference(*head, logits), 1e-5);
  EXPECT_THAT((*model)->probe_feature_shape(), ElementsAre(1, 32, 16, 16));
  absl::StatusOr<GradingOutput> logits_only = (*model)->Forward(input, false);
  ASSERT_TRUE(logits_only.ok());
  EXPECT_FALSE(logits_only->features.defined());

  // Grad-CAM differentiates the head alone.
  torch::Tensor f = features.clone().requires_grad_();
  absl::StatusOr<torch::Tensor> differentiable = (*model)->Head(f);
  ASSERT_TRUE(differentiable.ok()) << differentiable.status();
  differentiable->select(1, 2).select(1, 3).sum().backward();
  ASSERT_TRUE(f.grad().defined());
  EXPECT_EQ(f.grad().sizes(), f.sizes());
  EXPECT_GT(f.grad().abs().sum().item<double>(), 0.0);

  const ModelMetadata& metadata = (*model)->metadata();
  EXPECT_EQ((*model)->kind(), GradingModelKind::kTorchScript);
  EXPECT_EQ(metadata.model_version, "torchscript-example-1");
  EXPECT_EQ(metadata.architecture.backbone.name, "example-cnn");
  EXPECT_EQ(metadata.architecture.num_attributes, 5);
  EXPECT_EQ(metadata.architecture.num_grades, 5);
  EXPECT_EQ(metadata.attribute_names, DefaultAttributeNames());
  EXPECT_EQ(metadata.grade_names, DefaultGradeNames(5));
  EXPECT_EQ(metadata.target_layer, "features.layers.5");
  EXPECT_EQ(metadata.input.height, 64);
  EXPECT_EQ(metadata.input.width, 64);
  EXPECT_THAT(metadata.input.mean, ElementsAre(0.485, 0.456, 0.406));
  EXPECT_THAT(metadata.input.std, ElementsAre(0.229, 0.224, 0.225));
  EXPECT_EQ(metadata.training_data.description, "none: random example weights");
  EXPECT_TRUE(metadata.validation_metrics.empty());
  const std::string bytes = ReadText(dir / "model.pt");
  EXPECT_EQ(metadata.weights.file, "model.pt");
  EXPECT_EQ(metadata.weights.sha256, Sha256Hex(bytes));
  EXPECT_EQ(metadata.weights.size_bytes, static_cast<int64_t>(bytes.size()));

  // The same file through the loader the services use.
  absl::StatusOr<std::unique_ptr<GradingModel>> any = LoadGradingModel((dir / "model.pt").string());
  ASSERT_TRUE(any.ok()) << any.status();
  EXPECT_EQ((*any)->kind(), GradingModelKind::kTorchScript);
  EXPECT_EQ((*any)->Forward(torch::zeros({2, 64, 64}), false).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ((*any)->Forward(torch::zeros({1, 3, 64, 64}, torch::kInt), false).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(TorchScriptModelTest, RefusesModulesThatBreakTheContract) {
  const std::string metadata = MetadataJson().dump();
  // The well-behaved module loads, so each refusal below is due to its one change.
  ASSERT_TRUE(Load("good.pt", Source("return self.head(f), f", kHead), &metadata).ok());

  const absl::Status no_head =
      Load("no_head.pt", Source(std::string("return ") + kHead + ", f", ""), &metadata);
  EXPECT_EQ(no_head.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(no_head), HasSubstr("has no method 'head'"));

  const absl::Status flat =
      Load("flat.pt", Source("return self.head(f), f", "f.mean(dim=[2, 3]).repeat(1, 9)[:, :25]"),
           &metadata);
  EXPECT_EQ(flat.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(flat), HasSubstr("logits of shape [1, 25]"));
  EXPECT_THAT(Message(flat), HasSubstr("need [1, 5, 5]"));

  const absl::Status mismatch =
      Load("mismatch.pt", Source("return self.head(f) + 0.01, f", kHead), &metadata);
  EXPECT_EQ(mismatch.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(mismatch), HasSubstr("head(features) differs from forward's logits"));

  const absl::Status single = Load("single.pt", Source("return self.head(f)", kHead), &metadata);
  EXPECT_EQ(single.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(single), HasSubstr("must return a tuple (logits, features)"));

  const absl::Status flat_features =
      Load("flat_features.pt", Source("return self.head(f), f.flatten()", kHead), &metadata);
  EXPECT_EQ(flat_features.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(flat_features), HasSubstr("features of shape [192]"));

  // Metadata listing 4 attributes for a module with 5 rows of logits.
  const std::string four = MetadataJson(4).dump();
  const absl::Status wrong_rows = Load("four.pt", Source("return self.head(f), f", kHead), &four);
  EXPECT_EQ(wrong_rows.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(wrong_rows), HasSubstr("need [1, 4, 5]"));
}

TEST_F(TorchScriptModelTest, RefusesMissingCorruptAndUndescribedFiles) {
  const absl::Status missing = LoadTorchScriptModel((dir_ / "absent.pt").string()).status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Message(missing), HasSubstr("absent.pt"));
  EXPECT_EQ(LoadGradingModel((dir_ / "absent.pt").string()).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(LoadTorchScriptModel(dir_.string()).status().code(),
            absl::StatusCode::kInvalidArgument);

  WriteText(dir_ / "garbage.pt", "this is not a zip archive at all");
  const absl::Status garbage = LoadTorchScriptModel((dir_ / "garbage.pt").string()).status();
  EXPECT_EQ(garbage.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(Message(garbage), HasSubstr("as a TorchScript module"));

  const std::string metadata = MetadataJson().dump();
  const std::string source = Source("return self.head(f), f", kHead);
  const std::string good = ReadText(SaveModule(dir_ / "good.pt", source, &metadata));
  WriteText(dir_ / "truncated.pt", good.substr(0, good.size() / 2));
  EXPECT_EQ(LoadTorchScriptModel((dir_ / "truncated.pt").string()).status().code(),
            absl::StatusCode::kDataLoss);

  const absl::Status undescribed = Load("undescribed.pt", source, nullptr);
  EXPECT_EQ(undescribed.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(undescribed), HasSubstr("has no metadata"));

  const std::string not_json = "{\"format\": ";
  EXPECT_EQ(Load("not_json.pt", source, &not_json).code(), absl::StatusCode::kDataLoss);

  // Metadata errors name the field (the rules are the bundle's where they apply).
  struct Case {
    const char* field;
    Json value;  // null: removed
    const char* message;
  };
  const Case cases[] = {
      {"format", "skinlens.model_bundle", "'format' is 'skinlens.model_bundle'"},
      {"format_version", 2, "reads versions 1 to 1"},
      {"architecture", nullptr, "'architecture' is missing"},
      {"target_layer", "", "'target_layer' must be a non-empty string"},
      {"grades", Json::array({"0"}), "'grades' must be an array of 2 to 100000 names"},
      {"model_version", "", "'model_version' is empty"},
      {"input", Json::object({{"height", 32}}), "'input.width' is missing"},
  };
  for (const Case& c : cases) {
    Json json = MetadataJson();
    if (c.value.is_null()) {
      json.erase(c.field);
    } else {
      json[c.field] = c.value;
    }
    const absl::StatusOr<ModelMetadata> parsed = TorchScriptMetadataFromJson(json.dump(), "m.pt");
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << c.field;
    EXPECT_THAT(Message(parsed.status()), HasSubstr(c.message)) << c.field;
    EXPECT_THAT(Message(parsed.status()), HasSubstr("'m.pt'")) << c.field;
  }
  Json duplicate = MetadataJson();
  duplicate["attributes"][1] = "oil";
  EXPECT_THAT(Message(TorchScriptMetadataFromJson(duplicate.dump(), "m.pt").status()),
              HasSubstr("'attributes' names 'oil' twice"));
  // validation_metrics is optional, and checked when present.
  Json metrics = MetadataJson();
  metrics["validation_metrics"] = {{"oil",
                                    {{"p_recall", 2.0},
                                     {"accuracy", 0.5},
                                     {"macro_f1", 0.5},
                                     {"mae", 0.5},
                                     {"num_samples", 3}}}};
  EXPECT_THAT(Message(TorchScriptMetadataFromJson(metrics.dump(), "m.pt").status()),
              HasSubstr("'validation_metrics.oil.p_recall' is 2"));
}

}  // namespace
}  // namespace skinlens::model
