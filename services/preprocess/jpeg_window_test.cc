#include "jpeg_window.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "image_decoder.h"
#include "opencv2/imgcodecs.hpp"
#include "opencv2/imgproc.hpp"
#include "test_images.h"

namespace skinlens::preprocess {
namespace {

// A 1200 x 900 photo with detail everywhere: the portrait tiled, so an error
// of one pixel or a flipped window shows.
cv::Mat LargePhoto() {
  cv::Mat tile;
  cv::resize(testing::Astronaut(), tile, cv::Size(600, 450), 0, 0, cv::INTER_AREA);
  cv::Mat top, bottom, photo;
  cv::Mat flipped;
  cv::flip(tile, flipped, 1);
  cv::hconcat(tile, flipped, top);
  cv::flip(top, bottom, 0);
  cv::vconcat(top, bottom, photo);
  return photo;
}

std::string Encode(const cv::Mat& image, std::vector<int> params) {
  std::vector<uchar> out;
  EXPECT_TRUE(cv::imencode(".jpg", image, out, params));
  return std::string(out.begin(), out.end());
}

// Mean and largest absolute difference of two same-size images.
std::pair<double, double> Difference(const cv::Mat& a, const cv::Mat& b) {
  cv::Mat diff;
  cv::absdiff(a, b, diff);
  double largest = 0;
  cv::minMaxLoc(diff.reshape(1), nullptr, &largest);
  const cv::Scalar mean = cv::mean(diff);
  return {(mean[0] + mean[1] + mean[2]) / 3, largest};
}

// The window must equal the same rectangle of the whole decoded photo.
void ExpectWindowMatchesWholeDecode(const std::string& jpeg, cv::Rect window) {
  absl::StatusOr<ImageHeader> header = ReadImageHeader(jpeg);
  ASSERT_TRUE(header.ok()) << header.status();
  absl::StatusOr<DecodedImage> whole = ImageDecoder(DecodeLimits{}).Decode(jpeg, nullptr);
  ASSERT_TRUE(whole.ok()) << whole.status();
  ASSERT_EQ(UprightSize(*header), whole->bgr.size());
  absl::StatusOr<cv::Mat> part = DecodeJpegWindow(jpeg, *header, window);
  ASSERT_TRUE(part.ok()) << part.status();
  ASSERT_EQ(part->size(), window.size());
  const auto [mean, largest] = Difference(*part, whole->bgr(window));
  // Chroma upsampling at the window's edge may differ by a grey level or two.
  EXPECT_LT(mean, 0.5);
  EXPECT_LE(largest, 8);
}

TEST(JpegWindow, EveryExifOrientationGivesTheUprightRectangle) {
  const std::string jpeg = Encode(LargePhoto(), {cv::IMWRITE_JPEG_QUALITY, 90});
  for (int orientation = 1; orientation <= 8; ++orientation) {
    SCOPED_TRACE(orientation);
    const std::string rotated = testing::WithExifOrientation(jpeg, orientation);
    // Odd offsets and sizes, away from block boundaries.
    const cv::Rect window =
        orientation >= 5 ? cv::Rect(101, 333, 517, 291) : cv::Rect(333, 101, 517, 291);
    ExpectWindowMatchesWholeDecode(rotated, window);
  }
}

TEST(JpegWindow, ProgressiveGreyRestartAndOptimisedJpegs) {
  const cv::Mat photo = LargePhoto();
  cv::Mat grey;
  cv::cvtColor(photo, grey, cv::COLOR_BGR2GRAY);
  for (const std::string& jpeg :
       {Encode(photo, {cv::IMWRITE_JPEG_PROGRESSIVE, 1}), Encode(grey, {}),
        Encode(photo, {cv::IMWRITE_JPEG_RST_INTERVAL, 3}),
        Encode(photo, {cv::IMWRITE_JPEG_OPTIMIZE, 1})}) {
    ExpectWindowMatchesWholeDecode(jpeg, cv::Rect(7, 5, 400, 300));
    // Touching the right and bottom edges.
    ExpectWindowMatchesWholeDecode(jpeg, cv::Rect(1200 - 250, 900 - 170, 250, 170));
  }
}

TEST(JpegWindow, RefusesWindowsOutsideThePhoto) {
  const std::string jpeg = Encode(LargePhoto(), {});
  absl::StatusOr<ImageHeader> header = ReadImageHeader(jpeg);
  ASSERT_TRUE(header.ok());
  for (const cv::Rect& window : {cv::Rect(0, 0, 0, 10), cv::Rect(-1, 0, 10, 10),
                                 cv::Rect(1195, 0, 10, 10), cv::Rect(0, 895, 10, 10)}) {
    EXPECT_EQ(DecodeJpegWindow(jpeg, *header, window).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
}

TEST(JpegWindow, CorruptScanDataIsAnErrorNotACrash) {
  std::string jpeg = Encode(LargePhoto(), {});
  absl::StatusOr<ImageHeader> header = ReadImageHeader(jpeg);
  ASSERT_TRUE(header.ok());
  // Cut the file in half: libjpeg runs out of data inside the window.
  const std::string half = jpeg.substr(0, jpeg.size() / 2);
  absl::StatusOr<cv::Mat> part = DecodeJpegWindow(half, *header, cv::Rect(0, 600, 1200, 300));
  // libjpeg pads a premature end with grey and warns; either answer is safe
  // (the window's size, or the documented INVALID_ARGUMENT), and nothing
  // outside the buffer is touched (ASan).
  if (part.ok()) {
    EXPECT_EQ(part->size(), cv::Size(1200, 300));
  } else {
    EXPECT_EQ(part.status().code(), absl::StatusCode::kInvalidArgument) << part.status();
  }
  // Garbage after a valid header.
  std::string garbage = jpeg;
  for (size_t i = header->frame_header_end + 200; i < garbage.size() - 2; i += 7) garbage[i] = 'x';
  absl::StatusOr<cv::Mat> broken = DecodeJpegWindow(garbage, *header, cv::Rect(0, 0, 1200, 900));
  if (broken.ok()) {
    EXPECT_EQ(broken->size(), cv::Size(1200, 900));
  } else {
    EXPECT_EQ(broken.status().code(), absl::StatusCode::kInvalidArgument) << broken.status();
  }
}

TEST(JpegWindow, CmykJpegsAreLeftToTheWholePhotoPath) {
  EXPECT_FALSE(JpegDecodesToBgr(testing::TestDataFile("astronaut_cmyk.jpg")));
  EXPECT_TRUE(JpegDecodesToBgr(testing::AstronautJpeg()));
  EXPECT_FALSE(JpegDecodesToBgr("not a jpeg"));
}

}  // namespace
}  // namespace skinlens::preprocess
