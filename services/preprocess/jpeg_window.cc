#include "jpeg_window.h"

#include <csetjmp>
#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"
#include "opencv2/core.hpp"

// jpeglib.h needs size_t and FILE declared first.
#include <jpeglib.h>

namespace skinlens::preprocess {
namespace {

// libjpeg reports errors through error_exit, which must not return: it jumps
// back to the setjmp in the decoding function. Warnings (recoverable corrupt
// data) are silenced; the whole-photo path has already accepted the file.
struct ErrorManager {
  jpeg_error_mgr base;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void OnError(j_common_ptr info) {
  auto* errors = reinterpret_cast<ErrorManager*>(info->err);
  (*info->err->format_message)(info, errors->message);
  std::longjmp(errors->jump, 1);
}

void OnMessage(j_common_ptr /*info*/, int /*level*/) {}

// The stored pixel that EXIF orientation `o` shows at upright (x, y), for a
// stored image of `width` x `height`; the inverse of cv::imdecode's
// ApplyExifOrientation (flips for 2-4, a transpose first for 5-8).
cv::Point StoredPixel(int o, int width, int height, int x, int y) {
  switch (o) {
    case 2:
      return {width - 1 - x, y};
    case 3:
      return {width - 1 - x, height - 1 - y};
    case 4:
      return {x, height - 1 - y};
    case 5:
      return {y, x};
    case 6:
      return {y, height - 1 - x};
    case 7:
      return {width - 1 - y, height - 1 - x};
    case 8:
      return {width - 1 - y, x};
    default:
      return {x, y};
  }
}

// Turns stored pixels upright as cv::imdecode does.
cv::Mat Upright(cv::Mat stored, int o) {
  cv::Mat out;
  switch (o) {
    case 2:
      cv::flip(stored, out, 1);
      return out;
    case 3:
      cv::flip(stored, out, -1);
      return out;
    case 4:
      cv::flip(stored, out, 0);
      return out;
    case 5:
      cv::transpose(stored, out);
      return out;
    case 6:
      cv::transpose(stored, out);
      cv::flip(out, out, 1);
      return out;
    case 7:
      cv::transpose(stored, out);
      cv::flip(out, out, -1);
      return out;
    case 8:
      cv::transpose(stored, out);
      cv::flip(out, out, 0);
      return out;
    default:
      return stored;
  }
}

// Decodes rows [top, top + rows) and at least columns [left, left + cols) of
// the stored image into `out` (allocated here, before any jump). On success
// `out` starts at column `*first_column`. Returns false with `message` set
// on a libjpeg error. Holds no object with a destructor across the setjmp.
bool DecodeStoredRect(absl::string_view jpeg, int left, int cols, int top, int rows, cv::Mat* out,
                      int* first_column, char* message) {
  jpeg_decompress_struct info;
  ErrorManager errors;
  info.err = jpeg_std_error(&errors.base);
  errors.base.error_exit = OnError;
  errors.base.emit_message = OnMessage;
  errors.message[0] = '\0';
  if (setjmp(errors.jump) != 0) {
    jpeg_destroy_decompress(&info);
    std::snprintf(message, JMSG_LENGTH_MAX, "%s", errors.message);
    return false;
  }
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, reinterpret_cast<const unsigned char*>(jpeg.data()),
               static_cast<unsigned long>(jpeg.size()));
  jpeg_read_header(&info, TRUE);
  info.out_color_space = JCS_EXT_BGR;
  jpeg_start_decompress(&info);
  JDIMENSION x = static_cast<JDIMENSION>(left), width = static_cast<JDIMENSION>(cols);
  jpeg_crop_scanline(&info, &x, &width);  // Widens to whole blocks.
  *first_column = static_cast<int>(x);
  if (static_cast<int>(info.output_width) > out->cols) {
    std::snprintf(message, JMSG_LENGTH_MAX, "libjpeg widened the window beyond its buffer");
    jpeg_destroy_decompress(&info);
    return false;
  }
  if (top > 0) jpeg_skip_scanlines(&info, static_cast<JDIMENSION>(top));
  // `out` was sized by the caller for the widest possible crop.
  for (int row = 0; row < rows; ++row) {
    JSAMPROW line = out->ptr<JSAMPLE>(row);
    if (jpeg_read_scanlines(&info, &line, 1) != 1) {
      std::snprintf(message, JMSG_LENGTH_MAX, "the JPEG ended early");
      jpeg_destroy_decompress(&info);
      return false;
    }
  }
  // Rows below the window are never decoded.
  jpeg_abort_decompress(&info);
  jpeg_destroy_decompress(&info);
  return true;
}

}  // namespace

cv::Size UprightSize(const ImageHeader& header) {
  const int w = static_cast<int>(header.width), h = static_cast<int>(header.height);
  return header.exif_orientation >= 5 ? cv::Size(h, w) : cv::Size(w, h);
}

bool JpegDecodesToBgr(absl::string_view jpeg) {
  jpeg_decompress_struct info;
  ErrorManager errors;
  info.err = jpeg_std_error(&errors.base);
  errors.base.error_exit = OnError;
  errors.base.emit_message = OnMessage;
  if (setjmp(errors.jump) != 0) {
    jpeg_destroy_decompress(&info);
    return false;
  }
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, reinterpret_cast<const unsigned char*>(jpeg.data()),
               static_cast<unsigned long>(jpeg.size()));
  jpeg_read_header(&info, TRUE);
  const J_COLOR_SPACE space = info.jpeg_color_space;
  jpeg_destroy_decompress(&info);
  return space == JCS_YCbCr || space == JCS_RGB || space == JCS_GRAYSCALE;
}

absl::StatusOr<cv::Mat> DecodeJpegWindow(absl::string_view jpeg, const ImageHeader& header,
                                         cv::Rect window) {
  const cv::Size upright = UprightSize(header);
  if (window.empty() || (window & cv::Rect(cv::Point(0, 0), upright)) != window) {
    return absl::InvalidArgumentError(absl::StrCat("window ", window.width, "x", window.height,
                                                   " at ", window.x, ",", window.y,
                                                   " is empty or outside the photo"));
  }
  const int o = header.exif_orientation;
  const int w = static_cast<int>(header.width), h = static_cast<int>(header.height);
  const cv::Point a = StoredPixel(o, w, h, window.x, window.y);
  const cv::Point b =
      StoredPixel(o, w, h, window.x + window.width - 1, window.y + window.height - 1);
  const cv::Rect stored(cv::Point(std::min(a.x, b.x), std::min(a.y, b.y)),
                        cv::Point(std::max(a.x, b.x) + 1, std::max(a.y, b.y) + 1));
  // jpeg_crop_scanline widens the columns to whole iMCUs (at most 32 pixels
  // on each side); the buffer holds the widest result.
  cv::Mat buffer(stored.height, std::min(w, stored.width + 64), CV_8UC3);
  int first_column = 0;
  char message[JMSG_LENGTH_MAX];
  if (!DecodeStoredRect(jpeg, stored.x, stored.width, stored.y, stored.height, &buffer,
                        &first_column, message)) {
    return absl::InvalidArgumentError(absl::StrCat("cannot decode photo: ", message));
  }
  const int offset = stored.x - first_column;
  if (offset < 0 || offset + stored.width > buffer.cols) {
    return absl::InternalError("libjpeg widened the window more than a block");
  }
  return Upright(buffer(cv::Rect(offset, 0, stored.width, stored.height)).clone(), o);
}

}  // namespace skinlens::preprocess
