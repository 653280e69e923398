// The seed's exploratory data analysis as a report: per attribute the grade
// counts and the unlabelled count, image sizes and aspect ratios, and the
// face regions, as a table, JSON, and a PNG of grade histograms.
//
//   SKINLENS_ASSIGN_OR_RETURN(DatasetReport report, BuildDatasetReport(dataset.samples));
//   std::cout << DatasetReportTable(report);
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "nlohmann/json.hpp"
#include "opencv2/core/mat.hpp"
#include "training/data/dataset.h"

namespace skinlens::training {

struct DatasetReport {
  int64_t num_samples = 0;
  std::array<GradeHistogram, kNumAttributes> grades;
  std::map<std::string, int64_t> parts;  // "" = no region given
  // Image geometry (only when images were measured).
  int64_t measured = 0;
  int min_width = 0, max_width = 0, min_height = 0, max_height = 0;
  double mean_width = 0, mean_height = 0;
  std::map<std::string, int64_t> aspect_ratios;  // "1:1", "4:3", "3:4", "other" ...
  std::map<std::string, int64_t> sizes;          // "WxH" -> count (most common first in the table)
};

// Counts labels; with `measure_images`, also decodes every image for its size
// (`on_progress(done)` as it goes). Errors name an unreadable image.
absl::StatusOr<DatasetReport> BuildDatasetReport(
    absl::Span<const Sample> samples, bool measure_images,
    const std::function<void(int64_t)>& on_progress = nullptr);

std::string DatasetReportTable(const DatasetReport& report);
nlohmann::json DatasetReportToJson(const DatasetReport& report);
// One bar chart of grade counts per attribute (unlabelled in grey).
cv::Mat DrawGradeHistograms(const DatasetReport& report);

}  // namespace skinlens::training
