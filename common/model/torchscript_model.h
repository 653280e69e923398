// Loading grading models exported from Python PyTorch as TorchScript, so that a team that
// trains in Python can serve with SkinLens. The contract such a module must meet is in
// docs/MODEL_BUNDLE.md ("TorchScript modules"); training/torchscript/
// export_skinlens_torchscript.py exports a module in it. In short:
//   * input: float [N, 3, H, W], RGB, normalised as the metadata's `input` says;
//   * forward(x) returns a tuple (logits [N, A, G], features [N, C, h, w]);
//   * an exported method head(features) returns the same logits from the feature map alone;
//   * the file carries the metadata as the TorchScript extra file `skinlens_metadata.json`.
// LoadTorchScriptModel checks all of it on a probe input before a service uses the module.
//
//   absl::StatusOr<std::unique_ptr<TorchScriptGradingModel>> model =
//       LoadTorchScriptModel("models/skin-python.pt");
//   if (!model.ok()) return model.status();  // e.g. INVALID_ARGUMENT "... has no method 'head'"
//   absl::StatusOr<GradingOutput> out = (*model)->Forward(images, /*return_features=*/true);
#pragma once

#include <torch/csrc/jit/api/module.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/model/grading_model.h"
#include "common/model/model_metadata.h"

namespace skinlens::model {

// The name of the metadata extra file inside a TorchScript module ("extra/<name>" in the zip).
inline constexpr char kTorchScriptMetadataFile[] = "skinlens_metadata.json";
// The "format" field of that metadata, telling it from a bundle's metadata.json.
inline constexpr char kTorchScriptFormatName[] = "skinlens.torchscript";
// The TorchScript metadata format this code reads (and the newest).
inline constexpr int kTorchScriptFormatVersion = 1;
// How far head(features) may be from forward's logits (largest absolute difference).
inline constexpr double kHeadTolerance = 1e-4;

// Parses and validates the TorchScript metadata (docs/MODEL_BUNDLE.md): the bundle's
// metadata.json fields except that `architecture` is a free-text name, `target_layer` any
// non-empty name, `validation_metrics` optional and `weights` absent. Mapped onto
// ModelMetadata: architecture.num_attributes / num_grades are the numbers of attribute and
// grade names and architecture.backbone.name is the `architecture` name (the other backbone
// fields keep their defaults and do not describe the module); weights is left default.
// `source` names the file in messages. Errors: DATA_LOSS when the text is not JSON;
// INVALID_ARGUMENT naming the field otherwise. Thread-safe.
absl::StatusOr<ModelMetadata> TorchScriptMetadataFromJson(absl::string_view json,
                                                          absl::string_view source);

// A TorchScript module that meets the SkinLens contract, in eval mode on the CPU.
// Forward and Head may be called from several threads at once: a torch::jit::Module runs
// concurrently in eval mode (no state is updated; each call has its own interpreter stack).
class TorchScriptGradingModel final : public GradingModel {
 public:
  absl::StatusOr<GradingOutput> Forward(const torch::Tensor& images,
                                        bool return_features) const override;
  absl::StatusOr<torch::Tensor> Head(const torch::Tensor& features) const override;
  // weights.file is the module's file name, weights.sha256 / size_bytes its digest and size.
  const ModelMetadata& metadata() const override { return metadata_; }
  GradingModelKind kind() const override { return GradingModelKind::kTorchScript; }

  // The feature map's shape [1, C, h, w] for one input of the metadata's size.
  const std::vector<int64_t>& probe_feature_shape() const { return probe_feature_shape_; }

 private:
  friend absl::StatusOr<std::unique_ptr<TorchScriptGradingModel>> LoadTorchScriptModel(
      absl::string_view path);
  TorchScriptGradingModel(torch::jit::Module module, ModelMetadata metadata)
      : module_(std::move(module)), metadata_(std::move(metadata)) {}

  // Runs forward on `images` and checks that it returned a 2-tuple of tensors.
  absl::StatusOr<GradingOutput> RunForward(const torch::Tensor& images) const;

  torch::jit::Module module_;  // eval mode; never changed after loading
  ModelMetadata metadata_;
  std::vector<int64_t> probe_feature_shape_;
};

// Loads the TorchScript file at `path` onto the CPU, reads and validates its metadata, switches
// it to eval mode and checks the contract on a probe input of the metadata's size: forward
// returns a 2-tuple of tensors, logits [1, A, G] with A and G the numbers of attribute and grade
// names, finite, features 4-D with batch 1, a `head` method whose output on the features equals
// the logits within kHeadTolerance. Errors name the file: NOT_FOUND when it does not exist;
// DATA_LOSS when it is not a readable TorchScript archive (garbage, truncated) or its metadata
// is not JSON; INVALID_ARGUMENT when the metadata is missing or invalid or the module breaks the
// contract (the message says how: "has no method 'head'", "forward returned logits of shape
// [1, 25] but the metadata needs [1, 5, 5]", ...). Thread-safe.
absl::StatusOr<std::unique_ptr<TorchScriptGradingModel>> LoadTorchScriptModel(
    absl::string_view path);

}  // namespace skinlens::model
