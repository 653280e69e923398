// Test inputs derived from the astronaut portrait in tests/data (see its
// README.md): encoded variants, degraded copies and hand-made headers.
//
//   cv::Mat photo = testing::Astronaut();
//   std::string jpeg = testing::EncodeJpeg(testing::Darkened(photo, 0.2));
#pragma once

#include <string>

#include "opencv2/core/mat.hpp"

namespace skinlens::preprocess::testing {

// The 512x512 astronaut portrait (BGR); aborts the test binary if missing.
cv::Mat Astronaut();
// The raw bytes of tests/data/astronaut.jpg.
std::string AstronautJpeg();

// The bytes of tests/data/<name>; aborts when the file is missing.
std::string TestDataFile(const std::string& name);

std::string EncodeJpeg(const cv::Mat& image, int quality = 90);
std::string EncodePng(const cv::Mat& image);

// `jpeg` with an EXIF APP1 segment holding orientation `orientation` (1..8)
// inserted right after the start-of-image marker.
std::string WithExifOrientation(const std::string& jpeg, int orientation);

// A PNG signature and IHDR chunk declaring width x height (8-bit RGB), then a
// few bytes that are not a valid image body.
std::string PngHeader(uint32_t width, uint32_t height);

// Degraded copies of a photo.
cv::Mat Darkened(const cv::Mat& image, double factor);
cv::Mat Brightened(const cv::Mat& image, int offset);
cv::Mat Blurred(const cv::Mat& image, double sigma);
// Darkens the columns left of `split_x` by `factor`, leaving the rest.
cv::Mat HalfShadowed(const cv::Mat& image, int split_x, double factor);
cv::Mat Scaled(const cv::Mat& image, double factor);
// A crop of the top-left corner background, where there is no face.
cv::Mat NoFaceCrop(const cv::Mat& image);

}  // namespace skinlens::preprocess::testing
