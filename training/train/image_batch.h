// Images to the network's input tensor.
//
// The network reads float RGB [N, 3, H, W] normalised per channel with the
// model's mean and standard deviation (ImageNet's by default, as the seed's
// torchvision pipeline did). OpenCV images are 8-bit BGR.
//
//   SKINLENS_ASSIGN_OR_RETURN(torch::Tensor batch, ImagesToTensor(crops, kImageNetNormalization));
#pragma once

#include <torch/types.h>

#include <array>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "opencv2/core/mat.hpp"

namespace skinlens::training {

// Per-channel normalisation in RGB order: (x / 255 - mean) / std.
struct Normalization {
  std::array<float, 3> mean;
  std::array<float, 3> std;
};

inline constexpr Normalization kImageNetNormalization{{0.485f, 0.456f, 0.406f},
                                                      {0.229f, 0.224f, 0.225f}};

// Stacks `images` (CV_8UC3, BGR, all the same size, at least one) into a
// contiguous float tensor [N, 3, H, W], RGB, normalised. INVALID_ARGUMENT
// names the first image of another type or size.
absl::StatusOr<torch::Tensor> ImagesToTensor(absl::Span<const cv::Mat> images,
                                             const Normalization& normalization);

}  // namespace skinlens::training
