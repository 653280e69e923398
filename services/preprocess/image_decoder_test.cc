#include "image_decoder.h"

#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "opencv2/core/utils/logger.hpp"
#include "opencv2/imgcodecs.hpp"
#include "opencv2/imgproc.hpp"
#include "test_images.h"

namespace skinlens::preprocess {
namespace {

using ::testing::HasSubstr;

std::string Encode(const cv::Mat& image, const std::string& ext, std::vector<int> params = {}) {
  std::vector<uchar> out;
  EXPECT_TRUE(cv::imencode(ext, image, out, params)) << ext;
  return std::string(out.begin(), out.end());
}

// Decodes expecting failure; returns the blocking issue.
QualityIssue Refusal(const ImageDecoder& decoder, const std::string& bytes) {
  QualityIssue why{};
  absl::StatusOr<DecodedImage> image = decoder.Decode(bytes, &why);
  EXPECT_EQ(image.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(why.severity, Severity::kBlocking);
  EXPECT_FALSE(why.message.empty());
  return why;
}

TEST(ImageDecoder, DecodesAstronautJpegToBgr) {
  ImageDecoder decoder(DecodeLimits{});
  absl::StatusOr<DecodedImage> image = decoder.Decode(testing::AstronautJpeg(), nullptr);
  ASSERT_TRUE(image.ok()) << image.status();
  EXPECT_EQ(image->format, ImageFormat::kJpeg);
  EXPECT_EQ(image->bgr.type(), CV_8UC3);
  EXPECT_EQ(image->bgr.size(), cv::Size(512, 512));
  EXPECT_EQ(image->exif_orientation, 0);
}

TEST(ImageDecoder, DecodesCmykJpegToBgrWithTheSameColours) {
  // tests/data/astronaut_cmyk.jpg: the astronaut at 160x160 in CMYK, as print
  // workflows and some scanners write JPEGs.
  ImageDecoder decoder(DecodeLimits{});
  absl::StatusOr<DecodedImage> cmyk =
      decoder.Decode(testing::TestDataFile("astronaut_cmyk.jpg"), nullptr);
  ASSERT_TRUE(cmyk.ok()) << cmyk.status();
  EXPECT_EQ(cmyk->bgr.type(), CV_8UC3);
  ASSERT_EQ(cmyk->bgr.size(), cv::Size(160, 160));
  cv::Mat reference;
  cv::resize(testing::Astronaut(), reference, cv::Size(160, 160), 0, 0, cv::INTER_AREA);
  // Colour conversion and two JPEG generations differ a little per pixel; an
  // inverted or channel-swapped decode would be off by ~100 grey levels.
  cv::Mat diff;
  cv::absdiff(cmyk->bgr, reference, diff);
  const cv::Scalar mean_abs_diff = cv::mean(diff);
  for (int c = 0; c < 3; ++c) EXPECT_LT(mean_abs_diff[c], 20.0) << "channel " << c;
}

TEST(ImageDecoder, AppliesExifOrientation) {
  // A wide image with a red mark in its top-left corner.
  cv::Mat wide(100, 200, CV_8UC3, cv::Scalar(255, 255, 255));
  cv::rectangle(wide, cv::Rect(0, 0, 30, 30), cv::Scalar(0, 0, 255), cv::FILLED);
  ImageDecoder decoder(DecodeLimits{});
  struct Case {
    int orientation;
    cv::Size size;
    cv::Point mark;  // Where the top-left mark must end up.
  };
  for (const Case& c : {Case{1, {200, 100}, {5, 5}}, Case{3, {200, 100}, {194, 94}},
                        Case{6, {100, 200}, {94, 5}}, Case{8, {100, 200}, {5, 194}}}) {
    SCOPED_TRACE(c.orientation);
    const std::string jpeg = testing::WithExifOrientation(testing::EncodeJpeg(wide), c.orientation);
    absl::StatusOr<ImageHeader> header = ReadImageHeader(jpeg);
    ASSERT_TRUE(header.ok()) << header.status();
    EXPECT_EQ(header->exif_orientation, c.orientation);
    absl::StatusOr<DecodedImage> image = decoder.Decode(jpeg, nullptr);
    ASSERT_TRUE(image.ok()) << image.status();
    EXPECT_EQ(image->exif_orientation, c.orientation);
    EXPECT_EQ(image->bgr.size(), c.size);
    const cv::Vec3b mark = image->bgr.at<cv::Vec3b>(c.mark);
    EXPECT_GT(mark[2], 200);
    EXPECT_LT(mark[1], 60);
  }
}

TEST(ImageDecoder, NormalisesGreyAlphaAnd16BitPngTo8BitBgr) {
  ImageDecoder decoder(DecodeLimits{});
  const cv::Mat grey(40, 30, CV_8UC1, cv::Scalar(100));
  const cv::Mat bgra(40, 30, CV_8UC4, cv::Scalar(10, 20, 30, 0));
  const cv::Mat deep(40, 30, CV_16UC3, cv::Scalar(65535, 0, 32896));
  struct Case {
    cv::Mat input;
    cv::Vec3b expected;
  };
  for (const Case& c :
       {Case{grey, {100, 100, 100}}, Case{bgra, {10, 20, 30}}, Case{deep, {255, 0, 128}}}) {
    absl::StatusOr<DecodedImage> image = decoder.Decode(testing::EncodePng(c.input), nullptr);
    ASSERT_TRUE(image.ok()) << image.status();
    EXPECT_EQ(image->format, ImageFormat::kPng);
    EXPECT_EQ(image->bgr.type(), CV_8UC3);
    EXPECT_EQ(image->bgr.size(), cv::Size(30, 40));
    EXPECT_EQ(image->bgr.at<cv::Vec3b>(20, 15), c.expected);
  }
}

TEST(ImageDecoder, DecodesLossyAndLosslessWebp) {
  ImageDecoder decoder(DecodeLimits{});
  const cv::Mat photo = testing::Scaled(testing::Astronaut(), 0.25);
  for (int quality : {80, 101}) {  // Above 100 is lossless (VP8L).
    const std::string webp = Encode(photo, ".webp", {cv::IMWRITE_WEBP_QUALITY, quality});
    EXPECT_EQ(webp.substr(12, 4), quality > 100 ? "VP8L" : "VP8 ");
    absl::StatusOr<ImageHeader> header = ReadImageHeader(webp);
    ASSERT_TRUE(header.ok()) << header.status();
    EXPECT_EQ(header->width, 128);
    EXPECT_EQ(header->height, 128);
    absl::StatusOr<DecodedImage> image = decoder.Decode(webp, nullptr);
    ASSERT_TRUE(image.ok()) << image.status();
    EXPECT_EQ(image->format, ImageFormat::kWebp);
    EXPECT_EQ(image->bgr.size(), cv::Size(128, 128));
  }
}

TEST(ImageDecoder, ReadsVp8xCanvasSize) {
  std::string webp("RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0", 20);
  webp += std::string("\0\0\0\0", 4);
  webp += std::string("\x9f\x86\x01", 3);  // Width - 1 = 99999.
  webp += std::string("\x1f\xa1\x07", 3);  // Height - 1 = 499999.
  webp += std::string(8, '\0');            // Start of the next chunk.
  absl::StatusOr<ImageHeader> header = ReadImageHeader(webp);
  ASSERT_TRUE(header.ok()) << header.status();
  EXPECT_EQ(header->width, 100000);
  EXPECT_EQ(header->height, 500000);
  EXPECT_EQ(Refusal(ImageDecoder(DecodeLimits{}), webp).reason, QualityReason::kImageTooManyPixels);
}

TEST(ImageDecoder, RefusesEmptyInput) {
  EXPECT_EQ(Refusal(ImageDecoder(DecodeLimits{}), "").reason, QualityReason::kEmptyImage);
}

TEST(ImageDecoder, RefusesTooManyBytesWithSizeAndLimit) {
  DecodeLimits limits;
  limits.max_bytes = 1000;
  const std::string jpeg = testing::AstronautJpeg();
  const QualityIssue why = Refusal(ImageDecoder(limits), jpeg);
  EXPECT_EQ(why.reason, QualityReason::kImageTooLarge);
  EXPECT_EQ(why.measured_value, static_cast<double>(jpeg.size()));
  EXPECT_EQ(why.threshold, 1000.0);
}

TEST(ImageDecoder, RefusesPngBombFromItsHeaderBeforeDecoding) {
  // The body is garbage: were it decoded, the reason would be UNDECODABLE.
  const std::string bomb = testing::PngHeader(100000, 100000);
  const QualityIssue why = Refusal(ImageDecoder(DecodeLimits{}), bomb);
  EXPECT_EQ(why.reason, QualityReason::kImageTooManyPixels);
  EXPECT_DOUBLE_EQ(*why.measured_value, 10000.0);  // Megapixels.
  EXPECT_DOUBLE_EQ(*why.threshold, 40.0);
  EXPECT_THAT(why.message, HasSubstr("10000.0 MP"));
}

TEST(ImageDecoder, RefusesJpegBombFromItsFrameHeader) {
  std::string jpeg = testing::AstronautJpeg();
  absl::StatusOr<ImageHeader> header = ReadImageHeader(jpeg);
  ASSERT_TRUE(header.ok());
  // Baseline frame header: FF C0, length (2), precision (1), height, width.
  const size_t sof = jpeg.find(std::string("\xFF\xC0", 2));
  ASSERT_NE(sof, std::string::npos);
  const size_t at = sof + 5;
  ASSERT_EQ(jpeg.substr(at, 4), std::string("\x02\x00\x02\x00", 4));
  ASSERT_LT(static_cast<int64_t>(at), header->frame_header_end);
  jpeg.replace(at, 4, std::string("\xfd\xe8\xfd\xe8", 4));  // 65000 x 65000.
  const QualityIssue why = Refusal(ImageDecoder(DecodeLimits{}), jpeg);
  EXPECT_EQ(why.reason, QualityReason::kImageTooManyPixels);
  EXPECT_DOUBLE_EQ(*why.measured_value, 4225.0);
}

TEST(ImageDecoder, RefusesTruncatedJpegAndPngAsUndecodable) {
  ImageDecoder decoder(DecodeLimits{});
  const std::string jpeg = testing::AstronautJpeg();
  const std::string png = testing::EncodePng(testing::Scaled(testing::Astronaut(), 0.25));
  for (const std::string& cut : {jpeg.substr(0, jpeg.size() / 2), jpeg.substr(0, 300),
                                 png.substr(0, png.size() / 2), png.substr(0, 30)}) {
    EXPECT_EQ(Refusal(decoder, cut).reason, QualityReason::kUndecodable) << cut.size();
  }
}

TEST(ImageDecoder, RefusesWrongMagicAsUnsupported) {
  ImageDecoder decoder(DecodeLimits{});
  for (const std::string& bytes :
       {std::string("hello, this is a text file named photo.jpg\n"), std::string("GIF89a....."),
        std::string("\xFF"), std::string("RIFF\0\0\0\0WAVEfmt ", 16)}) {
    EXPECT_EQ(Refusal(decoder, bytes).reason, QualityReason::kUnsupportedFormat) << bytes;
  }
}

TEST(ImageDecoder, DecodesOnePixelImage) {
  const cv::Mat one(1, 1, CV_8UC3, cv::Scalar(1, 2, 3));
  absl::StatusOr<DecodedImage> image =
      ImageDecoder(DecodeLimits{}).Decode(testing::EncodePng(one), nullptr);
  ASSERT_TRUE(image.ok()) << image.status();
  EXPECT_EQ(image->bgr.size(), cv::Size(1, 1));
}

// Bounded, deterministic robustness run: prefixes and byte mutations of the
// headers of real JPEG, PNG and WebP files must give a decoded 8-bit BGR
// image within the limits or INVALID_ARGUMENT with a reason — never a crash.
TEST(ImageDecoderRobustness, MutatedHeadersNeverCrashOrExceedLimits) {
  cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
  DecodeLimits limits;
  limits.max_pixels = 300 * 300;
  ImageDecoder decoder(limits);
  const cv::Mat small = testing::Scaled(testing::Astronaut(), 0.125);  // 64x64.
  cv::Mat exif_source = small.clone();
  const std::vector<std::string> seeds = {
      testing::WithExifOrientation(testing::EncodeJpeg(exif_source), 6), testing::EncodePng(small),
      Encode(small, ".webp", {cv::IMWRITE_WEBP_QUALITY, 80}),
      Encode(small, ".webp", {cv::IMWRITE_WEBP_QUALITY, 101})};
  std::mt19937 rng(20240611);
  int decoded = 0, refused = 0;
  auto check = [&](const std::string& bytes) {
    QualityIssue why{};
    absl::StatusOr<DecodedImage> image = decoder.Decode(bytes, &why);
    if (image.ok()) {
      ++decoded;
      ASSERT_EQ(image->bgr.type(), CV_8UC3);
      ASSERT_LE(static_cast<int64_t>(image->bgr.total()), limits.max_pixels);
    } else {
      ++refused;
      ASSERT_EQ(image.status().code(), absl::StatusCode::kInvalidArgument);
      ASSERT_EQ(why.severity, Severity::kBlocking);
    }
  };
  for (const std::string& seed : seeds) {
    // Every prefix of the header region.
    for (size_t n = 0; n <= std::min<size_t>(seed.size(), 400); ++n) check(seed.substr(0, n));
    // Random byte overwrites, mostly in the first 64 bytes.
    for (int i = 0; i < 250; ++i) {
      std::string mutated = seed;
      const int edits = 1 + static_cast<int>(rng() % 4);
      for (int e = 0; e < edits; ++e) {
        const size_t span =
            (rng() % 4 == 0) ? mutated.size() : std::min<size_t>(64, mutated.size());
        mutated[rng() % span] = static_cast<char>(rng() & 0xFF);
      }
      check(mutated);
    }
  }
  EXPECT_GT(decoded, 0);
  EXPECT_GT(refused, 0);
}

}  // namespace
}  // namespace skinlens::preprocess

namespace skinlens::preprocess {
namespace {

// A 4000 x 3000 JPEG: the portrait scaled up, with a red mark top-left.
std::string TwelveMegapixelJpeg() {
  cv::Mat photo;
  cv::resize(testing::Astronaut(), photo, cv::Size(4000, 3000), 0, 0, cv::INTER_NEAREST);
  cv::rectangle(photo, cv::Rect(0, 0, 400, 400), cv::Scalar(0, 0, 255), cv::FILLED);
  return testing::EncodeJpeg(photo);
}

TEST(ImageDecoderOverview, LargeJpegIsDecodedAtTheSmallestSizeKeepingMinSide) {
  const ImageDecoder decoder(DecodeLimits{});
  const std::string jpeg = TwelveMegapixelJpeg();
  struct Case {
    int min_side, reduction;
  };
  for (const Case& c : {Case{724, 4}, Case{500, 8}, Case{1024, 2}, Case{2001, 1}}) {
    SCOPED_TRACE(c.min_side);
    absl::StatusOr<DecodedImage> image = decoder.DecodeOverview(jpeg, nullptr, c.min_side);
    ASSERT_TRUE(image.ok()) << image.status();
    EXPECT_EQ(image->reduction, c.reduction);
    EXPECT_EQ(image->size, cv::Size(4000, 3000));
    EXPECT_EQ(image->bgr.size(), cv::Size(4000 / c.reduction, 3000 / c.reduction));
    const cv::Vec3b mark = image->bgr.at<cv::Vec3b>(2, 2);
    EXPECT_GT(mark[2], 200);
    EXPECT_LT(mark[1], 60);
  }
}

TEST(ImageDecoderOverview, RotatedJpegIsReducedUprightAndItsWindowMatches) {
  const ImageDecoder decoder(DecodeLimits{});
  // Orientation 6 turns the stored 4000 x 3000 pixels to 3000 x 4000; the
  // top-left mark moves to the top-right.
  const std::string jpeg = testing::WithExifOrientation(TwelveMegapixelJpeg(), 6);
  absl::StatusOr<DecodedImage> image = decoder.DecodeOverview(jpeg, nullptr, 724);
  ASSERT_TRUE(image.ok()) << image.status();
  EXPECT_EQ(image->reduction, 4);
  EXPECT_EQ(image->size, cv::Size(3000, 4000));
  EXPECT_EQ(image->bgr.size(), cv::Size(750, 1000));
  EXPECT_GT(image->bgr.at<cv::Vec3b>(2, 747)[2], 200);
  absl::StatusOr<cv::Mat> corner = decoder.DecodeWindow(jpeg, *image, cv::Rect(2700, 0, 300, 300));
  ASSERT_TRUE(corner.ok()) << corner.status();
  EXPECT_GT(cv::mean(*corner)[2], 200);
  EXPECT_LT(cv::mean(*corner)[1], 60);
  EXPECT_EQ(decoder.DecodeWindow(jpeg, *image, cv::Rect(2900, 0, 300, 300)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ImageDecoderOverview, SmallPngAndCmykPhotosAreDecodedWhole) {
  const ImageDecoder decoder(DecodeLimits{});
  cv::Mat large;
  cv::resize(testing::Astronaut(), large, cv::Size(2000, 2000), 0, 0, cv::INTER_NEAREST);
  // (photo, min_side): a JPEG under twice min_side, a PNG, a CMYK JPEG.
  for (const auto& [bytes, min_side] : std::vector<std::pair<std::string, int>>{
           {testing::AstronautJpeg(), 300},
           {testing::EncodePng(large), 256},
           {testing::TestDataFile("astronaut_cmyk.jpg"), 64}}) {
    absl::StatusOr<DecodedImage> image = decoder.DecodeOverview(bytes, nullptr, min_side);
    ASSERT_TRUE(image.ok()) << image.status();
    EXPECT_EQ(image->reduction, 1);
    EXPECT_EQ(image->bgr.size(), image->size);
    // The window of a whole photo is a view of it, not a copy.
    absl::StatusOr<cv::Mat> window = decoder.DecodeWindow(bytes, *image, cv::Rect(10, 20, 30, 40));
    ASSERT_TRUE(window.ok());
    EXPECT_EQ(window->data, image->bgr.ptr(20, 10));
  }
}

TEST(ImageDecoderOverview, RefusesWhatDecodeRefuses) {
  const ImageDecoder decoder(DecodeLimits{});
  QualityIssue why{};
  EXPECT_FALSE(decoder.DecodeOverview("", &why, 724).ok());
  EXPECT_EQ(why.reason, QualityReason::kEmptyImage);
  const std::string jpeg = TwelveMegapixelJpeg();
  EXPECT_FALSE(decoder.DecodeOverview(jpeg.substr(0, jpeg.size() / 2), &why, 724).ok());
  EXPECT_EQ(why.reason, QualityReason::kUndecodable);
}

}  // namespace
}  // namespace skinlens::preprocess
