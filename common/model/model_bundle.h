// Saving and loading SkinLens model bundles: a folder holding metadata.json (model_metadata.h)
// and the weights (weights.pt, a LibTorch pickle of the state dict, as torch.save writes it).
// The format is described in docs/MODEL_BUNDLE.md.
//
// LoadBundle validates everything before a service uses the model: the metadata's fields, the
// weights file's size and SHA-256, and that the weights are exactly the parameters the
// architecture needs (names, shapes, dtypes). A bundle that does not fit is refused with a
// message naming the file and the parameter.
//
//   ModelMetadata metadata = DefaultMetadata(net->config());
//   metadata.model_version = "skin-b0-2024.06";
//   SaveBundleOptions options;
//   options.weights_dtype = WeightsDtype::kFloat16;
//   absl::StatusOr<ModelMetadata> written = SaveBundle(*net, metadata, "models/demo", options);
//   ...
//   absl::StatusOr<ModelBundle> bundle = LoadBundle("models/demo");
//   if (!bundle.ok()) return bundle.status();  // e.g. INVALID_ARGUMENT naming a parameter
//   bundle->net->FoldBatchNorm();              // for serving
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/model/model_metadata.h"
#include "common/model/skin_net.h"

namespace skinlens::model {

// Options of SaveBundle.
struct SaveBundleOptions {
  // float16 halves the file; LoadBundle converts back to float32.
  WeightsDtype weights_dtype = WeightsDtype::kFloat32;
  // Replace a bundle already in the folder (otherwise ALREADY_EXISTS).
  bool overwrite = false;
};

// Writes `net`'s weights and `metadata` into the folder `dir` (created when missing). The
// architecture and weights fields of the metadata are taken from `net` and the written file;
// format_version is set to kBundleFormatVersion and created_time to now when empty. Returns
// the metadata as written. Each file is written to a temporary name and renamed, weights
// before metadata. Errors: FAILED_PRECONDITION when `net`'s batch norms are folded;
// INVALID_ARGUMENT for incomplete metadata or weights that are not finite (in float16 too);
// ALREADY_EXISTS; file system errors by errno. Not thread-safe with respect to `net`.
absl::StatusOr<ModelMetadata> SaveBundle(const SkinNetImpl& net, ModelMetadata metadata,
                                         absl::string_view dir,
                                         const SaveBundleOptions& options = {});

// A loaded bundle: its metadata and the network, in float32, on the CPU, in eval mode, batch
// norms not yet folded.
struct ModelBundle {
  ModelMetadata metadata;
  SkinNet net{nullptr};
};

// Reads and validates the bundle in `dir`. Errors name the file: NOT_FOUND when the folder or
// a file is missing; DATA_LOSS when a file is corrupt (metadata not JSON, weights of the wrong
// size or digest, or not a LibTorch pickle of tensors); INVALID_ARGUMENT when the metadata is
// invalid or does not match the weights (a missing, unexpected or differently shaped
// parameter, which the message names, or a dtype other than the metadata's). Thread-safe.
absl::StatusOr<ModelBundle> LoadBundle(absl::string_view dir);

// Reads and validates only `dir`'s metadata.json (errors as LoadBundle). Thread-safe.
absl::StatusOr<ModelMetadata> ReadBundleMetadata(absl::string_view dir);

// Builds a SkinNet, turning an invalid configuration into INVALID_ARGUMENT. Thread-safe.
absl::StatusOr<SkinNet> CreateSkinNet(const SkinNetConfig& config);

// The lower-case hex SHA-256 of `bytes` (as weights.sha256 records it).
std::string Sha256Hex(absl::string_view bytes);

}  // namespace skinlens::model
