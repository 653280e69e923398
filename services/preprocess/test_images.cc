#include "test_images.h"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

#include "opencv2/imgcodecs.hpp"
#include "opencv2/imgproc.hpp"

namespace skinlens::preprocess::testing {

std::string AstronautJpeg() { return TestDataFile("astronaut.jpg"); }

std::string TestDataFile(const std::string& name) {
  const std::string path = std::string(SKINLENS_TEST_DATA) + "/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "missing test file " << path << "\n";
    std::abort();
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

cv::Mat Astronaut() {
  const std::string bytes = AstronautJpeg();
  return cv::imdecode(std::vector<uchar>(bytes.begin(), bytes.end()), cv::IMREAD_COLOR);
}

std::string EncodeJpeg(const cv::Mat& image, int quality) {
  std::vector<uchar> out;
  cv::imencode(".jpg", image, out, {cv::IMWRITE_JPEG_QUALITY, quality});
  return std::string(out.begin(), out.end());
}

std::string EncodePng(const cv::Mat& image) {
  std::vector<uchar> out;
  cv::imencode(".png", image, out);
  return std::string(out.begin(), out.end());
}

std::string WithExifOrientation(const std::string& jpeg, int orientation) {
  // TIFF header (big endian, IFD0 at offset 8), one IFD entry: tag 0x0112
  // (Orientation), type SHORT, count 1, the value, then no next IFD.
  std::string tiff("MM\x00\x2a\x00\x00\x00\x08", 8);
  tiff += std::string("\x00\x01", 2);
  tiff += std::string("\x01\x12\x00\x03\x00\x00\x00\x01", 8);
  tiff += static_cast<char>(0);
  tiff += static_cast<char>(orientation);
  tiff += std::string("\x00\x00", 2);
  tiff += std::string("\x00\x00\x00\x00", 4);
  const std::string payload = std::string("Exif\x00\x00", 6) + tiff;
  const size_t length = payload.size() + 2;
  std::string app1("\xFF\xE1", 2);
  app1 += static_cast<char>(length >> 8);
  app1 += static_cast<char>(length & 0xFF);
  app1 += payload;
  return jpeg.substr(0, 2) + app1 + jpeg.substr(2);
}

std::string PngHeader(uint32_t width, uint32_t height) {
  std::string png("\x89PNG\r\n\x1a\n", 8);
  png += std::string("\x00\x00\x00\x0dIHDR", 8);
  for (uint32_t v : {width, height}) {
    for (int shift = 24; shift >= 0; shift -= 8) png += static_cast<char>((v >> shift) & 0xFF);
  }
  png += std::string("\x08\x02\x00\x00\x00", 5);  // 8-bit RGB, no interlace.
  png += std::string("\x00\x00\x00\x00", 4);      // CRC (wrong; never read).
  png += std::string("\x00\x00\x00\x0e", 4) + "IDATgarbagegarbage";
  return png;
}

cv::Mat Darkened(const cv::Mat& image, double factor) {
  cv::Mat out;
  image.convertTo(out, -1, factor, 0);
  return out;
}

cv::Mat Brightened(const cv::Mat& image, int offset) {
  cv::Mat out;
  image.convertTo(out, -1, 1.0, offset);
  return out;
}

cv::Mat Blurred(const cv::Mat& image, double sigma) {
  cv::Mat out;
  cv::GaussianBlur(image, out, cv::Size(), sigma);
  return out;
}

cv::Mat HalfShadowed(const cv::Mat& image, int split_x, double factor) {
  cv::Mat out = image.clone();
  cv::Mat left = out(cv::Rect(0, 0, split_x, out.rows));
  left.convertTo(left, -1, factor, 0);
  return out;
}

cv::Mat Scaled(const cv::Mat& image, double factor) {
  cv::Mat out;
  cv::resize(image, out, cv::Size(), factor, factor, cv::INTER_AREA);
  return out;
}

cv::Mat NoFaceCrop(const cv::Mat& image) { return image(cv::Rect(0, 0, 160, 160)).clone(); }

}  // namespace skinlens::preprocess::testing
