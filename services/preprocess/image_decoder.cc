#include "image_decoder.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "jpeg_window.h"
#include "opencv2/core.hpp"
#include "opencv2/imgcodecs.hpp"

namespace skinlens::preprocess {
namespace {

// A cursor over bytes whose reads fail instead of running past the end.
class Reader {
 public:
  explicit Reader(absl::string_view bytes) : bytes_(bytes) {}

  bool Has(size_t offset, size_t n) const {
    return offset <= bytes_.size() && n <= bytes_.size() - offset;
  }
  std::optional<uint32_t> U8(size_t offset) const {
    if (!Has(offset, 1)) return std::nullopt;
    return static_cast<uint8_t>(bytes_[offset]);
  }
  std::optional<uint32_t> U16(size_t offset, bool big_endian) const {
    if (!Has(offset, 2)) return std::nullopt;
    const uint32_t a = static_cast<uint8_t>(bytes_[offset]);
    const uint32_t b = static_cast<uint8_t>(bytes_[offset + 1]);
    return big_endian ? (a << 8) | b : (b << 8) | a;
  }
  std::optional<uint32_t> U24Le(size_t offset) const {
    if (!Has(offset, 3)) return std::nullopt;
    uint32_t v = 0;
    for (int i = 2; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(bytes_[offset + i]);
    return v;
  }
  std::optional<uint32_t> U32(size_t offset, bool big_endian) const {
    if (!Has(offset, 4)) return std::nullopt;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const size_t at = big_endian ? offset + i : offset + 3 - i;
      v = (v << 8) | static_cast<uint8_t>(bytes_[at]);
    }
    return v;
  }
  bool Matches(size_t offset, absl::string_view magic) const {
    return Has(offset, magic.size()) && bytes_.substr(offset, magic.size()) == magic;
  }
  size_t size() const { return bytes_.size(); }

 private:
  absl::string_view bytes_;
};

absl::Status Malformed(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("malformed image header: ", what));
}

// The orientation tag (0x0112) of IFD0 of the TIFF structure that starts at
// `tiff` (inside an APP1 "Exif\0\0" segment ending at `end`); 0 if absent.
int ExifOrientation(const Reader& r, size_t tiff, size_t end) {
  if (end < tiff + 8) return 0;  // No room for the TIFF header.
  bool big_endian;
  if (r.Matches(tiff, "MM")) {
    big_endian = true;
  } else if (r.Matches(tiff, "II")) {
    big_endian = false;
  } else {
    return 0;
  }
  const auto ifd_offset = r.U32(tiff + 4, big_endian);
  if (!ifd_offset || *ifd_offset > end - tiff) return 0;
  const size_t ifd = tiff + *ifd_offset;
  const auto count = r.U16(ifd, big_endian);
  if (!count) return 0;
  for (uint32_t i = 0; i < *count; ++i) {
    const size_t entry = ifd + 2 + 12 * static_cast<size_t>(i);
    if (entry + 12 > end) return 0;
    const auto tag = r.U16(entry, big_endian);
    if (!tag) return 0;
    if (*tag == 0x0112) {
      const auto value = r.U16(entry + 8, big_endian);
      return value && *value >= 1 && *value <= 8 ? static_cast<int>(*value) : 0;
    }
  }
  return 0;
}

absl::StatusOr<ImageHeader> ReadJpeg(const Reader& r) {
  ImageHeader header{ImageFormat::kJpeg};
  size_t pos = 2;  // After SOI.
  while (true) {
    // Markers may be preceded by fill bytes 0xFF.
    const auto first = r.U8(pos);
    if (!first) return Malformed("JPEG ends before its frame header");
    if (*first != 0xFF) return Malformed("JPEG marker expected");
    size_t at = pos;
    while (r.U8(at) == 0xFFu) ++at;
    const auto marker = r.U8(at);
    if (!marker) return Malformed("JPEG ends inside a marker");
    pos = at + 1;
    if (*marker == 0x01 || (*marker >= 0xD0 && *marker <= 0xD7)) continue;  // No length.
    if (*marker == 0xD9 || *marker == 0xDA) return Malformed("JPEG has no frame header");
    const auto length = r.U16(pos, /*big_endian=*/true);
    if (!length || *length < 2 || !r.Has(pos, *length)) return Malformed("JPEG segment truncated");
    const size_t end = pos + *length;
    if (*marker == 0xE1 && r.Matches(pos + 2, absl::string_view("Exif\0\0", 6))) {
      header.exif_orientation = ExifOrientation(r, pos + 8, end);
    }
    const bool is_sof =
        *marker >= 0xC0 && *marker <= 0xCF && *marker != 0xC4 && *marker != 0xC8 && *marker != 0xCC;
    if (is_sof) {
      if (*length < 8) return Malformed("JPEG frame header too short");
      header.height = *r.U16(pos + 3, true);
      header.width = *r.U16(pos + 5, true);
      if (header.width == 0 || header.height == 0) {
        return Malformed("JPEG frame declares zero width or height");
      }
      header.frame_header_end = static_cast<int64_t>(end);
      return header;
    }
    pos = end;
  }
}

absl::StatusOr<ImageHeader> ReadPng(const Reader& r) {
  // Signature (8), then the IHDR chunk: length (4) "IHDR" width (4) height (4).
  if (!r.Matches(12, "IHDR") || r.U32(8, true) != 13u) return Malformed("PNG has no IHDR chunk");
  const auto width = r.U32(16, true);
  const auto height = r.U32(20, true);
  if (!width || !height) return Malformed("PNG header truncated");
  if (*width == 0 || *height == 0 || *width > 0x7FFFFFFFu || *height > 0x7FFFFFFFu) {
    return Malformed("PNG declares an invalid size");
  }
  return ImageHeader{ImageFormat::kPng, *width, *height};
}

absl::StatusOr<ImageHeader> ReadWebp(const Reader& r) {
  // "RIFF" size "WEBP", then the first chunk: fourcc (4) size (4) payload.
  ImageHeader header{ImageFormat::kWebp};
  constexpr size_t kPayload = 20;
  // Smaller than OpenCV's minimal WebP header (it would print an error).
  if (r.size() < 32) return Malformed("WebP header truncated");
  if (r.Matches(12, "VP8 ")) {
    // Frame tag (3), start code 9D 01 2A, 14-bit width and height.
    if (!r.Matches(kPayload + 3, "\x9d\x01\x2a")) return Malformed("WebP VP8 start code missing");
    const auto w = r.U16(kPayload + 6, false);
    const auto h = r.U16(kPayload + 8, false);
    if (!w || !h) return Malformed("WebP header truncated");
    header.width = *w & 0x3FFF;
    header.height = *h & 0x3FFF;
  } else if (r.Matches(12, "VP8L")) {
    if (r.U8(kPayload) != 0x2Fu) return Malformed("WebP VP8L signature missing");
    const auto bits = r.U32(kPayload + 1, false);
    if (!bits) return Malformed("WebP header truncated");
    header.width = (*bits & 0x3FFF) + 1;
    header.height = ((*bits >> 14) & 0x3FFF) + 1;
  } else if (r.Matches(12, "VP8X")) {
    // Flags (4), then 24-bit canvas width - 1 and height - 1.
    const auto w = r.U24Le(kPayload + 4);
    const auto h = r.U24Le(kPayload + 7);
    if (!w || !h) return Malformed("WebP header truncated");
    header.width = static_cast<int64_t>(*w) + 1;
    header.height = static_cast<int64_t>(*h) + 1;
  } else {
    return Malformed("WebP has no VP8, VP8L or VP8X chunk");
  }
  if (header.width == 0 || header.height == 0) return Malformed("WebP declares zero size");
  return header;
}

QualityIssue Blocking(QualityReason reason, std::string message,
                      std::optional<double> value = std::nullopt,
                      std::optional<double> threshold = std::nullopt) {
  return QualityIssue{reason, Severity::kBlocking, value, threshold, std::move(message)};
}

}  // namespace

absl::StatusOr<ImageHeader> ReadImageHeader(absl::string_view bytes) {
  const Reader r(bytes);
  if (r.Matches(0, "\xFF\xD8")) return ReadJpeg(r);
  if (r.Matches(0, "\x89PNG\r\n\x1a\n")) return ReadPng(r);
  if (r.Matches(0, "RIFF") && r.Matches(8, "WEBP")) return ReadWebp(r);
  return absl::InvalidArgumentError("not a JPEG, PNG or WebP image");
}

absl::StatusOr<ImageHeader> ImageDecoder::Admit(absl::string_view bytes, QualityIssue& why) const {
  if (bytes.empty()) {
    why = Blocking(QualityReason::kEmptyImage, "The photo is empty — send the image file.");
    return absl::InvalidArgumentError("photo is empty");
  }
  const auto size = static_cast<int64_t>(bytes.size());
  if (size > limits_.max_bytes) {
    why = Blocking(QualityReason::kImageTooLarge,
                   absl::StrFormat("Photo too large: %d bytes, at most %d allowed — send a "
                                   "smaller or more compressed photo.",
                                   size, limits_.max_bytes),
                   static_cast<double>(size), static_cast<double>(limits_.max_bytes));
    return absl::InvalidArgumentError(
        absl::StrCat("photo has ", size, " bytes, the limit is ", limits_.max_bytes));
  }
  absl::StatusOr<ImageHeader> header = ReadImageHeader(bytes);
  if (!header.ok()) {
    const Reader r(bytes);
    const bool known_magic = r.Matches(0, "\xFF\xD8") || r.Matches(0, "\x89PNG\r\n\x1a\n") ||
                             (r.Matches(0, "RIFF") && r.Matches(8, "WEBP"));
    if (known_magic) {
      why = Blocking(QualityReason::kUndecodable,
                     "The photo file is damaged or incomplete — send it again.");
    } else {
      why = Blocking(QualityReason::kUnsupportedFormat,
                     "Unsupported file type — send a JPEG, PNG or WebP photo.");
    }
    return header.status();
  }
  const int64_t pixels = header->width * header->height;  // Each factor < 2^31.
  if (pixels > limits_.max_pixels) {
    why = Blocking(QualityReason::kImageTooManyPixels,
                   absl::StrFormat("Photo has too many pixels: %.1f MP, at most %.1f MP "
                                   "allowed — send a smaller photo.",
                                   pixels / 1e6, limits_.max_pixels / 1e6),
                   pixels / 1e6, limits_.max_pixels / 1e6);
    return absl::InvalidArgumentError(absl::StrCat("photo header declares ", header->width, "x",
                                                   header->height, " pixels, the limit is ",
                                                   limits_.max_pixels));
  }
  // libjpeg decodes a truncated JPEG into a partly grey picture with only a
  // warning; a complete one has its end-of-image marker after the frame header.
  if (header->format == ImageFormat::kJpeg) {
    const size_t eoi = bytes.rfind("\xFF\xD9");
    if (eoi == absl::string_view::npos || static_cast<int64_t>(eoi) < header->frame_header_end) {
      why = Blocking(QualityReason::kUndecodable,
                     "The photo file is damaged or incomplete — send it again.");
      return absl::InvalidArgumentError("cannot decode photo: the JPEG is truncated");
    }
  }
  return header;
}

absl::StatusOr<DecodedImage> ImageDecoder::DecodeWith(absl::string_view bytes,
                                                      const ImageHeader& header, int flags,
                                                      int reduction, QualityIssue& why) const {
  DecodedImage image{cv::Mat(), header.format,       header.exif_orientation,
                     reduction, UprightSize(header), header};
  try {
    const cv::Mat raw(1, static_cast<int>(bytes.size()), CV_8UC1,
                      const_cast<char*>(bytes.data()));  // Read only by imdecode.
    image.bgr = cv::imdecode(raw, flags);
  } catch (const cv::Exception& e) {
    why = Blocking(QualityReason::kUndecodable,
                   "The photo file is damaged or incomplete — send it again.");
    return absl::InvalidArgumentError(absl::StrCat("cannot decode photo: ", e.what()));
  }
  if (image.bgr.empty() || image.bgr.type() != CV_8UC3 ||
      static_cast<int64_t>(image.bgr.total()) > limits_.max_pixels) {
    why = Blocking(QualityReason::kUndecodable,
                   "The photo file is damaged or incomplete — send it again.");
    return absl::InvalidArgumentError("cannot decode photo: the image data is corrupt");
  }
  if (reduction == 1) {
    image.size = image.bgr.size();  // What was decoded is the truth.
  } else if (image.bgr.size() != cv::Size((image.size.width + reduction - 1) / reduction,
                                          (image.size.height + reduction - 1) / reduction)) {
    // The header and the decoder disagree (an orientation read differently):
    // the caller falls back to a whole decode.
    return absl::InternalError("reduced decode does not match the header");
  }
  return image;
}

absl::StatusOr<DecodedImage> ImageDecoder::Decode(absl::string_view bytes,
                                                  QualityIssue* failure) const {
  QualityIssue ignored;
  QualityIssue& why = failure != nullptr ? *failure : ignored;
  absl::StatusOr<ImageHeader> header = Admit(bytes, why);
  if (!header.ok()) return header.status();
  return DecodeWith(bytes, *header, cv::IMREAD_COLOR, 1, why);
}

absl::StatusOr<DecodedImage> ImageDecoder::DecodeOverview(absl::string_view bytes,
                                                          QualityIssue* failure,
                                                          int min_side) const {
  QualityIssue ignored;
  QualityIssue& why = failure != nullptr ? *failure : ignored;
  absl::StatusOr<ImageHeader> header = Admit(bytes, why);
  if (!header.ok()) return header.status();
  const int64_t side = std::max(header->width, header->height);
  int reduction = 1;
  if (header->format == ImageFormat::kJpeg && min_side > 0 && side >= 2 * int64_t{min_side} &&
      JpegDecodesToBgr(bytes)) {
    for (int r : {8, 4, 2}) {
      if ((side + r - 1) / r >= min_side) {
        reduction = r;
        break;
      }
    }
  }
  const int flags = reduction == 8   ? cv::IMREAD_REDUCED_COLOR_8
                    : reduction == 4 ? cv::IMREAD_REDUCED_COLOR_4
                                     : cv::IMREAD_REDUCED_COLOR_2;
  if (reduction > 1) {
    absl::StatusOr<DecodedImage> reduced = DecodeWith(bytes, *header, flags, reduction, why);
    if (reduced.ok() || !absl::IsInternal(reduced.status())) return reduced;
  }
  return DecodeWith(bytes, *header, cv::IMREAD_COLOR, 1, why);
}

absl::StatusOr<cv::Mat> ImageDecoder::DecodeWindow(absl::string_view bytes,
                                                   const DecodedImage& image,
                                                   cv::Rect window) const {
  if (window.empty() || (window & cv::Rect(cv::Point(0, 0), image.size)) != window) {
    return absl::InvalidArgumentError("window is empty or outside the photo");
  }
  if (image.reduction == 1) return image.bgr(window);
  return DecodeJpegWindow(bytes, image.header, window);
}

}  // namespace skinlens::preprocess
