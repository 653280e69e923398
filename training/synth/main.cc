// skinlens-synth: renders a synthetic skin dataset (or a contact sheet of the
// grades). See docs/SYNTHETIC_DATA.md.
#include <cstdio>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/strings/str_split.h"
#include "common/config/config.h"
#include "opencv2/core.hpp"
#include "training/synth/progress_bar.h"
#include "training/synth/skin_synth.h"
#include "training/synth/synth_dataset.h"

ABSL_FLAG(std::string, out, "", "output folder (created; refused when not empty, see --overwrite)");
ABSL_FLAG(int64_t, count, 0, "number of samples to write");
ABSL_FLAG(uint64_t, seed, 1, "root of every random stream: same seed, same bytes");
ABSL_FLAG(int64_t, first_index, 0,
          "index of the first sample; sample i depends only on (seed, i), so ranges can be "
          "generated separately and merged");
ABSL_FLAG(int, size, 256, "image width and height in pixels (32..4096)");
ABSL_FLAG(int, workers, 0, "rendering threads (0: one per CPU core)");
ABSL_FLAG(double, unlabelled_rate, 0.02,
          "probability that one attribute of an image is written as -1 (unlabelled)");
ABSL_FLAG(std::string, grade_weights_oil, "",
          "relative frequency of oil grades 0..4, e.g. 0.28,0.36,0.22,0.10,0.04 (empty: default)");
ABSL_FLAG(std::string, grade_weights_hydration, "",
          "relative frequency of hydration (dryness) grades 0..4 (empty: default "
          "0.25,0.38,0.25,0.09,0.03)");
ABSL_FLAG(std::string, grade_weights_wrinkle, "",
          "relative frequency of wrinkle grades 0..4 (empty: default 0.34,0.30,0.20,0.12,0.04)");
ABSL_FLAG(std::string, grade_weights_pigmentation, "",
          "relative frequency of pigmentation grades 0..4 (empty: default "
          "0.30,0.33,0.22,0.11,0.04)");
ABSL_FLAG(std::string, grade_weights_sensitivity, "",
          "relative frequency of sensitivity grades 0..4 (empty: default "
          "0.38,0.32,0.18,0.09,0.03)");
ABSL_FLAG(std::string, skin_type_weights, "",
          "relative frequency of Fitzpatrick types I..VI, e.g. 0.12,0.22,0.24,0.20,0.13,0.09 "
          "(empty: that default)");
ABSL_FLAG(std::string, parts, "",
          "comma-separated face regions to draw from (empty: all of forehead, glabella, left_eye, "
          "right_eye, left_cheek, right_cheek, nose, chin)");
ABSL_FLAG(bool, overwrite, false,
          "write into a non-empty output folder, replacing same-name files");
ABSL_FLAG(bool, resume, false,
          "continue an earlier run in --out with the same settings, skipping finished samples");
ABSL_FLAG(bool, masks, true, "write the per-attribute ground-truth masks under masks/");
ABSL_FLAG(int, png_compression, 1, "zlib level of the PNG files, 0..9");
ABSL_FLAG(std::string, contact_sheet, "",
          "instead of a dataset, write a PNG grid of one sample per grade (columns) per attribute "
          "(rows) to this file");
ABSL_FLAG(int, contact_tile, 104, "side of one sample in the contact sheet, pixels");

namespace skinlens::training {
namespace {

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "skinlens-synth: %s\n", std::string(status.message()).c_str());
  return 1;
}

int Run() {
  // Samples are rendered in parallel by our own workers; OpenCV's inner
  // threads would only compete with them.
  cv::setNumThreads(1);

  if (const std::string sheet_path = absl::GetFlag(FLAGS_contact_sheet); !sheet_path.empty()) {
    absl::StatusOr<cv::Mat> sheet =
        RenderContactSheet(absl::GetFlag(FLAGS_seed), absl::GetFlag(FLAGS_contact_tile));
    if (!sheet.ok()) return Fail(sheet.status());
    if (absl::Status s = WritePng(sheet_path, *sheet, 9); !s.ok()) return Fail(s);
    std::fprintf(stderr, "skinlens-synth: wrote %s (%dx%d)\n", sheet_path.c_str(), sheet->cols,
                 sheet->rows);
    return 0;
  }

  SynthConfig config;
  config.seed = absl::GetFlag(FLAGS_seed);
  config.size = absl::GetFlag(FLAGS_size);
  config.unlabelled_rate = absl::GetFlag(FLAGS_unlabelled_rate);
  const std::string weight_flags[kNumAttributes] = {
      absl::GetFlag(FLAGS_grade_weights_oil), absl::GetFlag(FLAGS_grade_weights_hydration),
      absl::GetFlag(FLAGS_grade_weights_wrinkle), absl::GetFlag(FLAGS_grade_weights_pigmentation),
      absl::GetFlag(FLAGS_grade_weights_sensitivity)};
  for (int a = 0; a < kNumAttributes; ++a) {
    if (weight_flags[a].empty()) continue;
    absl::StatusOr<GradeWeights> weights = ParseGradeWeights(weight_flags[a]);
    if (!weights.ok()) {
      return Fail(absl::InvalidArgumentError(absl::StrCat(
          "--grade_weights_", AttributeName(kAllAttributes[a]), ": ", weights.status().message())));
    }
    config.grade_weights[a] = *weights;
  }
  if (const std::string types = absl::GetFlag(FLAGS_skin_type_weights); !types.empty()) {
    absl::StatusOr<SkinTypeWeights> weights = ParseSkinTypeWeights(types);
    if (!weights.ok()) {
      return Fail(absl::InvalidArgumentError(
          absl::StrCat("--skin_type_weights: ", weights.status().message())));
    }
    config.skin_type_weights = *weights;
  }
  if (const std::string parts = absl::GetFlag(FLAGS_parts); !parts.empty()) {
    config.parts = absl::StrSplit(parts, ',', absl::SkipEmpty());
  }
  absl::StatusOr<SkinSynthesizer> synth = SkinSynthesizer::Create(config);
  if (!synth.ok()) return Fail(synth.status());

  DatasetOptions options;
  options.out_dir = absl::GetFlag(FLAGS_out);
  options.count = absl::GetFlag(FLAGS_count);
  options.first_index = absl::GetFlag(FLAGS_first_index);
  options.workers = absl::GetFlag(FLAGS_workers);
  if (options.workers == 0) options.workers = std::max(1u, std::thread::hardware_concurrency());
  options.overwrite = absl::GetFlag(FLAGS_overwrite);
  options.resume = absl::GetFlag(FLAGS_resume);
  options.write_masks = absl::GetFlag(FLAGS_masks);
  options.png_compression = absl::GetFlag(FLAGS_png_compression);
  if (options.out_dir.empty()) {
    return Fail(absl::InvalidArgumentError("--out is required (or --contact_sheet)"));
  }
  if (options.count <= 0) return Fail(absl::InvalidArgumentError("--count must be > 0"));

  ProgressBar bar("skinlens-synth", options.count, "img");
  int64_t last_done = 0;
  absl::StatusOr<DatasetReport> report =
      GenerateDataset(*synth, options, [&](int64_t done, int64_t /*total*/) {
        last_done = done;
        bar.Update(done);
      });
  if (!report.ok()) {
    bar.Abandon();
    return Fail(report.status());
  }
  bar.Finish(last_done);
  std::fprintf(stderr,
               "skinlens-synth: wrote %lld samples (%lld already there) to %s in %.1f s: %.1f "
               "images/s on %d workers\n",
               static_cast<long long>(report->written), static_cast<long long>(report->skipped),
               options.out_dir.c_str(), report->seconds,
               report->seconds > 0 ? static_cast<double>(report->written) / report->seconds : 0.0,
               options.workers);
  return 0;
}

}  // namespace
}  // namespace skinlens::training

int main(int argc, char** argv) {
  skinlens::InitCommandLine(
      argc, argv,
      "skinlens-synth: renders synthetic skin-region images with known grades and masks.\n"
      "  skinlens-synth --out DIR --count N [--seed S] [--size 256] [--workers K]\n"
      "  skinlens-synth --contact_sheet FILE.png [--contact_tile 104]");
  return skinlens::training::Run();
}
