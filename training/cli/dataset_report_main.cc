// skinlens-dataset-report: the seed's data analysis as a command — grade
// counts per attribute, unlabelled counts, regions, image sizes and aspect
// ratios, as a table or JSON, and a PNG of the grade histograms.
#include <cstdio>
#include <iostream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "common/config/config.h"
#include "opencv2/imgcodecs.hpp"
#include "training/cli/dataset_report.h"
#include "training/data/dataset_reader.h"
#include "training/synth/progress_bar.h"

ABSL_FLAG(std::string, data, "", "a folder in the seed's format or a CSV manifest");
ABSL_FLAG(bool, json, false, "print JSON instead of the table");
ABSL_FLAG(std::string, png, "", "also write the grade histograms to this PNG file");
ABSL_FLAG(bool, measure_images, true, "decode every image for its size (slower)");

namespace skinlens::training {
namespace {

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "skinlens-dataset-report: %s\n", std::string(status.message()).c_str());
  return status.code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
}

int Run() {
  if (absl::GetFlag(FLAGS_data).empty()) {
    return Fail(absl::InvalidArgumentError("--data is required (see --help)"));
  }
  absl::StatusOr<Dataset> data = ReadDataset(absl::GetFlag(FLAGS_data), {});
  if (!data.ok()) return Fail(data.status());
  if (!data->bad_files.empty()) {
    std::fprintf(stderr, "%zu bad file(s) left out:\n%s\n", data->bad_files.size(),
                 BadFileReport(data->bad_files, 20).c_str());
  }
  const int64_t n = static_cast<int64_t>(data->samples.size());
  ProgressBar bar("measuring images", n, "img");
  const bool measure = absl::GetFlag(FLAGS_measure_images);
  absl::StatusOr<DatasetReport> report =
      BuildDatasetReport(data->samples, measure, [&](int64_t done) { bar.Update(done); });
  if (!report.ok()) {
    bar.Abandon();
    return Fail(report.status());
  }
  if (measure) bar.Finish(n);
  if (const std::string png = absl::GetFlag(FLAGS_png); !png.empty()) {
    if (!cv::imwrite(png, DrawGradeHistograms(*report))) {
      return Fail(absl::InternalError(absl::StrCat("cannot write '", png, "'")));
    }
  }
  if (absl::GetFlag(FLAGS_json)) {
    std::cout << DatasetReportToJson(*report).dump(2) << "\n";
  } else {
    std::cout << DatasetReportTable(*report);
  }
  return 0;
}

}  // namespace
}  // namespace skinlens::training

int main(int argc, char** argv) {
  skinlens::InitCommandLine(argc, argv,
                            "skinlens-dataset-report: grade counts, regions and image sizes.\n"
                            "  skinlens-dataset-report --data DIR [--png grades.png] [--json]");
  return skinlens::training::Run();
}
