#include "services/gateway/response_encoding.h"

#include <zlib.h>

#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "brotli/encode.h"

namespace skinlens::gateway {
namespace {

// The q value of one Accept-Encoding element's parameters ("q=0.5"); 1 when
// absent, nullopt when malformed (the element is then ignored).
std::optional<double> QualityOf(absl::string_view params) {
  double q = 1;
  for (absl::string_view param : absl::StrSplit(params, ';', absl::SkipWhitespace())) {
    param = absl::StripAsciiWhitespace(param);
    if (!absl::StartsWithIgnoreCase(param, "q=")) continue;
    if (!absl::SimpleAtod(param.substr(2), &q) || q < 0 || q > 1) return std::nullopt;
  }
  return q;
}

absl::StatusOr<std::string> Gzip(absl::string_view body) {
  z_stream stream{};
  // windowBits 15 + 16: a gzip header and trailer rather than raw zlib.
  if (deflateInit2(&stream, kGzipLevel, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return absl::InternalError("cannot start the gzip compressor");
  }
  std::string out(deflateBound(&stream, body.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
  stream.avail_in = static_cast<uInt>(body.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int result = deflate(&stream, Z_FINISH);
  const size_t written = stream.total_out;
  deflateEnd(&stream);
  if (result != Z_STREAM_END) return absl::InternalError("gzip compression failed");
  out.resize(written);
  return out;
}

absl::StatusOr<std::string> Brotli(absl::string_view body) {
  size_t size = BrotliEncoderMaxCompressedSize(body.size());
  if (size == 0) return absl::InternalError("body too large for brotli");
  std::string out(size, '\0');
  if (!BrotliEncoderCompress(kBrotliQuality, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, body.size(),
                             reinterpret_cast<const uint8_t*>(body.data()), &size,
                             reinterpret_cast<uint8_t*>(out.data()))) {
    return absl::InternalError("brotli compression failed");
  }
  out.resize(size);
  return out;
}

}  // namespace

ContentCoding ChooseContentCoding(absl::string_view accept_encoding) {
  std::optional<double> br, gzip, any;
  for (absl::string_view element : absl::StrSplit(accept_encoding, ',', absl::SkipWhitespace())) {
    std::pair<absl::string_view, absl::string_view> parts =
        absl::StrSplit(element, absl::MaxSplits(';', 1));
    const std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(parts.first));
    const std::optional<double> q = QualityOf(parts.second);
    if (!q.has_value()) continue;
    if (name == "br") {
      br = q;
    } else if (name == "gzip" || name == "x-gzip") {
      gzip = gzip.has_value() ? std::max(*gzip, *q) : *q;
    } else if (name == "*") {
      any = q;
    }
  }
  if (!br.has_value()) br = any;
  if (!gzip.has_value()) gzip = any;
  if (br.value_or(0) > 0) return ContentCoding::kBrotli;
  if (gzip.value_or(0) > 0) return ContentCoding::kGzip;
  return ContentCoding::kIdentity;
}

absl::string_view ContentCodingToken(ContentCoding coding) {
  switch (coding) {
    case ContentCoding::kBrotli:
      return "br";
    case ContentCoding::kGzip:
      return "gzip";
    case ContentCoding::kIdentity:
      break;
  }
  return "";
}

bool IsCompressible(absl::string_view content_type) {
  const absl::string_view media =
      absl::StripAsciiWhitespace(content_type.substr(0, content_type.find(';')));
  if (absl::StartsWithIgnoreCase(media, "text/")) return true;
  for (absl::string_view type : {"application/json", "application/javascript", "application/xml",
                                 "image/svg+xml", "application/manifest+json"}) {
    if (absl::EqualsIgnoreCase(media, type)) return true;
  }
  return absl::EndsWithIgnoreCase(media, "+json");
}

absl::StatusOr<std::string> EncodeBody(absl::string_view body, ContentCoding coding) {
  switch (coding) {
    case ContentCoding::kBrotli:
      return Brotli(body);
    case ContentCoding::kGzip:
      return Gzip(body);
    case ContentCoding::kIdentity:
      break;
  }
  return std::string(body);
}

}  // namespace skinlens::gateway
