#include "training/cli/dataset_report.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "opencv2/imgproc.hpp"
#include "training/data/image_loader.h"

namespace skinlens::training {
namespace {

std::string AspectName(int width, int height) {
  const double ratio = static_cast<double>(width) / std::max(1, height);
  struct Named {
    double ratio;
    const char* name;
  };
  static constexpr Named kCommon[] = {{1.0, "1:1"},       {4.0 / 3, "4:3"},   {3.0 / 4, "3:4"},
                                      {16.0 / 9, "16:9"}, {9.0 / 16, "9:16"}, {3.0 / 2, "3:2"},
                                      {2.0 / 3, "2:3"}};
  for (const Named& n : kCommon) {
    if (std::abs(ratio - n.ratio) < 0.02) return n.name;
  }
  return ratio > 1 ? "other landscape" : "other portrait";
}

}  // namespace

absl::StatusOr<DatasetReport> BuildDatasetReport(absl::Span<const Sample> samples,
                                                 bool measure_images,
                                                 const std::function<void(int64_t)>& on_progress) {
  DatasetReport report;
  report.num_samples = static_cast<int64_t>(samples.size());
  report.grades = CountAllGrades(samples);
  for (const Sample& s : samples) ++report.parts[s.part];
  if (!measure_images) return report;
  report.min_width = report.min_height = std::numeric_limits<int>::max();
  double sum_w = 0, sum_h = 0;
  for (size_t i = 0; i < samples.size(); ++i) {
    absl::StatusOr<cv::Mat> image = LoadImageBgr8(samples[i].image_path);
    if (!image.ok()) return image.status();
    const int w = image->cols, h = image->rows;
    report.min_width = std::min(report.min_width, w);
    report.max_width = std::max(report.max_width, w);
    report.min_height = std::min(report.min_height, h);
    report.max_height = std::max(report.max_height, h);
    sum_w += w;
    sum_h += h;
    ++report.aspect_ratios[AspectName(w, h)];
    ++report.sizes[absl::StrCat(w, "x", h)];
    ++report.measured;
    if (on_progress) on_progress(static_cast<int64_t>(i + 1));
  }
  if (report.measured > 0) {
    report.mean_width = sum_w / report.measured;
    report.mean_height = sum_h / report.measured;
  } else {
    report.min_width = report.min_height = 0;
  }
  return report;
}

std::string DatasetReportTable(const DatasetReport& report) {
  std::string out = absl::StrFormat("%lld samples\n\n%-13s",
                                    static_cast<long long>(report.num_samples), "attribute");
  for (int g = 0; g < kNumGrades; ++g)
    absl::StrAppendFormat(&out, " %8s", absl::StrCat("grade ", g));
  absl::StrAppendFormat(&out, " %11s %8s\n", "unlabelled", "rarest");
  for (Attribute a : kAllAttributes) {
    const GradeHistogram& h = report.grades[AttributeIndex(a)];
    absl::StrAppendFormat(&out, "%-13s", AttributeName(a));
    int64_t rarest = std::numeric_limits<int64_t>::max();
    for (int g = 0; g < kNumGrades; ++g) {
      absl::StrAppendFormat(&out, " %8lld", static_cast<long long>(h.counts[g]));
      if (h.counts[g] > 0) rarest = std::min(rarest, h.counts[g]);
    }
    const double share = h.labelled() > 0 && rarest != std::numeric_limits<int64_t>::max()
                             ? 100.0 * rarest / h.labelled()
                             : 0.0;
    absl::StrAppendFormat(&out, " %11lld %7.1f%%\n", static_cast<long long>(h.unlabelled), share);
  }
  absl::StrAppend(&out, "\nregions:");
  for (const auto& [part, count] : report.parts) {
    absl::StrAppend(&out, " ", part.empty() ? "(none)" : part, "=", count);
  }
  absl::StrAppend(&out, "\n");
  if (report.measured > 0) {
    absl::StrAppendFormat(&out,
                          "\nimage sizes: width %d..%d (mean %.0f), height %d..%d (mean %.0f)\n",
                          report.min_width, report.max_width, report.mean_width, report.min_height,
                          report.max_height, report.mean_height);
    absl::StrAppend(&out, "aspect ratios:");
    for (const auto& [name, count] : report.aspect_ratios)
      absl::StrAppend(&out, " ", name, "=", count);
    std::vector<std::pair<std::string, int64_t>> sizes(report.sizes.begin(), report.sizes.end());
    std::sort(sizes.begin(), sizes.end(),
              [](const auto& a, const auto& b) { return a.second > b.second; });
    absl::StrAppend(&out, "\nmost common sizes:");
    for (size_t i = 0; i < std::min<size_t>(5, sizes.size()); ++i) {
      absl::StrAppend(&out, " ", sizes[i].first, "=", sizes[i].second);
    }
    absl::StrAppend(&out, "\n");
  }
  return out;
}

nlohmann::json DatasetReportToJson(const DatasetReport& report) {
  nlohmann::json attributes = nlohmann::json::object();
  for (Attribute a : kAllAttributes) {
    const GradeHistogram& h = report.grades[AttributeIndex(a)];
    attributes[std::string(AttributeName(a))] = {{"grade_counts", h.counts},
                                                 {"unlabelled", h.unlabelled}};
  }
  nlohmann::json j = {
      {"num_samples", report.num_samples}, {"attributes", attributes}, {"parts", report.parts}};
  if (report.measured > 0) {
    j["images"] = {
        {"measured", report.measured},
        {"width",
         {{"min", report.min_width}, {"max", report.max_width}, {"mean", report.mean_width}}},
        {"height",
         {{"min", report.min_height}, {"max", report.max_height}, {"mean", report.mean_height}}},
        {"aspect_ratios", report.aspect_ratios},
        {"sizes", report.sizes}};
  }
  return j;
}

cv::Mat DrawGradeHistograms(const DatasetReport& report) {
  constexpr int kPanelWidth = 230, kPanelHeight = 260, kMargin = 30;
  cv::Mat image(kPanelHeight + 2 * kMargin, kNumAttributes * kPanelWidth + kMargin, CV_8UC3,
                cv::Scalar(255, 255, 255));
  for (int a = 0; a < kNumAttributes; ++a) {
    const GradeHistogram& h = report.grades[a];
    int64_t max_count = std::max<int64_t>(1, h.unlabelled);
    for (int64_t c : h.counts) max_count = std::max(max_count, c);
    const int x0 = kMargin + a * kPanelWidth;
    const int base = kMargin + kPanelHeight - 40;
    const int usable = kPanelHeight - 80;
    cv::putText(image, std::string(AttributeName(static_cast<Attribute>(a))), {x0, kMargin},
                cv::FONT_HERSHEY_SIMPLEX, 0.55, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
    for (int bar = 0; bar <= kNumGrades; ++bar) {
      const bool unlabelled = bar == kNumGrades;
      const int64_t count = unlabelled ? h.unlabelled : h.counts[bar];
      const int height =
          static_cast<int>(std::lround(static_cast<double>(count) / max_count * usable));
      const int x = x0 + bar * 34;
      cv::rectangle(image, {x, base - height}, {x + 26, base},
                    unlabelled ? cv::Scalar(190, 190, 190) : cv::Scalar(170, 110, 40), cv::FILLED);
      cv::putText(image, unlabelled ? "-" : std::to_string(bar), {x + 8, base + 16},
                  cv::FONT_HERSHEY_SIMPLEX, 0.45, cv::Scalar(60, 60, 60), 1, cv::LINE_AA);
      cv::putText(image, std::to_string(count), {x, base - height - 4}, cv::FONT_HERSHEY_SIMPLEX,
                  0.33, cv::Scalar(60, 60, 60), 1, cv::LINE_AA);
    }
  }
  return image;
}

}  // namespace skinlens::training
