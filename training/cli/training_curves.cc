#include "training/cli/training_curves.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "opencv2/imgcodecs.hpp"
#include "opencv2/imgproc.hpp"

namespace skinlens::training {
namespace {

// One colour per attribute (BGR), then the mean in black.
const cv::Scalar kAttributeColours[kNumAttributes] = {
    {0, 160, 230}, {200, 120, 0}, {60, 60, 60}, {30, 90, 160}, {60, 40, 220}};

struct Panel {
  cv::Rect area;
  double y_min, y_max;
  int epochs;

  cv::Point At(double epoch, double y) const {
    const double fx = epochs <= 1 ? 0.5 : (epoch - 1) / (epochs - 1);
    const double fy = (y - y_min) / std::max(1e-9, y_max - y_min);
    return {area.x + static_cast<int>(std::lround(fx * area.width)),
            area.y + area.height - static_cast<int>(std::lround(fy * area.height))};
  }
};

void DrawFrame(cv::Mat& image, const Panel& panel, const std::string& title) {
  cv::rectangle(image, panel.area, cv::Scalar(180, 180, 180), 1);
  cv::putText(image, title, {panel.area.x, panel.area.y - 10}, cv::FONT_HERSHEY_SIMPLEX, 0.55,
              cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  for (int i = 0; i <= 4; ++i) {
    const double y = panel.y_min + (panel.y_max - panel.y_min) * i / 4.0;
    cv::Point p = panel.At(1, y);
    p.x = panel.area.x;
    cv::line(image, p, {panel.area.x + panel.area.width, p.y}, cv::Scalar(235, 235, 235), 1);
    cv::putText(image, absl::StrFormat("%.2f", y), {panel.area.x - 48, p.y + 4},
                cv::FONT_HERSHEY_SIMPLEX, 0.4, cv::Scalar(80, 80, 80), 1, cv::LINE_AA);
  }
  cv::putText(image, absl::StrCat("epoch 1..", panel.epochs),
              {panel.area.x + panel.area.width / 2 - 40, panel.area.y + panel.area.height + 22},
              cv::FONT_HERSHEY_SIMPLEX, 0.45, cv::Scalar(80, 80, 80), 1, cv::LINE_AA);
}

void DrawSeries(cv::Mat& image, const Panel& panel,
                const std::vector<std::pair<int, double>>& points, const cv::Scalar& colour,
                int thickness) {
  for (size_t i = 0; i < points.size(); ++i) {
    const cv::Point p = panel.At(points[i].first, points[i].second);
    cv::circle(image, p, 3, colour, cv::FILLED, cv::LINE_AA);
    if (i > 0) {
      cv::line(image, panel.At(points[i - 1].first, points[i - 1].second), p, colour, thickness,
               cv::LINE_AA);
    }
  }
}

}  // namespace

cv::Mat DrawTrainingCurves(const std::vector<EpochPoint>& history, int width, int height) {
  cv::Mat image(height, width, CV_8UC3, cv::Scalar(255, 255, 255));
  const int epochs = history.empty() ? 1 : history.back().epoch;
  const int panel_width = width / 2 - 90;
  const int panel_height = height - 110;

  double loss_max = 0;
  std::vector<std::pair<int, double>> loss;
  for (const EpochPoint& point : history) {
    loss.push_back({point.epoch, point.train_loss});
    loss_max = std::max(loss_max, point.train_loss);
  }
  Panel loss_panel{{70, 40, panel_width, panel_height}, 0.0, loss_max * 1.1 + 1e-6, epochs};
  DrawFrame(image, loss_panel, "training loss (sum over attributes)");
  DrawSeries(image, loss_panel, loss, cv::Scalar(0, 0, 0), 2);

  Panel recall_panel{{width / 2 + 70, 40, panel_width, panel_height}, -0.5, 1.0, epochs};
  DrawFrame(image, recall_panel, "validation P-Recall");
  for (int a = 0; a < kNumAttributes; ++a) {
    std::vector<std::pair<int, double>> series;
    for (const EpochPoint& point : history) {
      if (point.p_recall[a].has_value()) series.push_back({point.epoch, *point.p_recall[a]});
    }
    DrawSeries(image, recall_panel, series, kAttributeColours[a], 1);
    cv::putText(image, std::string(AttributeName(static_cast<Attribute>(a))),
                {recall_panel.area.x + a * 95, height - 30}, cv::FONT_HERSHEY_SIMPLEX, 0.45,
                kAttributeColours[a], 1, cv::LINE_AA);
  }
  std::vector<std::pair<int, double>> mean;
  for (const EpochPoint& point : history) {
    if (point.mean_p_recall.has_value()) mean.push_back({point.epoch, *point.mean_p_recall});
  }
  DrawSeries(image, recall_panel, mean, cv::Scalar(0, 0, 0), 2);
  cv::putText(image, "mean", {recall_panel.area.x + 5 * 95, height - 30}, cv::FONT_HERSHEY_SIMPLEX,
              0.45, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  return image;
}

absl::Status WriteTrainingCurves(const std::vector<EpochPoint>& history, absl::string_view path) {
  const cv::Mat image = DrawTrainingCurves(history);
  bool written = false;
  try {
    written = cv::imwrite(std::string(path), image);
  } catch (const cv::Exception& e) {
    return absl::InternalError(absl::StrCat("cannot write '", path, "': ", e.what()));
  }
  if (!written) return absl::InternalError(absl::StrCat("cannot write '", path, "'"));
  return absl::OkStatus();
}

}  // namespace skinlens::training
