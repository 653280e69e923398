// Compression of HTTP response bodies, chosen deliberately instead of left to
// the HTTP library. cpp-httplib compresses every text or JSON body with
// brotli at its default quality (11) whenever the client accepts `br`, which
// costs about 1 s per megabyte on one core: a 6 MB diagnosis took 9.5 s to
// compress for a browser and 1 s without compression. Here a body is
// compressed only when it is worth it (a compressible media type, at least
// kMinCompressedBytes), with a fast setting: brotli at quality 4 or gzip at
// level 1, which compress JSON and JavaScript to within a few per cent of
// the slow settings at tens of times the speed (docs/BENCHMARKS.md).
//
//   ContentCoding coding = ChooseContentCoding(req.get_header_value("Accept-Encoding"));
//   if (!IsCompressible(content_type) || body.size() < kMinCompressedBytes) {
//     coding = ContentCoding::kIdentity;
//   }
//   absl::StatusOr<std::string> encoded = EncodeBody(body, coding);
#pragma once

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace skinlens::gateway {

// An HTTP content coding (RFC 9110 section 8.4.1) the gateway can produce.
enum class ContentCoding { kIdentity, kGzip, kBrotli };

// Bodies shorter than this are sent as they are: compressing them saves less
// than a network packet and costs a compressor's set-up.
inline constexpr size_t kMinCompressedBytes = 1024;

// Brotli quality and gzip level used for every dynamic response.
inline constexpr int kBrotliQuality = 4;
inline constexpr int kGzipLevel = 1;

// The coding to answer a request with, from its Accept-Encoding header:
// brotli when acceptable, else gzip (or x-gzip), else identity. Honours
// quality values (`br;q=0` refuses brotli, `*` stands for codings not named)
// and treats an absent or empty header as identity only. Never fails:
// anything it cannot read is ignored.
ContentCoding ChooseContentCoding(absl::string_view accept_encoding);

// The token for the Content-Encoding header ("br", "gzip"); empty for identity.
absl::string_view ContentCodingToken(ContentCoding coding);

// Whether a body of this media type (a Content-Type value, parameters allowed)
// shrinks when compressed: text, JSON, JavaScript, XML, SVG, CSV. Images,
// fonts in WOFF2 and other already compressed formats do not.
bool IsCompressible(absl::string_view content_type);

// `body` in `coding` (a copy for identity). INTERNAL if the compressor fails,
// which only running out of memory causes.
absl::StatusOr<std::string> EncodeBody(absl::string_view body, ContentCoding coding);

}  // namespace skinlens::gateway
