// preprocess_bench: median milliseconds of the whole preprocessing (decode,
// face detection, quality gate, all eight crops at 224 px) of a 512x512 photo
// and of a 12 MP photo, both made from tests/data/astronaut.jpg.
//
//   preprocess_bench --photo=tests/data/astronaut.jpg --runs=15
//   preprocess_bench --coarse_face_side=0   # the whole-photo face search
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "common/config/config.h"
#include "opencv2/core/utils/logger.hpp"
#include "opencv2/imgcodecs.hpp"
#include "opencv2/imgproc.hpp"
#include "preprocessor.h"

ABSL_FLAG(std::string, photo, "tests/data/astronaut.jpg", "The face photo to time.");
ABSL_FLAG(int, runs, 15, "Timed runs per photo (after one warm-up run).");
ABSL_FLAG(int, coarse_face_side, skinlens::preprocess::FaceDetectorOptions{}.coarse_face_side,
          "Smallest face side in the coarse face search's copy; 0 searches the whole photo "
          "at full detail (the A/B baseline).");

namespace {

namespace pre = skinlens::preprocess;

// Median wall time of Run() on `bytes`, in milliseconds; -1 if it fails.
double MedianMs(const pre::Preprocessor& preprocessor, const std::string& bytes, int runs) {
  std::vector<double> ms;
  pre::QualityReport refusal;
  for (int i = 0; i <= runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    auto result = preprocessor.Run(bytes, pre::AllRegions(), cv::Size(224, 224), &refusal);
    const auto end = std::chrono::steady_clock::now();
    if (!result.ok()) {
      std::fprintf(stderr, "preprocessing failed: %s\n", result.status().ToString().c_str());
      return -1;
    }
    if (i > 0) ms.push_back(std::chrono::duration<double, std::milli>(end - start).count());
    std::fprintf(stderr, "\r  run %d/%d", i, runs);
  }
  std::fprintf(stderr, "\n");
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  skinlens::InitCommandLine(argc, argv,
                            "preprocess_bench: median time of the whole preprocessing of a photo");
  cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_ERROR);
  std::ifstream in(absl::GetFlag(FLAGS_photo), std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read '%s'\n", absl::GetFlag(FLAGS_photo).c_str());
    return 1;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string small = buffer.str();
  // The 12 MP photo is the portrait scaled up, so blurred by construction:
  // the sharpness check is off to time the whole path.
  pre::PreprocessorOptions options;
  options.thresholds.min_sharpness = 0;
  options.detector.coarse_face_side = absl::GetFlag(FLAGS_coarse_face_side);
  auto preprocessor = pre::Preprocessor::Create(options);
  if (!preprocessor.ok()) {
    std::fprintf(stderr, "%s\n", preprocessor.status().ToString().c_str());
    return 1;
  }
  // A 12 MP (4000x3000) phone-sized photo: the portrait scaled up and padded.
  const cv::Mat photo = cv::imdecode(std::vector<uchar>(small.begin(), small.end()), 1);
  cv::Mat big;
  cv::resize(photo, big, cv::Size(3000, 3000), 0, 0, cv::INTER_CUBIC);
  cv::copyMakeBorder(big, big, 0, 0, 500, 500, cv::BORDER_REPLICATE);
  std::vector<uchar> encoded;
  cv::imencode(".jpg", big, encoded, {cv::IMWRITE_JPEG_QUALITY, 90});
  const std::string large(encoded.begin(), encoded.end());

  const int runs = std::max(1, absl::GetFlag(FLAGS_runs));
  std::fprintf(stderr, "512x512 JPEG (%zu bytes)\n", small.size());
  const double small_ms = MedianMs(**preprocessor, small, runs);
  std::fprintf(stderr, "4000x3000 JPEG (%zu bytes)\n", large.size());
  const double large_ms = MedianMs(**preprocessor, large, runs);
  std::printf("photo,median_ms\n512x512,%.1f\n4000x3000,%.1f\n", small_ms, large_ms);
  return small_ms < 0 || large_ms < 0 ? 1 : 0;
}
