#include "services/gateway/response_encoding.h"

#include <zlib.h>

#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "brotli/decode.h"
#include "gtest/gtest.h"

namespace skinlens::gateway {
namespace {

std::string Gunzip(const std::string& data) {
  z_stream stream{};
  EXPECT_EQ(inflateInit2(&stream, 15 + 16), Z_OK);
  std::string out;
  char buffer[1 << 14];
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  int result = Z_OK;
  while (result == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof(buffer);
    result = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer, sizeof(buffer) - stream.avail_out);
  }
  inflateEnd(&stream);
  EXPECT_EQ(result, Z_STREAM_END);
  return out;
}

std::string Unbrotli(const std::string& data, size_t expected_size) {
  std::string out(expected_size, '\0');
  size_t size = out.size();
  EXPECT_EQ(BrotliDecoderDecompress(data.size(), reinterpret_cast<const uint8_t*>(data.data()),
                                    &size, reinterpret_cast<uint8_t*>(out.data())),
            BROTLI_DECODER_RESULT_SUCCESS);
  out.resize(size);
  return out;
}

// JSON shaped like a diagnosis: repeated keys and base64 heatmap values.
std::string DiagnosisLikeJson() {
  std::mt19937 random(7);
  std::string json = "{\"heatmaps\":[";
  for (int i = 0; i < 200; ++i) {
    absl::StrAppend(&json, "{\"attribute\":\"ATTRIBUTE_OIL\",\"width\":128,\"values\":\"");
    for (int k = 0; k < 400; ++k) json += "AAAA"[random() % 4];
    absl::StrAppend(&json, "\"},");
  }
  json += "{}]}";
  return json;
}

TEST(ChooseContentCoding, PrefersBrotliThenGzipAsChromiumAsks) {
  EXPECT_EQ(ChooseContentCoding("gzip, deflate, br"), ContentCoding::kBrotli);
  EXPECT_EQ(ChooseContentCoding("gzip, deflate, br, zstd"), ContentCoding::kBrotli);
  EXPECT_EQ(ChooseContentCoding("gzip, deflate"), ContentCoding::kGzip);
  EXPECT_EQ(ChooseContentCoding("x-gzip"), ContentCoding::kGzip);
  EXPECT_EQ(ChooseContentCoding("BR"), ContentCoding::kBrotli);
}

TEST(ChooseContentCoding, IdentityWhenNothingUsableIsAccepted) {
  EXPECT_EQ(ChooseContentCoding(""), ContentCoding::kIdentity);
  EXPECT_EQ(ChooseContentCoding("identity"), ContentCoding::kIdentity);
  EXPECT_EQ(ChooseContentCoding("deflate, compress"), ContentCoding::kIdentity);
}

TEST(ChooseContentCoding, HonoursQualityValues) {
  EXPECT_EQ(ChooseContentCoding("br;q=0, gzip"), ContentCoding::kGzip);
  EXPECT_EQ(ChooseContentCoding("br; q=0.0, gzip;q=0"), ContentCoding::kIdentity);
  EXPECT_EQ(ChooseContentCoding("*;q=0.5"), ContentCoding::kBrotli);
  EXPECT_EQ(ChooseContentCoding("*, br;q=0"), ContentCoding::kGzip);
  EXPECT_EQ(ChooseContentCoding("*;q=0"), ContentCoding::kIdentity);
}

TEST(ChooseContentCoding, IgnoresMalformedElements) {
  EXPECT_EQ(ChooseContentCoding("br;q=2, gzip"), ContentCoding::kGzip);
  EXPECT_EQ(ChooseContentCoding("br;q=x"), ContentCoding::kIdentity);
  EXPECT_EQ(ChooseContentCoding(",,;;, gzip;;"), ContentCoding::kGzip);
}

TEST(ContentCodingToken, NamesTheHeaderValue) {
  EXPECT_EQ(ContentCodingToken(ContentCoding::kBrotli), "br");
  EXPECT_EQ(ContentCodingToken(ContentCoding::kGzip), "gzip");
  EXPECT_EQ(ContentCodingToken(ContentCoding::kIdentity), "");
}

TEST(IsCompressible, TextAndJsonButNotImages) {
  EXPECT_TRUE(IsCompressible("application/json"));
  EXPECT_TRUE(IsCompressible("application/json; charset=utf-8"));
  EXPECT_TRUE(IsCompressible("text/csv; charset=utf-8"));
  EXPECT_TRUE(IsCompressible("text/javascript; charset=utf-8"));
  EXPECT_TRUE(IsCompressible("image/svg+xml"));
  EXPECT_TRUE(IsCompressible("application/problem+json"));
  EXPECT_FALSE(IsCompressible("image/png"));
  EXPECT_FALSE(IsCompressible("image/jpeg"));
  EXPECT_FALSE(IsCompressible("font/woff2"));
  EXPECT_FALSE(IsCompressible("application/octet-stream"));
  EXPECT_FALSE(IsCompressible(""));
}

TEST(EncodeBody, GzipRoundTripsAndShrinks) {
  const std::string json = DiagnosisLikeJson();
  absl::StatusOr<std::string> gz = EncodeBody(json, ContentCoding::kGzip);
  ASSERT_TRUE(gz.ok()) << gz.status();
  EXPECT_LT(gz->size(), json.size() / 2);
  EXPECT_EQ(static_cast<unsigned char>((*gz)[0]), 0x1f);  // The gzip magic number.
  EXPECT_EQ(Gunzip(*gz), json);
}

TEST(EncodeBody, BrotliRoundTripsAndShrinks) {
  const std::string json = DiagnosisLikeJson();
  absl::StatusOr<std::string> br = EncodeBody(json, ContentCoding::kBrotli);
  ASSERT_TRUE(br.ok()) << br.status();
  EXPECT_LT(br->size(), json.size() / 2);
  EXPECT_EQ(Unbrotli(*br, json.size()), json);
}

TEST(EncodeBody, IdentityAndEmptyBodies) {
  EXPECT_EQ(*EncodeBody("{\"a\":1}", ContentCoding::kIdentity), "{\"a\":1}");
  absl::StatusOr<std::string> gz = EncodeBody("", ContentCoding::kGzip);
  ASSERT_TRUE(gz.ok());
  EXPECT_EQ(Gunzip(*gz), "");
  absl::StatusOr<std::string> br = EncodeBody("", ContentCoding::kBrotli);
  ASSERT_TRUE(br.ok());
  EXPECT_EQ(Unbrotli(*br, 16), "");
}

}  // namespace
}  // namespace skinlens::gateway
