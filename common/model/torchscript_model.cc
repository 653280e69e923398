#include "common/model/torchscript_model.h"

#include <torch/csrc/jit/serialization/import.h>
#include <torch/torch.h>

#include <cstdio>
#include <exception>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/model/model_bundle.h"
#include "common/status/status_macros.h"
#include "nlohmann/json.hpp"

namespace skinlens::model {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

std::string ShapeString(c10::IntArrayRef sizes) {
  return absl::StrCat("[", absl::StrJoin(sizes, ", "), "]");
}

absl::Status Invalid(absl::string_view source, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("'", source, "': ", what));
}

// A member of `root` that must be a non-empty string.
absl::StatusOr<std::string> RequiredString(const Json& root, absl::string_view key) {
  const auto it = root.find(std::string(key));
  if (it == root.end()) {
    return absl::InvalidArgumentError(absl::StrCat("'", key, "' is missing"));
  }
  if (!it->is_string() || it->get<std::string>().empty()) {
    return absl::InvalidArgumentError(absl::StrCat("'", key, "' must be a non-empty string"));
  }
  return it->get<std::string>();
}

// The number of items of the array `root[key]`, which must have [low, high] of them. The items'
// types are checked by MetadataFromJson.
absl::StatusOr<int> ArraySize(const Json& root, absl::string_view key, int low, int high) {
  const auto it = root.find(std::string(key));
  if (it == root.end()) {
    return absl::InvalidArgumentError(absl::StrCat("'", key, "' is missing"));
  }
  if (!it->is_array() || it->size() < static_cast<size_t>(low) ||
      it->size() > static_cast<size_t>(high)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", key, "' must be an array of ", low, " to ", high, " names"));
  }
  return static_cast<int>(it->size());
}

// The fields that differ from a bundle's metadata.json, checked before the rest.
struct TorchScriptFields {
  std::string architecture;
  std::string target_layer;
  int num_attributes = 0;
  int num_grades = 0;
};

absl::StatusOr<TorchScriptFields> ReadTorchScriptFields(const Json& root) {
  if (!root.is_object()) {
    return absl::InvalidArgumentError("the document must be a JSON object");
  }
  SKINLENS_ASSIGN_OR_RETURN(const std::string format, RequiredString(root, "format"));
  if (format != kTorchScriptFormatName) {
    return absl::InvalidArgumentError(
        absl::StrCat("'format' is '", format, "', not '", kTorchScriptFormatName, "'"));
  }
  const auto version = root.find("format_version");
  if (version == root.end() || !version->is_number_integer()) {
    return absl::InvalidArgumentError("'format_version' must be an integer");
  }
  // Checked before anything else: a newer format may have changed any other field.
  if (version->get<int64_t>() < 1 || version->get<int64_t>() > kTorchScriptFormatVersion) {
    return absl::InvalidArgumentError(absl::StrCat("'format_version' is ", version->dump(),
                                                   "; this build reads versions 1 to ",
                                                   kTorchScriptFormatVersion));
  }
  TorchScriptFields fields;
  SKINLENS_ASSIGN_OR_RETURN(fields.architecture, RequiredString(root, "architecture"));
  SKINLENS_ASSIGN_OR_RETURN(fields.target_layer, RequiredString(root, "target_layer"));
  SKINLENS_ASSIGN_OR_RETURN(fields.num_attributes, ArraySize(root, "attributes", 1, 64));
  SKINLENS_ASSIGN_OR_RETURN(fields.num_grades, ArraySize(root, "grades", 2, 100000));
  return fields;
}

absl::StatusOr<std::string> ReadFile(const fs::path& path) {
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  if (!fs::exists(status)) {
    return absl::NotFoundError(absl::StrCat("cannot read '", path.string(), "': no such file"));
  }
  if (fs::is_directory(status)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", path.string(), "' is a folder, not a TorchScript file"));
  }
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (file == nullptr) {
    return absl::ErrnoToStatus(errno, absl::StrCat("cannot read '", path.string(), "'"));
  }
  std::string bytes;
  char buffer[1 << 16];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof(buffer), file.get())) > 0) {
    bytes.append(buffer, n);
  }
  if (std::ferror(file.get())) {
    return absl::ErrnoToStatus(errno, absl::StrCat("cannot read '", path.string(), "'"));
  }
  return bytes;
}

// A deterministic, non-constant input of the metadata's size (no global generator touched).
torch::Tensor ProbeInput(const InputSpec& input) {
  const int64_t n = int64_t{3} * input.height * input.width;
  return torch::sin(torch::arange(n, torch::kFloat) * 0.01)
      .mul(2.0)
      .reshape({1, 3, input.height, input.width});
}

// Checks forward's output for the one-image probe input.
absl::Status CheckProbeOutput(const ModelMetadata& metadata, const GradingOutput& out) {
  const std::vector<int64_t> expected = {1, metadata.architecture.num_attributes,
                                         metadata.architecture.num_grades};
  if (out.logits.sizes() != c10::IntArrayRef(expected)) {
    return absl::InvalidArgumentError(
        absl::StrCat("forward returned logits of shape ", ShapeString(out.logits.sizes()),
                     " for one image but the metadata's ", metadata.architecture.num_attributes,
                     " attributes x ", metadata.architecture.num_grades, " grades need ",
                     ShapeString(expected)));
  }
  if (!out.logits.is_floating_point() || !out.logits.isfinite().all().item<bool>()) {
    return absl::InvalidArgumentError("forward returned logits that are not finite floats");
  }
  if (out.features.dim() != 4 || out.features.size(0) != 1 || !out.features.is_floating_point()) {
    return absl::InvalidArgumentError(
        absl::StrCat("forward returned features of shape ", ShapeString(out.features.sizes()),
                     " for one image; the contract needs a float feature map [1, C, h, w]"));
  }
  return absl::OkStatus();
}

// Checks that head(features) reproduced forward's logits.
absl::Status CheckHead(const GradingOutput& out, const torch::Tensor& head_logits) {
  if (head_logits.sizes() != out.logits.sizes()) {
    return absl::InvalidArgumentError(
        absl::StrCat("head(features) returned shape ", ShapeString(head_logits.sizes()),
                     " but forward's logits have ", ShapeString(out.logits.sizes())));
  }
  const double difference =
      (head_logits.to(torch::kDouble) - out.logits.to(torch::kDouble)).abs().max().item<double>();
  if (!(difference <= kHeadTolerance)) {
    return absl::InvalidArgumentError(
        absl::StrCat("head(features) differs from forward's logits by up to ", difference,
                     " (tolerance ", kHeadTolerance, ")"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ModelMetadata> TorchScriptMetadataFromJson(absl::string_view json,
                                                          absl::string_view source) {
  Json root;
  try {
    root = Json::parse(json.begin(), json.end());
  } catch (const Json::exception& e) {
    return absl::DataLossError(absl::StrCat("cannot parse '", source, "' as JSON: ", e.what()));
  }
  absl::StatusOr<TorchScriptFields> fields = ReadTorchScriptFields(root);
  if (!fields.ok()) {
    return absl::Status(fields.status().code(),
                        absl::StrCat("'", source, "': ", fields.status().message()));
  }
  // The rest is a bundle's metadata.json: validate it as one (MetadataFromJson), with the
  // bundle-only fields filled in with valid placeholders, then put the module's values back.
  SkinNetConfig config;
  config.num_attributes = fields->num_attributes;
  config.num_grades = fields->num_grades;
  ModelMetadata placeholder = DefaultMetadata(config);
  placeholder.weights.sha256 = std::string(64, '0');
  const Json bundle_fields = Json::parse(MetadataToJson(placeholder));
  root["format"] = kBundleFormatName;
  root["format_version"] = kBundleFormatVersion;
  root["architecture"] = bundle_fields["architecture"];
  root["target_layer"] = kTargetLayerName;
  root["weights"] = bundle_fields["weights"];
  if (!root.contains("validation_metrics")) {
    root["validation_metrics"] = Json::object();
  }
  SKINLENS_ASSIGN_OR_RETURN(ModelMetadata metadata, MetadataFromJson(root.dump(), source));
  metadata.format_version = kTorchScriptFormatVersion;
  metadata.architecture.backbone.name = fields->architecture;
  metadata.target_layer = fields->target_layer;
  metadata.weights = WeightsInfo{};
  return metadata;
}

absl::StatusOr<GradingOutput> TorchScriptGradingModel::RunForward(
    const torch::Tensor& images) const {
  c10::IValue result;
  try {
    result = module_.get_method("forward")({images});
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("TorchScript forward failed on input ",
                                                   ShapeString(images.sizes()), " (",
                                                   metadata_.model_version, "): ", e.what()));
  }
  if (!result.isTuple() || result.toTupleRef().elements().size() != 2 ||
      !result.toTupleRef().elements()[0].isTensor() ||
      !result.toTupleRef().elements()[1].isTensor()) {
    return absl::InternalError(absl::StrCat(
        "TorchScript forward must return a tuple (logits, features) of tensors; it returned ",
        result.isTuple() ? absl::StrCat("a tuple of ", result.toTupleRef().elements().size())
                         : result.tagKind()));
  }
  const auto& elements = result.toTupleRef().elements();
  return GradingOutput{elements[0].toTensor(), elements[1].toTensor()};
}

absl::StatusOr<GradingOutput> TorchScriptGradingModel::Forward(const torch::Tensor& images,
                                                               bool return_features) const {
  SKINLENS_RETURN_IF_ERROR(CheckImages(images));
  SKINLENS_ASSIGN_OR_RETURN(GradingOutput out, RunForward(images));
  if (out.logits.dim() != 3 || out.logits.size(0) != images.size(0)) {
    return absl::InternalError(absl::StrCat("TorchScript forward returned logits of shape ",
                                            ShapeString(out.logits.sizes()), " for input ",
                                            ShapeString(images.sizes())));
  }
  if (!return_features) {
    out.features = torch::Tensor();
  }
  return out;
}

absl::StatusOr<torch::Tensor> TorchScriptGradingModel::Head(const torch::Tensor& features) const {
  SKINLENS_RETURN_IF_ERROR(CheckFeatures(features));
  c10::IValue result;
  try {
    result = module_.get_method("head")({features});
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("TorchScript head failed on features ",
                                                   ShapeString(features.sizes()), ": ", e.what()));
  }
  if (!result.isTensor()) {
    return absl::InternalError(
        absl::StrCat("TorchScript head must return a tensor; it returned ", result.tagKind()));
  }
  return result.toTensor();
}

absl::StatusOr<std::unique_ptr<TorchScriptGradingModel>> LoadTorchScriptModel(
    absl::string_view path) {
  const fs::path file{std::string(path)};
  SKINLENS_ASSIGN_OR_RETURN(const std::string bytes, ReadFile(file));
  torch::jit::ExtraFilesMap extra_files = {{kTorchScriptMetadataFile, ""}};
  torch::jit::Module module;
  try {
    std::istringstream stream(bytes);
    module = torch::jit::load(stream, torch::kCPU, extra_files);
  } catch (const std::exception& e) {
    return absl::DataLossError(
        absl::StrCat("cannot load '", path, "' as a TorchScript module: ", e.what()));
  }
  const std::string& json = extra_files[kTorchScriptMetadataFile];
  if (json.empty()) {
    return Invalid(path, absl::StrCat("has no metadata: the extra file '", kTorchScriptMetadataFile,
                                      "' is missing or empty (see docs/MODEL_BUNDLE.md, "
                                      "\"TorchScript modules\")"));
  }
  SKINLENS_ASSIGN_OR_RETURN(
      ModelMetadata metadata,
      TorchScriptMetadataFromJson(json, absl::StrCat(path, ":", kTorchScriptMetadataFile)));
  metadata.weights.file = file.filename().string();
  metadata.weights.dtype = WeightsDtype::kFloat32;
  metadata.weights.sha256 = Sha256Hex(bytes);
  metadata.weights.size_bytes = static_cast<int64_t>(bytes.size());

  for (const char* method : {"forward", "head"}) {
    if (!module.find_method(method).has_value()) {
      return Invalid(path, absl::StrCat("has no method '", method,
                                        "'; the SkinLens contract needs forward(x) -> (logits, "
                                        "features) and an exported head(features) -> logits"));
    }
  }
  module.eval();
  std::unique_ptr<TorchScriptGradingModel> model(
      new TorchScriptGradingModel(std::move(module), std::move(metadata)));

  torch::NoGradGuard no_grad;
  const torch::Tensor probe = ProbeInput(model->metadata_.input);
  absl::StatusOr<GradingOutput> out = model->RunForward(probe);
  if (!out.ok()) {
    return Invalid(path, absl::StrCat("does not meet the SkinLens contract on a probe input: ",
                                      out.status().message()));
  }
  absl::Status contract = CheckProbeOutput(model->metadata_, *out);
  if (contract.ok()) {
    absl::StatusOr<torch::Tensor> head_logits = model->Head(out->features);
    contract = head_logits.ok() ? CheckHead(*out, *head_logits) : head_logits.status();
  }
  if (!contract.ok()) {
    return Invalid(path, absl::StrCat("does not meet the SkinLens contract on a probe input: ",
                                      contract.message()));
  }
  model->probe_feature_shape_ = out->features.sizes().vec();
  return model;
}

}  // namespace skinlens::model
