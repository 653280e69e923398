#include "common/model/model_bundle.h"

#include <openssl/evp.h>
#include <torch/serialize.h>
#include <torch/utils.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/status/status_macros.h"

namespace skinlens::model {
namespace {

namespace fs = std::filesystem;

// How many parameter mismatches a message lists before summarising the rest.
constexpr size_t kMaxListedMismatches = 3;

std::string Describe(const SkinNetConfig& config) {
  return absl::StrCat(config.backbone.name, " (width ", config.backbone.width_multiplier,
                      ", depth ", config.backbone.depth_multiplier, ") with ",
                      config.num_attributes, " attributes x ", config.num_grades, " grades");
}

std::string ShapeString(const torch::Tensor& tensor) {
  return absl::StrCat("[", absl::StrJoin(tensor.sizes(), ", "), "]");
}

absl::Status FileError(int error_number, absl::string_view action, const fs::path& path) {
  return absl::ErrnoToStatus(error_number,
                             absl::StrCat("cannot ", action, " '", path.string(), "'"));
}

absl::Status FileSystemError(const std::error_code& error, absl::string_view action,
                             const fs::path& path) {
  return absl::Status(absl::ErrnoToStatusCode(error.value()),
                      absl::StrCat("cannot ", action, " '", path.string(), "': ", error.message()));
}

// The whole file; NOT_FOUND when it does not exist.
absl::StatusOr<std::vector<char>> ReadFile(const fs::path& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (file == nullptr) {
    return FileError(errno, "read", path);
  }
  std::vector<char> bytes;
  char buffer[1 << 16];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof(buffer), file.get())) > 0) {
    bytes.insert(bytes.end(), buffer, buffer + n);
  }
  if (std::ferror(file.get())) {
    return FileError(errno, "read", path);
  }
  return bytes;
}

// Writes `bytes` to a temporary file beside `path`, flushes it to disk and renames it over
// `path`, so that readers never see a half-written file.
absl::Status WriteFileAtomically(const fs::path& path, absl::string_view bytes) {
  const fs::path temporary = path.string() + ".tmp-" + std::to_string(::getpid());
  FILE* file = std::fopen(temporary.c_str(), "wb");
  if (file == nullptr) {
    return FileError(errno, "create", temporary);
  }
  const bool written = std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size() &&
                       std::fflush(file) == 0 && ::fsync(::fileno(file)) == 0;
  const int write_errno = errno;
  const bool closed = std::fclose(file) == 0;
  if (!written || !closed) {
    std::error_code ignored;
    fs::remove(temporary, ignored);
    return FileError(written ? errno : write_errno, "write", temporary);
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const int rename_errno = errno;
    std::error_code ignored;
    fs::remove(temporary, ignored);
    return FileError(rename_errno, "rename into", path);
  }
  return absl::OkStatus();
}

// Every parameter and buffer of `net` by state-dict name.
std::vector<std::pair<std::string, torch::Tensor>> StateOf(const SkinNetImpl& net) {
  std::vector<std::pair<std::string, torch::Tensor>> state;
  for (const auto& item : net.named_parameters(/*recurse=*/true)) {
    state.emplace_back(item.key(), item.value());
  }
  for (const auto& item : net.named_buffers(/*recurse=*/true)) {
    state.emplace_back(item.key(), item.value());
  }
  return state;
}

absl::StatusOr<std::vector<char>> SerializeWeights(const SkinNetImpl& net, WeightsDtype dtype) {
  try {
    torch::NoGradGuard no_grad;
    c10::Dict<std::string, torch::Tensor> dict;
    for (auto& [name, tensor] : StateOf(net)) {
      // Contiguous CPU tensors: a no-op (no copy) for a trained network in float32.
      torch::Tensor stored = tensor.detach().to(torch::kCPU).contiguous();
      if (stored.is_floating_point()) {
        if (dtype == WeightsDtype::kFloat16) {
          stored = stored.to(torch::kHalf);
        }
        if (!torch::isfinite(stored).all().item<bool>()) {
          return absl::InvalidArgumentError(absl::StrCat(
              "parameter '", name, "' holds NaN or infinity",
              dtype == WeightsDtype::kFloat16 ? " in float16 (values beyond +-65504 overflow)"
                                              : ""));
        }
      }
      dict.insert(name, stored);
    }
    return torch::pickle_save(dict);
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("cannot serialise the weights: ", e.what()));
  }
}

// The tensors of a weights file, by name.
absl::StatusOr<std::map<std::string, torch::Tensor>> DeserializeWeights(
    const std::vector<char>& bytes, const fs::path& path) {
  torch::IValue value;
  try {
    value = torch::pickle_load(bytes);
  } catch (const std::exception& e) {
    return absl::DataLossError(
        absl::StrCat("cannot read '", path.string(), "' as LibTorch weights: ", e.what()));
  }
  const auto not_tensors = [&path] {
    return absl::DataLossError(
        absl::StrCat("'", path.string(), "' does not hold a dictionary of named tensors"));
  };
  if (!value.isGenericDict()) {
    return not_tensors();
  }
  std::map<std::string, torch::Tensor> tensors;
  for (const auto& entry : value.toGenericDict()) {
    if (!entry.key().isString() || !entry.value().isTensor()) {
      return not_tensors();
    }
    tensors.emplace(entry.key().toStringRef(), entry.value().toTensor());
  }
  return tensors;
}

// Copies `stored` into `net`, or explains why the two do not fit.
absl::Status LoadState(const std::map<std::string, torch::Tensor>& stored,
                       const ModelMetadata& metadata, const fs::path& path, SkinNetImpl& net) {
  const torch::Dtype float_dtype =
      metadata.weights.dtype == WeightsDtype::kFloat16 ? torch::kHalf : torch::kFloat;
  std::vector<std::string> mismatches;
  std::vector<std::pair<torch::Tensor, torch::Tensor>> copies;  // destination, source
  std::set<std::string> used;
  for (auto& [name, destination] : StateOf(net)) {
    const auto it = stored.find(name);
    if (it == stored.end()) {
      mismatches.push_back(absl::StrCat("parameter '", name, "' is missing"));
      continue;
    }
    used.insert(name);
    const torch::Tensor& source = it->second;
    if (source.sizes() != destination.sizes()) {
      mismatches.push_back(absl::StrCat("parameter '", name, "' has shape ", ShapeString(source),
                                        " but the architecture needs ", ShapeString(destination)));
      continue;
    }
    const torch::Dtype expected =
        destination.is_floating_point() ? float_dtype : destination.scalar_type();
    if (source.scalar_type() != expected) {
      mismatches.push_back(absl::StrCat("parameter '", name, "' is stored as ",
                                        std::string(c10::toString(source.scalar_type())),
                                        " but should be ", std::string(c10::toString(expected))));
      continue;
    }
    copies.emplace_back(destination, source);
  }
  for (const auto& [name, unused] : stored) {
    if (used.count(name) == 0) {
      mismatches.push_back(absl::StrCat("parameter '", name, "' is not part of the architecture"));
    }
  }
  if (!mismatches.empty()) {
    std::string listed =
        absl::StrJoin(mismatches.begin(),
                      mismatches.begin() + std::min(mismatches.size(), kMaxListedMismatches), "; ");
    if (mismatches.size() > kMaxListedMismatches) {
      absl::StrAppend(&listed, "; and ", mismatches.size() - kMaxListedMismatches, " more");
    }
    return absl::InvalidArgumentError(absl::StrCat("'", path.string(),
                                                   "' does not match the architecture ",
                                                   Describe(metadata.architecture), ": ", listed));
  }
  torch::NoGradGuard no_grad;
  for (auto& [destination, source] : copies) {
    destination.copy_(source);
  }
  for (const auto& [name, tensor] : StateOf(net)) {
    if (tensor.is_floating_point() && !torch::isfinite(tensor).all().item<bool>()) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", path.string(), "': parameter '", name, "' holds NaN or infinity"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<ModelMetadata> ReadMetadataIn(const fs::path& dir) {
  std::error_code error;
  if (!fs::is_directory(dir, error)) {
    return absl::NotFoundError(
        absl::StrCat("model bundle '", dir.string(), "' is not a directory or does not exist"));
  }
  const fs::path path = dir / kMetadataFileName;
  SKINLENS_ASSIGN_OR_RETURN(std::vector<char> text, ReadFile(path));
  return MetadataFromJson(absl::string_view(text.data(), text.size()), path.string());
}

}  // namespace

std::string Sha256Hex(absl::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xf]);
  }
  return hex;
}

absl::StatusOr<SkinNet> CreateSkinNet(const SkinNetConfig& config) {
  if (const std::string reason = ValidateSkinNetConfig(config); !reason.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("invalid SkinNet configuration: ", reason));
  }
  try {
    return SkinNet(config);
  } catch (const std::exception& e) {
    return absl::InternalError(
        absl::StrCat("cannot build SkinNet ", Describe(config), ": ", e.what()));
  }
}

absl::StatusOr<ModelMetadata> SaveBundle(const SkinNetImpl& net, ModelMetadata metadata,
                                         absl::string_view dir, const SaveBundleOptions& options) {
  const fs::path folder(std::string{dir});
  if (net.batch_norm_folded()) {
    return absl::FailedPreconditionError(
        "cannot save a network whose batch norms are folded (an inference-only network): "
        "save the bundle before FoldBatchNorm()");
  }
  metadata.format_version = kBundleFormatVersion;
  metadata.architecture = net.config();
  if (metadata.created_time.empty()) {
    metadata.created_time =
        absl::FormatTime("%Y-%m-%d%ET%H:%M:%SZ", absl::Now(), absl::UTCTimeZone());
  }
  metadata.weights = WeightsInfo{};
  metadata.weights.dtype = options.weights_dtype;
  if (absl::Status valid = ValidateMetadata(metadata); !valid.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot save model bundle '", folder.string(), "': ", valid.message()));
  }

  SKINLENS_ASSIGN_OR_RETURN(std::vector<char> weights,
                            SerializeWeights(net, options.weights_dtype));
  const absl::string_view weight_bytes(weights.data(), weights.size());
  metadata.weights.sha256 = Sha256Hex(weight_bytes);
  metadata.weights.size_bytes = static_cast<int64_t>(weights.size());

  std::error_code error;
  fs::create_directories(folder, error);
  if (error) {
    return FileSystemError(error, "create", folder);
  }
  const fs::path metadata_path = folder / kMetadataFileName;
  if (!options.overwrite && fs::exists(metadata_path, error)) {
    return absl::AlreadyExistsError(absl::StrCat("model bundle '", folder.string(),
                                                 "' already exists; set overwrite to replace it"));
  }
  // Weights first: metadata.json appears (or changes) only once its weights are in place.
  SKINLENS_RETURN_IF_ERROR(WriteFileAtomically(folder / metadata.weights.file, weight_bytes));
  SKINLENS_RETURN_IF_ERROR(WriteFileAtomically(metadata_path, MetadataToJson(metadata)));
  return metadata;
}

absl::StatusOr<ModelMetadata> ReadBundleMetadata(absl::string_view dir) {
  return ReadMetadataIn(fs::path(std::string{dir}));
}

absl::StatusOr<ModelBundle> LoadBundle(absl::string_view dir) {
  const fs::path folder(std::string{dir});
  ModelBundle bundle;
  SKINLENS_ASSIGN_OR_RETURN(bundle.metadata, ReadMetadataIn(folder));
  const WeightsInfo& info = bundle.metadata.weights;
  const fs::path path = folder / info.file;
  SKINLENS_ASSIGN_OR_RETURN(std::vector<char> bytes, ReadFile(path));
  if (static_cast<int64_t>(bytes.size()) != info.size_bytes) {
    return absl::DataLossError(absl::StrCat("'", path.string(), "' has ", bytes.size(),
                                            " bytes but metadata.json says ", info.size_bytes,
                                            ": the file is truncated or was replaced"));
  }
  if (const std::string digest = Sha256Hex(absl::string_view(bytes.data(), bytes.size()));
      digest != info.sha256) {
    return absl::DataLossError(absl::StrCat("'", path.string(), "' has SHA-256 ", digest,
                                            " but metadata.json says ", info.sha256,
                                            ": the file is corrupt or was replaced"));
  }
  SKINLENS_ASSIGN_OR_RETURN(auto stored, DeserializeWeights(bytes, path));
  bytes = std::vector<char>();  // release the file's copy before building the network
  SKINLENS_ASSIGN_OR_RETURN(bundle.net, CreateSkinNet(bundle.metadata.architecture));
  try {
    SKINLENS_RETURN_IF_ERROR(LoadState(stored, bundle.metadata, path, *bundle.net));
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("cannot load '", path.string(), "': ", e.what()));
  }
  bundle.net->eval();
  return bundle;
}

}  // namespace skinlens::model
