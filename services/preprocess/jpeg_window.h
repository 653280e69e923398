// Decoding part of a large JPEG at full resolution, without the rest.
//
// A 12 MP phone photo takes about 130 ms to decode whole on one core, most of
// it spent on pixels nobody looks at: the face is found on a copy decoded at
// 1/2, 1/4 or 1/8 size (libjpeg's DCT scaling, a few ms), and only the
// rectangle the crops need is then decoded at full size. libjpeg-turbo's
// jpeg_skip_scanlines() and jpeg_crop_scanline() skip the inverse DCT and
// colour conversion outside that rectangle (rows below it are not read).
//
// Coordinates are those of the upright photo, after its EXIF orientation;
// the rectangle is mapped to the stored pixels and the result turned upright
// the way cv::imdecode does, so a window equals the same rectangle of the
// whole decoded photo.
//
//   absl::StatusOr<cv::Mat> face = DecodeJpegWindow(bytes, header, cv::Rect(1300, 700, 1400,
//   1400));
#pragma once

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "image_decoder.h"
#include "opencv2/core/mat.hpp"

namespace skinlens::preprocess {

// The upright size of a photo with `header` (width and height swapped for
// EXIF orientations 5 to 8).
cv::Size UprightSize(const ImageHeader& header);

// Whether libjpeg decodes this JPEG straight to BGR (YCbCr, RGB or grey; not
// CMYK / YCCK, which only the whole-photo path converts). False when the
// header cannot be read.
bool JpegDecodesToBgr(absl::string_view jpeg);

// Decodes `window` (upright coordinates, inside the photo) of the JPEG
// `jpeg` whose header is `header`, at full resolution, as CV_8UC3 BGR.
// INVALID_ARGUMENT when the window is empty or outside the photo, or the data
// cannot be decoded. Thread-safe.
absl::StatusOr<cv::Mat> DecodeJpegWindow(absl::string_view jpeg, const ImageHeader& header,
                                         cv::Rect window);

}  // namespace skinlens::preprocess
