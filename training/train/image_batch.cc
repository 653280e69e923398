#include "training/train/image_batch.h"

#include <torch/torch.h>

#include "absl/strings/str_cat.h"

namespace skinlens::training {

absl::StatusOr<torch::Tensor> ImagesToTensor(absl::Span<const cv::Mat> images,
                                             const Normalization& normalization) {
  if (images.empty()) {
    return absl::InvalidArgumentError("no images to stack");
  }
  const int rows = images[0].rows;
  const int cols = images[0].cols;
  for (size_t i = 0; i < images.size(); ++i) {
    const cv::Mat& image = images[i];
    if (image.type() != CV_8UC3 || image.rows != rows || image.cols != cols) {
      return absl::InvalidArgumentError(
          absl::StrCat("image ", i, " is ", image.cols, "x", image.rows, " with OpenCV type ",
                       image.type(), "; expected ", cols, "x", rows, " 8-bit BGR like image 0"));
    }
  }
  const int64_t n = static_cast<int64_t>(images.size());
  // One uint8 NHWC buffer, then a single conversion: cheaper than per-image
  // float conversions and exactly the layout OpenCV already has.
  torch::Tensor nhwc = torch::empty({n, rows, cols, 3}, torch::kUInt8);
  const size_t row_bytes = static_cast<size_t>(cols) * 3;
  for (int64_t i = 0; i < n; ++i) {
    const cv::Mat& image = images[i];
    uint8_t* dst = nhwc[i].data_ptr<uint8_t>();
    for (int r = 0; r < rows; ++r) {
      std::memcpy(dst + r * row_bytes, image.ptr<uint8_t>(r), row_bytes);
    }
  }
  // BGR -> RGB by reversing the channel axis, then NCHW.
  torch::Tensor rgb = nhwc.flip({3}).permute({0, 3, 1, 2}).to(torch::kFloat32).div_(255.0f);
  torch::Tensor mean =
      torch::tensor({normalization.mean[0], normalization.mean[1], normalization.mean[2]})
          .view({1, 3, 1, 1});
  torch::Tensor stddev =
      torch::tensor({normalization.std[0], normalization.std[1], normalization.std[2]})
          .view({1, 3, 1, 1});
  return rgb.sub_(mean).div_(stddev).contiguous();
}

}  // namespace skinlens::training
