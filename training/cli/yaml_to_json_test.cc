#include "training/cli/yaml_to_json.h"

#include <cmath>

#include "gtest/gtest.h"

namespace skinlens::training {
namespace {

using nlohmann::json;

TEST(YamlToJson, TypesPlainScalarsByTheCoreSchema) {
  absl::StatusOr<json> tree = YamlToJson(R"(
int: 10
negative: -3
hex: 0x1F
octal: 0o17
float: 0.002
exponent: 1e-3
yes_bool: true
no_bool: False
nothing: ~
also_nothing:
word: cosine
version: 1.2.3
)",
                                         "t.yaml");
  ASSERT_TRUE(tree.ok()) << tree.status();
  EXPECT_EQ((*tree)["int"], json(10));
  EXPECT_TRUE((*tree)["int"].is_number_integer());
  EXPECT_EQ((*tree)["negative"], json(-3));
  EXPECT_EQ((*tree)["hex"], json(31));
  EXPECT_EQ((*tree)["octal"], json(15));
  EXPECT_TRUE((*tree)["float"].is_number_float());
  EXPECT_DOUBLE_EQ((*tree)["float"].get<double>(), 0.002);
  EXPECT_DOUBLE_EQ((*tree)["exponent"].get<double>(), 0.001);
  EXPECT_EQ((*tree)["yes_bool"], json(true));
  EXPECT_EQ((*tree)["no_bool"], json(false));
  EXPECT_TRUE((*tree)["nothing"].is_null());
  EXPECT_TRUE((*tree)["also_nothing"].is_null());
  EXPECT_EQ((*tree)["word"], json("cosine"));
  EXPECT_EQ((*tree)["version"], json("1.2.3"));
}

TEST(YamlToJson, QuotedScalarsStayStrings) {
  absl::StatusOr<json> tree = YamlToJson("a: \"10\"\nb: 'true'\nc: !!str 3\n", "t.yaml");
  ASSERT_TRUE(tree.ok()) << tree.status();
  EXPECT_EQ((*tree)["a"], json("10"));
  EXPECT_EQ((*tree)["b"], json("true"));
  EXPECT_EQ((*tree)["c"], json("3"));
}

TEST(YamlToJson, SpecialFloats) {
  absl::StatusOr<json> tree = YamlToJson("[.inf, -.inf, .nan]", "t.yaml");
  ASSERT_TRUE(tree.ok()) << tree.status();
  EXPECT_TRUE(std::isinf((*tree)[0].get<double>()));
  EXPECT_LT((*tree)[1].get<double>(), 0);
  EXPECT_TRUE(std::isnan((*tree)[2].get<double>()));
}

TEST(YamlToJson, NestedMappingsSequencesAndFlowStyle) {
  absl::StatusOr<json> tree = YamlToJson(R"(
augment:
  - {name: HorizontalFlip, p: 0.5}
  - name: RandomResizedCrop
    scale: [0.5, 1.0]
attributes:
  oil: {loss: {name: focal, params: {gamma: 2}}}
)",
                                         "t.yaml");
  ASSERT_TRUE(tree.ok()) << tree.status();
  EXPECT_EQ(*tree, json::parse(R"({
    "augment": [{"name": "HorizontalFlip", "p": 0.5},
                {"name": "RandomResizedCrop", "scale": [0.5, 1.0]}],
    "attributes": {"oil": {"loss": {"name": "focal", "params": {"gamma": 2}}}}})"));
}

TEST(YamlToJson, SyntaxErrorNamesTheFileLineAndColumn) {
  absl::StatusOr<json> tree = YamlToJson("name: x\nepochs: [1, 2\n", "r.yaml");
  ASSERT_EQ(tree.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(tree.status().message().find("r.yaml:"), absl::string_view::npos) << tree.status();
  EXPECT_NE(tree.status().message().find("not valid YAML"), absl::string_view::npos)
      << tree.status();
}

TEST(YamlToJson, RefusesDuplicateKeysEmptyAndSeveralDocuments) {
  absl::StatusOr<json> duplicate = YamlToJson("epochs: 3\nepochs: 4\n", "r.yaml");
  ASSERT_EQ(duplicate.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(duplicate.status().message().find("'epochs' appears twice"), absl::string_view::npos)
      << duplicate.status();
  EXPECT_NE(duplicate.status().message().find("r.yaml:2:1"), absl::string_view::npos)
      << duplicate.status();

  EXPECT_EQ(YamlToJson("", "r.yaml").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(YamlToJson("# only a comment\n", "r.yaml").status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<json> two = YamlToJson("a: 1\n---\nb: 2\n", "r.yaml");
  ASSERT_EQ(two.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(two.status().message().find("2 YAML documents"), absl::string_view::npos)
      << two.status();
}

TEST(YamlToJson, RefusesANonScalarKey) {
  EXPECT_EQ(YamlToJson("? [a, b]\n: 1\n", "r.yaml").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace skinlens::training
