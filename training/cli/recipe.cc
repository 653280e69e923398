#include "training/cli/recipe.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/model/efficientnet.h"
#include "common/model/skin_net.h"
#include "common/status/status_macros.h"
#include "training/augment/compose.h"
#include "training/cli/yaml_to_json.h"
#include "training/losses/grade_loss.h"

namespace skinlens::training {
namespace {

using nlohmann::json;

// Reads typed keys out of one JSON object and remembers which were read, so
// that the leftovers can be refused as unknown.
class ObjectReader {
 public:
  ObjectReader(const json& object, std::string where) : object_(object), where_(std::move(where)) {}

  absl::Status CheckIsObject() const {
    if (!object_.is_object()) {
      return absl::InvalidArgumentError(absl::StrCat(where_, ": must be a JSON object"));
    }
    return absl::OkStatus();
  }

  const json* Find(const std::string& key) {
    known_.insert(key);
    auto it = object_.find(key);
    return it == object_.end() || it->is_null() ? nullptr : &*it;
  }

  template <typename T>
  absl::Status Number(const std::string& key, T& out, double min, double max) {
    const json* value = Find(key);
    if (value == nullptr) return absl::OkStatus();
    if (!value->is_number()) return TypeError(key, "a number");
    const double v = value->get<double>();
    if constexpr (std::is_integral_v<T>) {
      if (!value->is_number_integer()) return TypeError(key, "an integer");
    }
    if (v < min || v > max) {
      return absl::InvalidArgumentError(
          absl::StrCat(where_, ".", key, ": ", v, " is outside [", min, ", ", max, "]"));
    }
    out = value->get<T>();
    return absl::OkStatus();
  }

  absl::Status String(const std::string& key, std::string& out) {
    const json* value = Find(key);
    if (value == nullptr) return absl::OkStatus();
    if (!value->is_string()) return TypeError(key, "a string");
    out = value->get<std::string>();
    return absl::OkStatus();
  }

  absl::Status IntList(const std::string& key, std::vector<int>& out) {
    const json* value = Find(key);
    if (value == nullptr) return absl::OkStatus();
    if (!value->is_array()) return TypeError(key, "a list of integers");
    std::vector<int> list;
    for (const json& item : *value) {
      if (!item.is_number_integer()) return TypeError(key, "a list of integers");
      list.push_back(item.get<int>());
    }
    out = std::move(list);
    return absl::OkStatus();
  }

  absl::Status Finish() const {
    std::vector<std::string> unknown;
    for (const auto& [key, value] : object_.items()) {
      if (known_.count(key) == 0) unknown.push_back(key);
    }
    if (unknown.empty()) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat(where_, ": unknown key(s) ",
                                                   absl::StrJoin(unknown, ", "),
                                                   "; known: ", absl::StrJoin(known_, ", ")));
  }

  absl::Status TypeError(const std::string& key, absl::string_view expected) const {
    return absl::InvalidArgumentError(absl::StrCat(where_, ".", key, ": must be ", expected));
  }

  const std::string& where() const { return where_; }

 private:
  const json& object_;
  std::string where_;
  std::set<std::string> known_;
};

absl::Status ParseSampler(const json& value, const std::string& where,
                          std::optional<SamplerRecipe>& out) {
  if (value.is_null() || (value.is_boolean() && !value.get<bool>())) {
    out.reset();
    return absl::OkStatus();
  }
  ObjectReader reader(value, where);
  SKINLENS_RETURN_IF_ERROR(reader.CheckIsObject());
  SamplerRecipe sampler;
  SKINLENS_RETURN_IF_ERROR(reader.Number("power", sampler.power, 0.0, 1.0));
  SKINLENS_RETURN_IF_ERROR(reader.Finish());
  out = sampler;
  return absl::OkStatus();
}

absl::Status CheckAugment(const json& value, const std::string& where) {
  if (!value.is_array()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": must be a list of transforms"));
  }
  absl::StatusOr<Compose> compose = Compose::FromRecipe(value);
  if (!compose.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": ", compose.status().message()));
  }
  return absl::OkStatus();
}

absl::Status ParseLoss(const json& value, const std::string& where, AttributeRecipe& out) {
  ObjectReader reader(value, where);
  SKINLENS_RETURN_IF_ERROR(reader.CheckIsObject());
  if (reader.Find("name") != nullptr) {
    // A new loss starts from its own defaults, not the parameters of the
    // loss it replaces.
    out.loss_params = json::object();
  }
  SKINLENS_RETURN_IF_ERROR(reader.String("name", out.loss));
  if (const json* params = reader.Find("params"); params != nullptr) {
    if (!params->is_object()) return reader.TypeError("params", "an object");
    out.loss_params = *params;
  }
  SKINLENS_RETURN_IF_ERROR(reader.Finish());
  // Class-balanced losses need grade counts; any positive counts check the
  // name and the parameters here.
  const std::array<int64_t, 5> counts = {1, 1, 1, 1, 1};
  absl::StatusOr<GradeLoss> loss = CreateGradeLoss(out.loss, out.loss_params, counts);
  if (!loss.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": ", loss.status().message()));
  }
  return absl::OkStatus();
}

absl::Status ParseAttribute(const json& value, const std::string& where, AttributeRecipe& out) {
  ObjectReader reader(value, where);
  SKINLENS_RETURN_IF_ERROR(reader.CheckIsObject());
  if (const json* loss = reader.Find("loss"); loss != nullptr) {
    SKINLENS_RETURN_IF_ERROR(ParseLoss(*loss, where + ".loss", out));
  }
  if (const json* augment = reader.Find("augment"); augment != nullptr) {
    SKINLENS_RETURN_IF_ERROR(CheckAugment(*augment, where + ".augment"));
    out.augment = *augment;
  }
  reader.Find("sampler");
  if (value.contains("sampler")) {
    SKINLENS_RETURN_IF_ERROR(ParseSampler(value.at("sampler"), where + ".sampler", out.sampler));
  }
  return reader.Finish();
}

json SamplerToJson(const std::optional<SamplerRecipe>& sampler) {
  if (!sampler.has_value()) return nullptr;
  return {{"power", sampler->power}};
}

}  // namespace

absl::string_view TrainingModeName(TrainingMode mode) {
  return mode == TrainingMode::kJoint ? "joint" : "per_attribute";
}

absl::StatusOr<TrainRecipe> ParseRecipe(const json& root, absl::string_view source) {
  TrainRecipe recipe;
  ObjectReader top(root, std::string(source));
  SKINLENS_RETURN_IF_ERROR(top.CheckIsObject());
  SKINLENS_RETURN_IF_ERROR(top.String("name", recipe.name));
  SKINLENS_RETURN_IF_ERROR(top.String("description", recipe.description));
  if (recipe.name.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": \"name\" is required"));
  }

  if (const json* model = top.Find("model"); model != nullptr) {
    ObjectReader reader(*model, absl::StrCat(source, ".model"));
    SKINLENS_RETURN_IF_ERROR(reader.CheckIsObject());
    SKINLENS_RETURN_IF_ERROR(reader.String("architecture", recipe.architecture));
    if (auto published = model::PublishedEfficientNet(recipe.architecture); published.has_value()) {
      recipe.architecture = published->name;
      recipe.width_multiplier = published->width_multiplier;
      recipe.depth_multiplier = published->depth_multiplier;
      recipe.dropout = published->dropout;
    }
    SKINLENS_RETURN_IF_ERROR(reader.Number("width_multiplier", recipe.width_multiplier, 0.05, 4.0));
    SKINLENS_RETURN_IF_ERROR(reader.Number("depth_multiplier", recipe.depth_multiplier, 0.05, 4.0));
    SKINLENS_RETURN_IF_ERROR(reader.Number("image_size", recipe.image_size, 32, 1024));
    SKINLENS_RETURN_IF_ERROR(reader.Number("dropout", recipe.dropout, 0.0, 0.9));
    SKINLENS_RETURN_IF_ERROR(reader.Number("stochastic_depth", recipe.stochastic_depth, 0.0, 0.9));
    SKINLENS_RETURN_IF_ERROR(
        reader.Number("batch_norm_momentum", recipe.batch_norm_momentum, 1e-4, 1.0));
    SKINLENS_RETURN_IF_ERROR(reader.IntList("channels", recipe.plain_channels));
    SKINLENS_RETURN_IF_ERROR(reader.IntList("strides", recipe.plain_strides));
    if (recipe.architecture == model::kPlainCnnVariant) {
      model::SkinNetConfig plain = model::PlainCnnSkinNetConfig(
          model::PlainCnnConfig{recipe.plain_channels, recipe.plain_strides});
      if (std::string reason = model::ValidateSkinNetConfig(plain); !reason.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(source, ".model: ", reason));
      }
    }
    SKINLENS_RETURN_IF_ERROR(reader.Finish());
  }

  if (const json* optimizer = top.Find("optimizer"); optimizer != nullptr) {
    ObjectReader reader(*optimizer, absl::StrCat(source, ".optimizer"));
    SKINLENS_RETURN_IF_ERROR(reader.CheckIsObject());
    std::string name = "adamw";
    SKINLENS_RETURN_IF_ERROR(reader.String("name", name));
    if (name != "adamw") {
      return absl::InvalidArgumentError(
          absl::StrCat(reader.where(), ".name: only \"adamw\" is supported, got \"", name, "\""));
    }
    SKINLENS_RETURN_IF_ERROR(reader.Number("learning_rate", recipe.learning_rate, 1e-7, 10.0));
    SKINLENS_RETURN_IF_ERROR(reader.Number("weight_decay", recipe.weight_decay, 0.0, 10.0));
    SKINLENS_RETURN_IF_ERROR(reader.Finish());
  }

  if (const json* schedule = top.Find("schedule"); schedule != nullptr) {
    ObjectReader reader(*schedule, absl::StrCat(source, ".schedule"));
    SKINLENS_RETURN_IF_ERROR(reader.CheckIsObject());
    SKINLENS_RETURN_IF_ERROR(reader.String("name", recipe.schedule));
    if (recipe.schedule != "cosine" && recipe.schedule != "step" && recipe.schedule != "constant") {
      return absl::InvalidArgumentError(absl::StrCat(reader.where(), ".name: \"", recipe.schedule,
                                                     "\" is not cosine, step or constant"));
    }
    SKINLENS_RETURN_IF_ERROR(reader.Number("warmup_epochs", recipe.warmup_epochs, 0, 1000));
    SKINLENS_RETURN_IF_ERROR(reader.Number("step_epochs", recipe.step_epochs, 1, 1000));
    SKINLENS_RETURN_IF_ERROR(reader.Number("gamma", recipe.step_gamma, 0.0, 1.0));
    SKINLENS_RETURN_IF_ERROR(reader.Finish());
  }

  SKINLENS_RETURN_IF_ERROR(top.Number("epochs", recipe.epochs, 1, 100000));
  SKINLENS_RETURN_IF_ERROR(top.Number("batch_size", recipe.batch_size, 1, 4096));
  SKINLENS_RETURN_IF_ERROR(top.Number("seed", recipe.seed, 0.0, 1.8e19));

  if (const json* split = top.Find("split"); split != nullptr) {
    ObjectReader reader(*split, absl::StrCat(source, ".split"));
    SKINLENS_RETURN_IF_ERROR(reader.CheckIsObject());
    SKINLENS_RETURN_IF_ERROR(
        reader.Number("validation_fraction", recipe.validation_fraction, 0.0, 0.9));
    std::string stratify_by(AttributeName(recipe.stratify_by));
    SKINLENS_RETURN_IF_ERROR(reader.String("stratify_by", stratify_by));
    absl::StatusOr<Attribute> attribute = training::ParseAttribute(stratify_by);
    if (!attribute.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(reader.where(), ".stratify_by: ", attribute.status().message()));
    }
    recipe.stratify_by = *attribute;
    SKINLENS_RETURN_IF_ERROR(reader.Finish());
  }

  std::string mode = "joint";
  SKINLENS_RETURN_IF_ERROR(top.String("mode", mode));
  if (mode == "joint") {
    recipe.mode = TrainingMode::kJoint;
  } else if (mode == "per_attribute") {
    recipe.mode = TrainingMode::kPerAttribute;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ".mode: \"", mode, "\" is not joint or per_attribute"));
  }

  // Defaults shared by every attribute.
  AttributeRecipe defaults;
  if (const json* augment = top.Find("augment"); augment != nullptr) {
    SKINLENS_RETURN_IF_ERROR(CheckAugment(*augment, absl::StrCat(source, ".augment")));
    recipe.augment = *augment;
  }
  top.Find("sampler");
  if (root.contains("sampler")) {
    SKINLENS_RETURN_IF_ERROR(
        ParseSampler(root.at("sampler"), absl::StrCat(source, ".sampler"), recipe.sampler));
  }
  if (const json* loss = top.Find("loss"); loss != nullptr) {
    SKINLENS_RETURN_IF_ERROR(ParseLoss(*loss, absl::StrCat(source, ".loss"), defaults));
  }
  for (AttributeRecipe& attribute : recipe.attributes) {
    attribute.loss = defaults.loss;
    attribute.loss_params = defaults.loss_params;
    attribute.augment = recipe.augment;
    attribute.sampler = recipe.sampler;
  }
  if (const json* attributes = top.Find("attributes"); attributes != nullptr) {
    if (!attributes->is_object()) return top.TypeError("attributes", "an object");
    for (const auto& [key, value] : attributes->items()) {
      absl::StatusOr<Attribute> attribute = training::ParseAttribute(key);
      if (!attribute.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat(source, ".attributes: ", attribute.status().message()));
      }
      SKINLENS_RETURN_IF_ERROR(ParseAttribute(value, absl::StrCat(source, ".attributes.", key),
                                              recipe.attributes[AttributeIndex(*attribute)]));
    }
  }
  SKINLENS_RETURN_IF_ERROR(top.Finish());
  return recipe;
}

absl::StatusOr<TrainRecipe> ReadRecipeFile(absl::string_view path) {
  std::error_code error;
  if (!std::filesystem::exists(std::string(path), error)) {
    return absl::NotFoundError(absl::StrCat("no recipe file '", path, "'"));
  }
  std::ifstream in{std::string(path)};
  std::stringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof()) {
    return absl::InternalError(absl::StrCat("cannot read '", path, "'"));
  }
  const std::string extension = std::filesystem::path(std::string(path)).extension().string();
  if (extension == ".yaml" || extension == ".yml") {
    SKINLENS_ASSIGN_OR_RETURN(json parsed, YamlToJson(text.str(), path));
    return ParseRecipe(parsed, path);
  }
  json parsed = json::parse(text.str(), nullptr, /*allow_exceptions=*/false, true);
  if (parsed.is_discarded()) {
    return absl::InvalidArgumentError(absl::StrCat("'", path, "' is not valid JSON"));
  }
  return ParseRecipe(parsed, path);
}

json RecipeToJson(const TrainRecipe& recipe) {
  json attributes = json::object();
  for (Attribute a : kAllAttributes) {
    const AttributeRecipe& r = recipe.attributes[AttributeIndex(a)];
    attributes[std::string(AttributeName(a))] = {
        {"loss", {{"name", r.loss}, {"params", r.loss_params}}},
        {"augment", r.augment},
        {"sampler", SamplerToJson(r.sampler)}};
  }
  return {
      {"name", recipe.name},
      {"description", recipe.description},
      {"model",
       {{"architecture", recipe.architecture},
        {"width_multiplier", recipe.width_multiplier},
        {"depth_multiplier", recipe.depth_multiplier},
        {"image_size", recipe.image_size},
        {"dropout", recipe.dropout},
        {"stochastic_depth", recipe.stochastic_depth},
        {"batch_norm_momentum", recipe.batch_norm_momentum},
        {"channels", recipe.plain_channels},
        {"strides", recipe.plain_strides}}},
      {"optimizer",
       {{"name", "adamw"},
        {"learning_rate", recipe.learning_rate},
        {"weight_decay", recipe.weight_decay}}},
      {"schedule",
       {{"name", recipe.schedule},
        {"warmup_epochs", recipe.warmup_epochs},
        {"step_epochs", recipe.step_epochs},
        {"gamma", recipe.step_gamma}}},
      {"epochs", recipe.epochs},
      {"batch_size", recipe.batch_size},
      {"seed", recipe.seed},
      {"split",
       {{"validation_fraction", recipe.validation_fraction},
        {"stratify_by", std::string(AttributeName(recipe.stratify_by))}}},
      {"mode", std::string(TrainingModeName(recipe.mode))},
      {"augment", recipe.augment},
      {"sampler", SamplerToJson(recipe.sampler)},
      {"attributes", attributes},
  };
}

}  // namespace skinlens::training
