// The PNG of a run's training curves: training loss per epoch, and
// validation P-Recall per attribute and their mean, side by side. Drawn with
// OpenCV so that a run folder needs no plotting tool to be read.
//
//   SKINLENS_RETURN_IF_ERROR(WriteTrainingCurves(history, run_dir + "/curves.png"));
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "opencv2/core/mat.hpp"
#include "training/data/attributes.h"

namespace skinlens::training {

// What one epoch contributes to the curves.
struct EpochPoint {
  int epoch = 0;  // 1-based
  double train_loss = 0.0;
  std::array<std::optional<double>, kNumAttributes> p_recall;  // nullopt: not evaluated
  std::optional<double> mean_p_recall;
};

// The chart as an 8-bit BGR image of width x height.
cv::Mat DrawTrainingCurves(const std::vector<EpochPoint>& history, int width = 1000,
                           int height = 420);

// Draws and writes it as PNG; INTERNAL naming the path if it cannot be written.
absl::Status WriteTrainingCurves(const std::vector<EpochPoint>& history, absl::string_view path);

}  // namespace skinlens::training
