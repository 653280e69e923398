// libFuzzer target over the whole preprocessing path: decode within limits,
// face detection, quality gate and crops. Built with clang only
// (-DSKINLENS_FUZZ=ON); its seed corpus is fuzz_corpus/.
//
//   build-fuzz/services/preprocess/preprocess_fuzzer -max_total_time=60 work/ fuzz_corpus/
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>

#include "opencv2/core/utils/logger.hpp"
#include "preprocessor.h"

namespace {

namespace pre = skinlens::preprocess;

const pre::Preprocessor& Instance() {
  static const pre::Preprocessor* preprocessor = [] {
    cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
    pre::PreprocessorOptions options;
    options.limits.max_bytes = 1 << 20;
    options.limits.max_pixels = 1000 * 1000;  // Keeps each run fast.
    options.detector.max_detection_side = 320;
    options.thresholds.min_face_width_px = 16;
    auto created = pre::Preprocessor::Create(options);
    if (!created.ok()) std::abort();  // No cascades: the fuzzer cannot run.
    return created->release();
  }();
  return *preprocessor;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pre::QualityReport refusal;
  auto result = Instance().Run(absl::string_view(reinterpret_cast<const char*>(data), size),
                               pre::AllRegions(), cv::Size(32, 32), &refusal);
  if (result.ok()) {
    for (const pre::Crop& crop : result->crops) {
      if (crop.bgr.cols != 32 || crop.bgr.rows != 32 || crop.bgr.type() != CV_8UC3) std::abort();
    }
  } else if (refusal.issues.empty() || refusal.accepted) {
    std::abort();  // Every refusal must say why.
  }
  return 0;
}
