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

// A decoded, upright photo, whole or at reduced size (DecodeOverview).
struct DecodedImage {
  cv::Mat bgr;  // CV_8UC3, EXIF orientation applied; the photo scaled by 1/reduction.
  ImageFormat format;
  int exif_orientation = 0;  // As in ImageHeader.
  // 1, or 2, 4 or 8 for a JPEG decoded at reduced size: pixel (x, y) of `bgr`
  // covers pixels [x * reduction, (x + 1) * reduction) of the photo.
  int reduction = 1;
  cv::Size size;  // The upright photo's full size.
  ImageHeader header;
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

  // As Decode, but a JPEG (YCbCr, RGB or grey) whose longer side is at least
  // twice `min_side` is decoded at the smallest of 1/2, 1/4, 1/8 size whose
  // longer side is still `min_side` or more: libjpeg's DCT scaling makes that
  // 8-10x faster than a whole 12 MP decode. Other photos are decoded whole.
  absl::StatusOr<DecodedImage> DecodeOverview(absl::string_view bytes, QualityIssue* failure,
                                              int min_side) const;

  // The pixels of `window` (upright full-size coordinates, inside the photo)
  // of `image`, which DecodeOverview or Decode returned for `bytes`: a view
  // of image.bgr when it is whole, else that rectangle decoded at full size
  // (jpeg_window.h). INVALID_ARGUMENT when the window is outside the photo.
  absl::StatusOr<cv::Mat> DecodeWindow(absl::string_view bytes, const DecodedImage& image,
                                       cv::Rect window) const;

  const DecodeLimits& limits() const { return limits_; }

 private:
  // Checks the limits and reads the header; `why` receives the blocking issue.
  absl::StatusOr<ImageHeader> Admit(absl::string_view bytes, QualityIssue& why) const;
  // Decodes admitted `bytes` with cv::imdecode `flags`.
  absl::StatusOr<DecodedImage> DecodeWith(absl::string_view bytes, const ImageHeader& header,
                                          int flags, int reduction, QualityIssue& why) const;

  DecodeLimits limits_;
};

}  // namespace skinlens::preprocess
