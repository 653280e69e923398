// Loading either kind of SkinLens grading model behind the GradingModel interface
// (grading_model.h): a native model bundle folder (model_bundle.h) or a TorchScript file
// (torchscript_model.h). The services take a model path and call LoadGradingModel.
//
//   absl::StatusOr<std::unique_ptr<GradingModel>> model = LoadGradingModel(flag_model_path);
//   if (!model.ok()) { /* fatal at start, with the message */ }
//   LOG(INFO) << GradingModelKindName((*model)->kind()) << " " <<
//   (*model)->metadata().model_version;
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/model/grading_model.h"
#include "common/model/model_bundle.h"

namespace skinlens::model {

// A native bundle's SkinNet behind the GradingModel interface. Forward and Head may be called
// from several threads at once (SkinNet in eval mode updates no state).
class NativeGradingModel final : public GradingModel {
 public:
  // Takes a bundle as LoadBundle returns it, optionally with its batch norms already folded or
  // its weights converted to channels-last. Switches the network to eval mode.
  // Precondition: bundle.net is not null.
  explicit NativeGradingModel(ModelBundle bundle);

  absl::StatusOr<GradingOutput> Forward(const torch::Tensor& images,
                                        bool return_features) const override;
  absl::StatusOr<torch::Tensor> Head(const torch::Tensor& features) const override;
  const ModelMetadata& metadata() const override { return bundle_.metadata; }
  GradingModelKind kind() const override { return GradingModelKind::kNativeBundle; }

  // The network, for callers that tune it further (e.g. ConvertToChannelsLast) before serving.
  // Not thread-safe with Forward / Head while being changed.
  SkinNet net() const { return bundle_.net; }

 private:
  ModelBundle bundle_;
};

// Loads the grading model at `path`: a folder is read as a native bundle (LoadBundle) and its
// batch norms folded for inference; a file as a TorchScript module (LoadTorchScriptModel).
// Errors as those functions (NOT_FOUND when nothing is at `path`). Thread-safe.
absl::StatusOr<std::unique_ptr<GradingModel>> LoadGradingModel(absl::string_view path);

}  // namespace skinlens::model
