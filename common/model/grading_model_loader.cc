#include "common/model/grading_model_loader.h"

#include <exception>
#include <filesystem>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/model/torchscript_model.h"
#include "common/status/status_macros.h"

namespace skinlens::model {

NativeGradingModel::NativeGradingModel(ModelBundle bundle) : bundle_(std::move(bundle)) {
  bundle_.net->eval();
}

absl::StatusOr<GradingOutput> NativeGradingModel::Forward(const torch::Tensor& images,
                                                          bool return_features) const {
  SKINLENS_RETURN_IF_ERROR(CheckImages(images));
  SkinNet net = bundle_.net;  // a non-const handle to the shared module
  try {
    SkinNetOutput out = net->forward(images, return_features);
    return GradingOutput{std::move(out.logits), std::move(out.features)};
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("SkinNet forward failed on input [",
                                                   images.size(0), ", 3, ", images.size(2), ", ",
                                                   images.size(3), "]: ", e.what()));
  }
}

absl::StatusOr<torch::Tensor> NativeGradingModel::Head(const torch::Tensor& features) const {
  SKINLENS_RETURN_IF_ERROR(CheckFeatures(features));
  SkinNet net = bundle_.net;
  try {
    return net->Head(features);
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("SkinNet head failed: ", e.what()));
  }
}

absl::StatusOr<std::unique_ptr<GradingModel>> LoadGradingModel(absl::string_view path) {
  std::error_code error;
  if (std::filesystem::is_directory(std::string(path), error)) {
    SKINLENS_ASSIGN_OR_RETURN(ModelBundle bundle, LoadBundle(path));
    try {
      bundle.net->FoldBatchNorm();
    } catch (const std::exception& e) {
      return absl::InternalError(
          absl::StrCat("cannot fold the batch norms of '", path, "': ", e.what()));
    }
    return std::make_unique<NativeGradingModel>(std::move(bundle));
  }
  SKINLENS_ASSIGN_OR_RETURN(std::unique_ptr<TorchScriptGradingModel> model,
                            LoadTorchScriptModel(path));
  return model;
}

}  // namespace skinlens::model
