// Reads an image file into the 8-bit, 3-channel BGR matrix every other part of
// training (augmentations, tensor conversion) expects.
//
//   absl::StatusOr<cv::Mat> image = LoadImageBgr8(sample.image_path);
//   if (!image.ok()) return image.status();  // "cannot decode image 'x.png': ..."
#pragma once

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "opencv2/core/mat.hpp"

namespace skinlens::training {

// Decodes `path` (any format the OpenCV build reads: JPEG, PNG, WebP, ...) to
// CV_8UC3 BGR: grey images are replicated to three channels, the alpha channel
// is dropped (not blended), 16-bit images are scaled to 8 bits (v / 257), and
// the EXIF orientation of a JPEG is applied. NOT_FOUND when the file does not
// exist; INVALID_ARGUMENT when it does not decode or its pixel depth is not
// 8- or 16-bit. Thread-safe.
absl::StatusOr<cv::Mat> LoadImageBgr8(absl::string_view path);

// The same conversion for a matrix already in memory: CV_8U or CV_16U with 1,
// 3 or 4 channels (3 and 4 in BGR(A) order) to CV_8UC3 BGR. INVALID_ARGUMENT
// for an empty matrix or another depth or channel count.
absl::StatusOr<cv::Mat> ToBgr8(const cv::Mat& image);

}  // namespace skinlens::training
