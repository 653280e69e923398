#include "common/model/model_metadata.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "common/status/status_macros.h"
#include "nlohmann/json.hpp"

namespace skinlens::model {
namespace {

using Json = nlohmann::ordered_json;

constexpr char kFamily[] = "efficientnet";
constexpr char kPlainCnnFamily[] = "plain_cnn";
constexpr char kColor[] = "RGB";

absl::Status Invalid(absl::string_view path, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("'", path, "' ", what));
}

std::string Join(absl::string_view parent, absl::string_view key) {
  return parent.empty() ? std::string(key) : absl::StrCat(parent, ".", key);
}

// Typed access to the members of a JSON object, with errors naming the member's path
// ("architecture.width_multiplier") and what was expected.
class ObjectReader {
 public:
  // `object` must outlive the reader.
  ObjectReader(const Json& object, std::string path) : object_(object), path_(std::move(path)) {}

  absl::StatusOr<const Json*> Get(absl::string_view key) const {
    const auto it = object_.find(std::string(key));
    if (it == object_.end()) {
      return Invalid(Join(path_, key), "is missing");
    }
    return &*it;
  }

  absl::Status String(absl::string_view key, std::string* out) const {
    SKINLENS_ASSIGN_OR_RETURN(const Json* value, Get(key));
    if (!value->is_string()) {
      return Invalid(Join(path_, key), "must be a string");
    }
    *out = value->get<std::string>();
    return absl::OkStatus();
  }

  // Absent keeps *out (for keys added after format version 1).
  absl::Status OptionalBool(absl::string_view key, bool* out) const {
    const auto it = object_.find(std::string(key));
    if (it == object_.end()) return absl::OkStatus();
    if (!it->is_boolean()) {
      return Invalid(Join(path_, key), "must be true or false");
    }
    *out = it->get<bool>();
    return absl::OkStatus();
  }

  absl::Status Number(absl::string_view key, double* out) const {
    SKINLENS_ASSIGN_OR_RETURN(const Json* value, Get(key));
    if (!value->is_number()) {
      return Invalid(Join(path_, key), "must be a number");
    }
    *out = value->get<double>();
    return absl::OkStatus();
  }

  absl::Status Integer(absl::string_view key, int64_t* out) const {
    SKINLENS_ASSIGN_OR_RETURN(const Json* value, Get(key));
    if (!value->is_number_integer()) {
      return Invalid(Join(path_, key), "must be an integer");
    }
    if (value->is_number_unsigned() && value->get<uint64_t>() > INT64_MAX) {
      return Invalid(Join(path_, key), "is too large");
    }
    *out = value->get<int64_t>();
    return absl::OkStatus();
  }

  absl::Status Int(absl::string_view key, int* out) const {
    int64_t value = 0;
    SKINLENS_RETURN_IF_ERROR(Integer(key, &value));
    if (value < -(int64_t{1} << 30) || value > (int64_t{1} << 30)) {
      return Invalid(Join(path_, key), "is out of range");
    }
    *out = static_cast<int>(value);
    return absl::OkStatus();
  }

  absl::Status StringList(absl::string_view key, std::vector<std::string>* out) const {
    SKINLENS_ASSIGN_OR_RETURN(const Json* value, Get(key));
    if (!value->is_array()) {
      return Invalid(Join(path_, key), "must be an array of strings");
    }
    out->clear();
    for (const Json& item : *value) {
      if (!item.is_string()) {
        return Invalid(Join(path_, key), "must be an array of strings");
      }
      out->push_back(item.get<std::string>());
    }
    return absl::OkStatus();
  }

  absl::Status Triple(absl::string_view key, std::array<double, 3>* out) const {
    SKINLENS_ASSIGN_OR_RETURN(const Json* value, Get(key));
    if (!value->is_array() || value->size() != 3) {
      return Invalid(Join(path_, key), "must be an array of 3 numbers (R, G, B)");
    }
    for (size_t c = 0; c < 3; ++c) {
      if (!(*value)[c].is_number()) {
        return Invalid(Join(path_, key), "must be an array of 3 numbers (R, G, B)");
      }
      (*out)[c] = (*value)[c].get<double>();
    }
    return absl::OkStatus();
  }

  absl::StatusOr<ObjectReader> Object(absl::string_view key) const {
    SKINLENS_ASSIGN_OR_RETURN(const Json* value, Get(key));
    if (!value->is_object()) {
      return Invalid(Join(path_, key), "must be an object");
    }
    return ObjectReader(*value, Join(path_, key));
  }

  const Json& json() const { return object_; }
  const std::string& path() const { return path_; }

 private:
  const Json& object_;
  std::string path_;
};

absl::Status ReadIntList(const ObjectReader& reader, absl::string_view key, std::vector<int>* out) {
  SKINLENS_ASSIGN_OR_RETURN(const Json* value, reader.Get(key));
  if (!value->is_array()) return Invalid(Join(reader.path(), key), "must be an array of integers");
  out->clear();
  for (const Json& item : *value) {
    if (!item.is_number_integer()) {
      return Invalid(Join(reader.path(), key), "must be an array of integers");
    }
    out->push_back(item.get<int>());
  }
  return absl::OkStatus();
}

// The plain CNN's architecture block: its layers and the settings it shares with EfficientNet.
absl::Status ReadPlainCnnArchitecture(const ObjectReader& reader, SkinNetConfig* config) {
  *config = PlainCnnSkinNetConfig(PlainCnnConfig{});
  EfficientNetConfig& backbone = config->backbone;
  SKINLENS_RETURN_IF_ERROR(reader.String("variant", &backbone.name));
  if (backbone.name != kPlainCnnVariant) {
    return Invalid(Join(reader.path(), "variant"),
                   absl::StrCat("is '", backbone.name, "'; must be '", kPlainCnnVariant, "'"));
  }
  SKINLENS_RETURN_IF_ERROR(ReadIntList(reader, "channels", &config->plain.channels));
  SKINLENS_RETURN_IF_ERROR(ReadIntList(reader, "strides", &config->plain.strides));
  SKINLENS_RETURN_IF_ERROR(reader.Int("resolution", &backbone.resolution));
  SKINLENS_RETURN_IF_ERROR(reader.Number("dropout", &backbone.dropout));
  SKINLENS_RETURN_IF_ERROR(reader.Number("batch_norm_eps", &backbone.batch_norm_eps));
  SKINLENS_RETURN_IF_ERROR(reader.Number("batch_norm_momentum", &backbone.batch_norm_momentum));
  SKINLENS_RETURN_IF_ERROR(reader.Int("num_attributes", &config->num_attributes));
  SKINLENS_RETURN_IF_ERROR(reader.Int("num_grades", &config->num_grades));
  return absl::OkStatus();
}

absl::Status ReadArchitecture(const ObjectReader& reader, SkinNetConfig* config) {
  std::string family;
  SKINLENS_RETURN_IF_ERROR(reader.String("family", &family));
  if (family == kPlainCnnFamily) {
    return ReadPlainCnnArchitecture(reader, config);
  }
  if (family != kFamily) {
    return Invalid(Join(reader.path(), "family"),
                   absl::StrCat("is '", family, "'; this loader knows '", kFamily, "' and '",
                                kPlainCnnFamily, "'"));
  }
  config->family = BackboneFamily::kEfficientNet;
  EfficientNetConfig& backbone = config->backbone;
  SKINLENS_RETURN_IF_ERROR(reader.String("variant", &backbone.name));
  SKINLENS_RETURN_IF_ERROR(reader.Number("width_multiplier", &backbone.width_multiplier));
  SKINLENS_RETURN_IF_ERROR(reader.Number("depth_multiplier", &backbone.depth_multiplier));
  SKINLENS_RETURN_IF_ERROR(reader.Int("resolution", &backbone.resolution));
  SKINLENS_RETURN_IF_ERROR(reader.Number("dropout", &backbone.dropout));
  SKINLENS_RETURN_IF_ERROR(reader.Number("stochastic_depth", &backbone.stochastic_depth));
  SKINLENS_RETURN_IF_ERROR(reader.Number("batch_norm_eps", &backbone.batch_norm_eps));
  SKINLENS_RETURN_IF_ERROR(reader.Number("batch_norm_momentum", &backbone.batch_norm_momentum));
  SKINLENS_RETURN_IF_ERROR(reader.Int("num_attributes", &config->num_attributes));
  SKINLENS_RETURN_IF_ERROR(reader.Int("num_grades", &config->num_grades));
  return absl::OkStatus();
}

absl::Status ReadInput(const ObjectReader& reader, InputSpec* input) {
  SKINLENS_RETURN_IF_ERROR(reader.Int("height", &input->height));
  SKINLENS_RETURN_IF_ERROR(reader.Int("width", &input->width));
  std::string color;
  SKINLENS_RETURN_IF_ERROR(reader.String("color", &color));
  if (color != kColor) {
    return Invalid(Join(reader.path(), "color"), absl::StrCat("must be '", kColor, "'"));
  }
  SKINLENS_RETURN_IF_ERROR(reader.Triple("mean", &input->mean));
  SKINLENS_RETURN_IF_ERROR(reader.Triple("std", &input->std));
  SKINLENS_ASSIGN_OR_RETURN(const Json* range, reader.Get("value_range"));
  if (*range != Json::array({0, 1})) {
    return Invalid(Join(reader.path(), "value_range"), "must be [0, 1]");
  }
  return absl::OkStatus();
}

absl::Status ReadMetrics(const ObjectReader& reader,
                         std::map<std::string, ValidationMetrics>* metrics) {
  for (const auto& [attribute, value] : reader.json().items()) {
    const std::string path = Join(reader.path(), attribute);
    if (!value.is_object()) {
      return Invalid(path, "must be an object");
    }
    const ObjectReader entry(value, path);
    ValidationMetrics& m = (*metrics)[attribute];
    SKINLENS_RETURN_IF_ERROR(entry.Number("p_recall", &m.p_recall));
    SKINLENS_RETURN_IF_ERROR(entry.Number("accuracy", &m.accuracy));
    SKINLENS_RETURN_IF_ERROR(entry.Number("macro_f1", &m.macro_f1));
    SKINLENS_RETURN_IF_ERROR(entry.Number("mae", &m.mae));
    SKINLENS_RETURN_IF_ERROR(entry.Integer("num_samples", &m.num_samples));
  }
  return absl::OkStatus();
}

absl::Status ReadCalibration(const ObjectReader& reader, CalibrationInfo* calibration) {
  SKINLENS_RETURN_IF_ERROR(reader.String("fitted_on", &calibration->fitted_on));
  SKINLENS_RETURN_IF_ERROR(reader.Number("target_coverage", &calibration->target_coverage));
  SKINLENS_ASSIGN_OR_RETURN(ObjectReader attributes, reader.Object("attributes"));
  for (const auto& [attribute, value] : attributes.json().items()) {
    const std::string path = Join(attributes.path(), attribute);
    if (!value.is_object()) return Invalid(path, "must be an object");
    const ObjectReader entry(value, path);
    AttributeCalibration& c = calibration->attributes[attribute];
    SKINLENS_RETURN_IF_ERROR(entry.Number("temperature", &c.temperature));
    SKINLENS_RETURN_IF_ERROR(entry.Number("abstain_threshold", &c.abstain_threshold));
  }
  return absl::OkStatus();
}

absl::Status ReadRetestNoise(const ObjectReader& reader, RetestNoiseInfo* noise) {
  SKINLENS_RETURN_IF_ERROR(reader.String("source", &noise->source));
  SKINLENS_ASSIGN_OR_RETURN(ObjectReader attributes, reader.Object("attributes"));
  for (const auto& [attribute, value] : attributes.json().items()) {
    const std::string path = Join(attributes.path(), attribute);
    if (!value.is_object()) return Invalid(path, "must be an object");
    const ObjectReader entry(value, path);
    AttributeRetestNoise& n = noise->attributes[attribute];
    SKINLENS_RETURN_IF_ERROR(entry.Number("expected_score_sd", &n.expected_score_sd));
    SKINLENS_RETURN_IF_ERROR(entry.Number("grade_flip_rate", &n.grade_flip_rate));
  }
  return absl::OkStatus();
}

absl::Status ReadWeights(const ObjectReader& reader, WeightsInfo* weights) {
  SKINLENS_RETURN_IF_ERROR(reader.String("file", &weights->file));
  std::string dtype;
  SKINLENS_RETURN_IF_ERROR(reader.String("dtype", &dtype));
  if (dtype == WeightsDtypeName(WeightsDtype::kFloat32)) {
    weights->dtype = WeightsDtype::kFloat32;
  } else if (dtype == WeightsDtypeName(WeightsDtype::kFloat16)) {
    weights->dtype = WeightsDtype::kFloat16;
  } else {
    return Invalid(Join(reader.path(), "dtype"),
                   absl::StrCat("is '", dtype, "'; expected 'float32' or 'float16'"));
  }
  SKINLENS_RETURN_IF_ERROR(reader.String("sha256", &weights->sha256));
  if (weights->sha256.empty()) {
    return Invalid(Join(reader.path(), "sha256"), "is empty");
  }
  SKINLENS_RETURN_IF_ERROR(reader.Integer("size_bytes", &weights->size_bytes));
  return absl::OkStatus();
}

absl::Status ParseDocument(const Json& root, ModelMetadata* metadata) {
  if (!root.is_object()) {
    return absl::InvalidArgumentError("the document must be a JSON object");
  }
  const ObjectReader reader(root, "");
  std::string format;
  SKINLENS_RETURN_IF_ERROR(reader.String("format", &format));
  if (format != kBundleFormatName) {
    return Invalid("format", absl::StrCat("is '", format, "', not '", kBundleFormatName,
                                          "': this is not a SkinLens model bundle"));
  }
  SKINLENS_RETURN_IF_ERROR(reader.Int("format_version", &metadata->format_version));
  // Checked before anything else: a newer format may have changed any other field.
  if (metadata->format_version > kBundleFormatVersion) {
    return Invalid(
        "format_version",
        absl::StrCat("is ", metadata->format_version, "; this build reads versions up to ",
                     kBundleFormatVersion, ": update SkinLens to load this bundle"));
  }
  SKINLENS_RETURN_IF_ERROR(reader.String("model_version", &metadata->model_version));
  SKINLENS_RETURN_IF_ERROR(reader.String("created_time", &metadata->created_time));
  if (metadata->created_time.empty()) {
    return Invalid("created_time", "is empty");
  }
  SKINLENS_ASSIGN_OR_RETURN(ObjectReader architecture, reader.Object("architecture"));
  SKINLENS_RETURN_IF_ERROR(ReadArchitecture(architecture, &metadata->architecture));
  SKINLENS_ASSIGN_OR_RETURN(ObjectReader input, reader.Object("input"));
  SKINLENS_RETURN_IF_ERROR(ReadInput(input, &metadata->input));
  SKINLENS_RETURN_IF_ERROR(reader.StringList("attributes", &metadata->attribute_names));
  SKINLENS_RETURN_IF_ERROR(reader.StringList("grades", &metadata->grade_names));
  SKINLENS_RETURN_IF_ERROR(reader.String("target_layer", &metadata->target_layer));
  SKINLENS_ASSIGN_OR_RETURN(ObjectReader training, reader.Object("training_data"));
  SKINLENS_RETURN_IF_ERROR(training.String("description", &metadata->training_data.description));
  SKINLENS_RETURN_IF_ERROR(
      training.Integer("num_train_images", &metadata->training_data.num_train_images));
  SKINLENS_RETURN_IF_ERROR(
      training.Integer("num_validation_images", &metadata->training_data.num_validation_images));
  SKINLENS_RETURN_IF_ERROR(
      training.OptionalBool("synthetic_only", &metadata->training_data.synthetic_only));
  SKINLENS_ASSIGN_OR_RETURN(ObjectReader metrics, reader.Object("validation_metrics"));
  SKINLENS_RETURN_IF_ERROR(ReadMetrics(metrics, &metadata->validation_metrics));
  // Optional: bundles written before calibration existed have none.
  if (root.contains("calibration")) {
    SKINLENS_ASSIGN_OR_RETURN(ObjectReader calibration, reader.Object("calibration"));
    SKINLENS_RETURN_IF_ERROR(ReadCalibration(calibration, &metadata->calibration));
  }
  if (root.contains("retest_noise")) {
    SKINLENS_ASSIGN_OR_RETURN(ObjectReader noise, reader.Object("retest_noise"));
    SKINLENS_RETURN_IF_ERROR(ReadRetestNoise(noise, &metadata->retest_noise));
  }
  SKINLENS_ASSIGN_OR_RETURN(ObjectReader weights, reader.Object("weights"));
  SKINLENS_RETURN_IF_ERROR(ReadWeights(weights, &metadata->weights));
  return ValidateMetadata(*metadata);
}

bool IsLowerHex(absl::string_view text) {
  for (char c : text) {
    if (!absl::ascii_isdigit(c) && !(c >= 'a' && c <= 'f')) {
      return false;
    }
  }
  return true;
}

absl::Status CheckNames(absl::string_view field, const std::vector<std::string>& names,
                        int expected, absl::string_view count_field) {
  if (static_cast<int>(names.size()) != expected) {
    return Invalid(field, absl::StrCat("lists ", names.size(), " names but '", count_field, "' is ",
                                       expected));
  }
  std::set<std::string> seen;
  for (const std::string& name : names) {
    if (name.empty()) {
      return Invalid(field, "contains an empty name");
    }
    if (!seen.insert(name).second) {
      return Invalid(field, absl::StrCat("names '", name, "' twice"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckRange(absl::string_view path, double value, double low, double high) {
  if (!(std::isfinite(value) && value >= low && value <= high)) {
    return Invalid(path, absl::StrCat("is ", value, "; must be in [", low, ", ", high, "]"));
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<std::string> DefaultAttributeNames() {
  return {"oil", "hydration", "wrinkle", "pigmentation", "sensitivity"};
}

std::vector<std::string> DefaultGradeNames(int num_grades) {
  std::vector<std::string> names;
  for (int g = 0; g < num_grades; ++g) {
    names.push_back(std::to_string(g));
  }
  return names;
}

absl::string_view WeightsDtypeName(WeightsDtype dtype) {
  return dtype == WeightsDtype::kFloat16 ? "float16" : "float32";
}

ModelMetadata DefaultMetadata(const SkinNetConfig& architecture) {
  ModelMetadata metadata;
  metadata.architecture = architecture;
  if (architecture.num_attributes == 5) {
    metadata.attribute_names = DefaultAttributeNames();
  } else {
    for (int a = 0; a < architecture.num_attributes; ++a) {
      metadata.attribute_names.push_back(absl::StrCat("attribute", a));
    }
  }
  metadata.grade_names = DefaultGradeNames(architecture.num_grades);
  metadata.target_layer = TargetLayerName(architecture);
  metadata.input.height = architecture.backbone.resolution;
  metadata.input.width = architecture.backbone.resolution;
  return metadata;
}

absl::Status ValidateMetadata(const ModelMetadata& metadata) {
  if (metadata.format_version < 1 || metadata.format_version > kBundleFormatVersion) {
    return Invalid("format_version", absl::StrCat("is ", metadata.format_version,
                                                  "; must be in [1, ", kBundleFormatVersion, "]"));
  }
  if (metadata.model_version.empty()) {
    return Invalid("model_version", "is empty");
  }
  if (!metadata.created_time.empty()) {
    absl::Time time;
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, metadata.created_time, &time, &error)) {
      return Invalid("created_time", absl::StrCat("is not an RFC 3339 time: ", error));
    }
  }
  if (const std::string reason = ValidateSkinNetConfig(metadata.architecture); !reason.empty()) {
    return Invalid("architecture", reason);
  }
  const InputSpec& input = metadata.input;
  if (input.height < 16 || input.height > 8192 || input.width < 16 || input.width > 8192) {
    return Invalid(
        "input", absl::StrCat("size ", input.height, " x ", input.width, " is outside [16, 8192]"));
  }
  for (int c = 0; c < 3; ++c) {
    if (!std::isfinite(input.mean[c])) {
      return Invalid("input.mean", "must be finite");
    }
    if (!(std::isfinite(input.std[c]) && input.std[c] > 0.0)) {
      return Invalid("input.std", "must be finite and positive");
    }
  }
  SKINLENS_RETURN_IF_ERROR(CheckNames("attributes", metadata.attribute_names,
                                      metadata.architecture.num_attributes,
                                      "architecture.num_attributes"));
  SKINLENS_RETURN_IF_ERROR(CheckNames("grades", metadata.grade_names,
                                      metadata.architecture.num_grades, "architecture.num_grades"));
  if (const std::string expected = TargetLayerName(metadata.architecture);
      metadata.target_layer != expected) {
    return Invalid("target_layer",
                   absl::StrCat("is '", metadata.target_layer,
                                "'; this network's target layer is '", expected, "'"));
  }
  if (metadata.training_data.num_train_images < 0 ||
      metadata.training_data.num_validation_images < 0) {
    return Invalid("training_data", "image counts must not be negative");
  }
  for (const auto& [attribute, m] : metadata.validation_metrics) {
    const std::string path = absl::StrCat("validation_metrics.", attribute);
    if (std::find(metadata.attribute_names.begin(), metadata.attribute_names.end(), attribute) ==
        metadata.attribute_names.end()) {
      return Invalid(path, absl::StrCat("is not one of the attributes (",
                                        absl::StrJoin(metadata.attribute_names, ", "), ")"));
    }
    SKINLENS_RETURN_IF_ERROR(CheckRange(path + ".p_recall", m.p_recall, -1.5, 1.0));
    SKINLENS_RETURN_IF_ERROR(CheckRange(path + ".accuracy", m.accuracy, 0.0, 1.0));
    SKINLENS_RETURN_IF_ERROR(CheckRange(path + ".macro_f1", m.macro_f1, 0.0, 1.0));
    SKINLENS_RETURN_IF_ERROR(
        CheckRange(path + ".mae", m.mae, 0.0, metadata.architecture.num_grades - 1.0));
    if (m.num_samples < 0) {
      return Invalid(path + ".num_samples", "must not be negative");
    }
  }
  SKINLENS_RETURN_IF_ERROR(
      CheckRange("calibration.target_coverage", metadata.calibration.target_coverage, 0.0, 1.0));
  for (const auto& [attribute, c] : metadata.calibration.attributes) {
    const std::string path = absl::StrCat("calibration.attributes.", attribute);
    if (std::find(metadata.attribute_names.begin(), metadata.attribute_names.end(), attribute) ==
        metadata.attribute_names.end()) {
      return Invalid(path, absl::StrCat("is not one of the attributes (",
                                        absl::StrJoin(metadata.attribute_names, ", "), ")"));
    }
    if (!(std::isfinite(c.temperature) && c.temperature > 0)) {
      return Invalid(path + ".temperature", "must be finite and positive");
    }
    SKINLENS_RETURN_IF_ERROR(
        CheckRange(path + ".abstain_threshold", c.abstain_threshold, 0.0, 1.0));
  }
  for (const auto& [attribute, n] : metadata.retest_noise.attributes) {
    const std::string path = absl::StrCat("retest_noise.attributes.", attribute);
    if (std::find(metadata.attribute_names.begin(), metadata.attribute_names.end(), attribute) ==
        metadata.attribute_names.end()) {
      return Invalid(path, absl::StrCat("is not one of the attributes (",
                                        absl::StrJoin(metadata.attribute_names, ", "), ")"));
    }
    SKINLENS_RETURN_IF_ERROR(CheckRange(path + ".expected_score_sd", n.expected_score_sd, 0.0,
                                        metadata.architecture.num_grades - 1.0));
    SKINLENS_RETURN_IF_ERROR(CheckRange(path + ".grade_flip_rate", n.grade_flip_rate, 0.0, 1.0));
  }
  const WeightsInfo& weights = metadata.weights;
  if (weights.file.empty() || weights.file == "." || weights.file == ".." ||
      weights.file.find_first_of("/\\") != std::string::npos) {
    return Invalid("weights.file",
                   absl::StrCat("is '", weights.file, "'; must be a file name inside the bundle"));
  }
  if (!weights.sha256.empty() && (weights.sha256.size() != 64 || !IsLowerHex(weights.sha256))) {
    return Invalid("weights.sha256", "must be 64 lower-case hex digits");
  }
  if (weights.size_bytes < 0) {
    return Invalid("weights.size_bytes", "must not be negative");
  }
  return absl::OkStatus();
}

std::string MetadataToJson(const ModelMetadata& metadata) {
  const EfficientNetConfig& backbone = metadata.architecture.backbone;
  Json root;
  root["format"] = kBundleFormatName;
  root["format_version"] = metadata.format_version;
  root["model_version"] = metadata.model_version;
  root["created_time"] = metadata.created_time;
  if (metadata.architecture.family == BackboneFamily::kPlainCnn) {
    root["architecture"] = {
        {"family", kPlainCnnFamily},
        {"variant", backbone.name},
        {"channels", metadata.architecture.plain.channels},
        {"strides", metadata.architecture.plain.strides},
        {"resolution", backbone.resolution},
        {"dropout", backbone.dropout},
        {"batch_norm_eps", backbone.batch_norm_eps},
        {"batch_norm_momentum", backbone.batch_norm_momentum},
        {"num_attributes", metadata.architecture.num_attributes},
        {"num_grades", metadata.architecture.num_grades},
    };
  } else {
    root["architecture"] = {
        {"family", kFamily},
        {"variant", backbone.name},
        {"width_multiplier", backbone.width_multiplier},
        {"depth_multiplier", backbone.depth_multiplier},
        {"resolution", backbone.resolution},
        {"dropout", backbone.dropout},
        {"stochastic_depth", backbone.stochastic_depth},
        {"batch_norm_eps", backbone.batch_norm_eps},
        {"batch_norm_momentum", backbone.batch_norm_momentum},
        {"num_attributes", metadata.architecture.num_attributes},
        {"num_grades", metadata.architecture.num_grades},
    };
  }
  root["input"] = {
      {"height", metadata.input.height},
      {"width", metadata.input.width},
      {"color", kColor},
      {"value_range", {0, 1}},
      {"mean", metadata.input.mean},
      {"std", metadata.input.std},
  };
  root["attributes"] = metadata.attribute_names;
  root["grades"] = metadata.grade_names;
  root["target_layer"] = metadata.target_layer;
  root["training_data"] = {
      {"description", metadata.training_data.description},
      {"num_train_images", metadata.training_data.num_train_images},
      {"num_validation_images", metadata.training_data.num_validation_images},
      {"synthetic_only", metadata.training_data.synthetic_only},
  };
  Json metrics = Json::object();
  // In the attributes' order, then any others (which ValidateMetadata refuses).
  std::vector<std::string> order = metadata.attribute_names;
  for (const auto& [attribute, unused] : metadata.validation_metrics) {
    if (std::find(order.begin(), order.end(), attribute) == order.end()) {
      order.push_back(attribute);
    }
  }
  for (const std::string& attribute : order) {
    const auto it = metadata.validation_metrics.find(attribute);
    if (it == metadata.validation_metrics.end()) {
      continue;
    }
    const ValidationMetrics& m = it->second;
    metrics[attribute] = {{"p_recall", m.p_recall},
                          {"accuracy", m.accuracy},
                          {"macro_f1", m.macro_f1},
                          {"mae", m.mae},
                          {"num_samples", m.num_samples}};
  }
  root["validation_metrics"] = std::move(metrics);
  if (!metadata.calibration.attributes.empty()) {
    Json attributes = Json::object();
    for (const std::string& attribute : order) {
      const auto it = metadata.calibration.attributes.find(attribute);
      if (it == metadata.calibration.attributes.end()) continue;
      attributes[attribute] = {{"temperature", it->second.temperature},
                               {"abstain_threshold", it->second.abstain_threshold}};
    }
    for (const auto& [attribute, c] : metadata.calibration.attributes) {
      if (!attributes.contains(attribute)) {
        attributes[attribute] = {{"temperature", c.temperature},
                                 {"abstain_threshold", c.abstain_threshold}};
      }
    }
    root["calibration"] = {{"fitted_on", metadata.calibration.fitted_on},
                           {"target_coverage", metadata.calibration.target_coverage},
                           {"attributes", std::move(attributes)}};
  }
  if (!metadata.retest_noise.attributes.empty()) {
    Json attributes = Json::object();
    for (const std::string& attribute : order) {
      const auto it = metadata.retest_noise.attributes.find(attribute);
      if (it == metadata.retest_noise.attributes.end()) continue;
      attributes[attribute] = {{"expected_score_sd", it->second.expected_score_sd},
                               {"grade_flip_rate", it->second.grade_flip_rate}};
    }
    for (const auto& [attribute, n] : metadata.retest_noise.attributes) {
      if (!attributes.contains(attribute)) {
        attributes[attribute] = {{"expected_score_sd", n.expected_score_sd},
                                 {"grade_flip_rate", n.grade_flip_rate}};
      }
    }
    root["retest_noise"] = {{"source", metadata.retest_noise.source},
                            {"attributes", std::move(attributes)}};
  }
  root["weights"] = {
      {"file", metadata.weights.file},
      {"dtype", std::string(WeightsDtypeName(metadata.weights.dtype))},
      {"sha256", metadata.weights.sha256},
      {"size_bytes", metadata.weights.size_bytes},
  };
  // Replace invalid UTF-8 in free text instead of throwing.
  return root.dump(2, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace) + "\n";
}

AttributeCalibration CalibrationFor(const ModelMetadata& metadata, absl::string_view attribute) {
  const auto it = metadata.calibration.attributes.find(std::string(attribute));
  return it == metadata.calibration.attributes.end() ? AttributeCalibration{} : it->second;
}

absl::StatusOr<ModelMetadata> MetadataFromJson(absl::string_view json, absl::string_view source) {
  Json root;
  try {
    root = Json::parse(json.begin(), json.end());
  } catch (const Json::exception& e) {
    return absl::DataLossError(absl::StrCat("cannot parse '", source, "' as JSON: ", e.what()));
  }
  ModelMetadata metadata;
  if (absl::Status status = ParseDocument(root, &metadata); !status.ok()) {
    return absl::Status(status.code(), absl::StrCat("'", source, "': ", status.message()));
  }
  return metadata;
}

}  // namespace skinlens::model
