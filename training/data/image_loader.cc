#include "training/data/image_loader.h"

#include <filesystem>
#include <string>
#include <system_error>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "opencv2/core.hpp"
#include "opencv2/imgcodecs.hpp"
#include "opencv2/imgproc.hpp"

namespace skinlens::training {

absl::StatusOr<cv::Mat> ToBgr8(const cv::Mat& image) {
  if (image.empty()) return absl::InvalidArgumentError("image is empty");
  cv::Mat eight_bit;
  switch (image.depth()) {
    case CV_8U:
      eight_bit = image;
      break;
    case CV_16U:
      // 65535 / 257 == 255: full range to full range.
      image.convertTo(eight_bit, CV_8U, 1.0 / 257.0);
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("unsupported pixel depth ", image.depth(), " (only 8- and 16-bit images)"));
  }
  cv::Mat bgr;
  switch (eight_bit.channels()) {
    case 1:
      cv::cvtColor(eight_bit, bgr, cv::COLOR_GRAY2BGR);
      break;
    case 3:
      bgr = eight_bit;
      break;
    case 4:
      cv::cvtColor(eight_bit, bgr, cv::COLOR_BGRA2BGR);
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("unsupported channel count ", eight_bit.channels(), " (1, 3 or 4)"));
  }
  return bgr;
}

absl::StatusOr<cv::Mat> LoadImageBgr8(absl::string_view path) {
  const std::string file(path);
  std::error_code error;
  if (!std::filesystem::is_regular_file(file, error)) {
    return absl::NotFoundError(absl::StrCat("cannot read image '", file, "': no such file"));
  }
  cv::Mat decoded;
  try {
    // IMREAD_COLOR gives three channels (grey replicated, alpha dropped) and
    // applies the EXIF orientation; IMREAD_ANYDEPTH keeps 16-bit PNGs 16-bit so
    // they are scaled, not truncated.
    decoded = cv::imread(file, cv::IMREAD_COLOR | cv::IMREAD_ANYDEPTH);
  } catch (const cv::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("cannot decode image '", file, "': ", e.what()));
  }
  if (decoded.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot decode image '", file, "': not an image OpenCV can read, or a corrupt one"));
  }
  absl::StatusOr<cv::Mat> bgr = ToBgr8(decoded);
  if (!bgr.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot decode image '", file, "': ", bgr.status().message()));
  }
  return bgr;
}

}  // namespace skinlens::training
