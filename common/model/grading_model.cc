#include "common/model/grading_model.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace skinlens::model {
namespace {

std::string ShapeString(c10::IntArrayRef sizes) {
  return absl::StrCat("[", absl::StrJoin(sizes, ", "), "]");
}

}  // namespace

absl::string_view GradingModelKindName(GradingModelKind kind) {
  return kind == GradingModelKind::kTorchScript ? "TorchScript" : "native bundle";
}

absl::Status CheckImages(const torch::Tensor& images) {
  if (!images.defined()) {
    return absl::InvalidArgumentError("images: the tensor is undefined");
  }
  if (images.dim() != 4 || images.size(1) != 3 || images.size(0) < 1 || images.size(2) < 1 ||
      images.size(3) < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("images must be [N, 3, H, W] with N >= 1; got ", ShapeString(images.sizes())));
  }
  if (!images.is_floating_point()) {
    return absl::InvalidArgumentError(
        absl::StrCat("images must be floating point; got ", c10::toString(images.scalar_type())));
  }
  return absl::OkStatus();
}

absl::Status CheckFeatures(const torch::Tensor& features) {
  if (!features.defined()) {
    return absl::InvalidArgumentError("features: the tensor is undefined");
  }
  if (features.dim() != 4 || !features.is_floating_point()) {
    return absl::InvalidArgumentError(
        absl::StrCat("features must be a floating-point [N, C, h, w] feature map; got ",
                     ShapeString(features.sizes()), " ", c10::toString(features.scalar_type())));
  }
  return absl::OkStatus();
}

}  // namespace skinlens::model
