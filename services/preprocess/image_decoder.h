// Safe decoding of uploaded photos: limits first, then OpenCV.
//
// The byte size is checked, then the pixel dimensions are read from the
// JPEG / PNG / WebP header by a small bounds-checked parser, so a
// decompression bomb (a tiny file declaring 100000 x 100000 pixels) is
// refused before OpenCV allocates anything. The photo is then decoded with
// cv::IMREAD_COLOR, which applies the JPEG EXIF orientation and normalises
// grey, alpha and 16-bit images to 8-bit BGR.
//
//   ImageDecoder decoder(DecodeLimits{});
//   QualityIssue why;
//   absl::StatusOr<DecodedImage> image = decoder.Decode(bytes, &why);
//   if (!image.ok()) return image.status();  // INVALID_ARGUMENT, `why` says which
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "opencv2/core/mat.hpp"
#include "quality_report.h"

namespace skinlens::preprocess {

// The compressed formats accepted.
enum class ImageFormat { kJpeg = 1, kPng = 2, kWebp = 3 };

// What the header of a photo declares.
struct ImageHeader {
  ImageFormat format;
  int64_t width = 0;
  int64_t height = 0;
  // EXIF orientation tag (1..8) of a JPEG; 0 when there is none.
  int exif_orientation = 0;
  // Offset just past the frame header (JPEG); a complete JPEG has its end of
  // image marker after it.
  int64_t frame_header_end = 0;
};

// Reads the format, the pixel dimensions and (JPEG) the EXIF orientation from
// the first bytes of a photo without decoding it. Every read is bounds
// checked. INVALID_ARGUMENT when the magic is unknown or the header is
// truncated or malformed. Thread-safe (a pure function).
absl::StatusOr<ImageHeader> ReadImageHeader(absl::string_view bytes);

// Limits an upload must respect.
struct DecodeLimits {
  int64_t max_bytes = 15 * 1000 * 1000;
  int64_t max_pixels = 40 * 1000 * 1000;
};

// A decoded, upright photo.
struct DecodedImage {
  cv::Mat bgr;  // CV_8UC3, EXIF orientation applied.
  ImageFormat format;
  int exif_orientation = 0;  // As in ImageHeader.
};

// Decodes photos within limits. Thread-safe; holds no state besides limits.
class ImageDecoder {
 public:
  explicit ImageDecoder(DecodeLimits limits) : limits_(limits) {}

  // Decodes `bytes`. Fails with INVALID_ARGUMENT; when `failure` is not null it
  // receives the blocking issue (EMPTY_IMAGE, IMAGE_TOO_LARGE,
  // UNSUPPORTED_FORMAT, IMAGE_TOO_MANY_PIXELS or UNDECODABLE) with its measured
  // value and threshold.
  absl::StatusOr<DecodedImage> Decode(absl::string_view bytes, QualityIssue* failure) const;

  const DecodeLimits& limits() const { return limits_; }

 private:
  DecodeLimits limits_;
};

}  // namespace skinlens::preprocess
