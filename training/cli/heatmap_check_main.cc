// skinlens-heatmap-check: scores a model's Grad-CAM heatmaps against the
// ground-truth masks of a skinlens-synth dataset (pointing game, heatmap mass
// inside the mask). See heatmap_check.h.
#include <torch/torch.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "common/config/config.h"
#include "common/model/grading_model_loader.h"
#include "training/cli/heatmap_check.h"
#include "training/data/dataset_reader.h"
#include "training/synth/progress_bar.h"

ABSL_FLAG(std::string, model, "", "model bundle folder or TorchScript .pt file");
ABSL_FLAG(std::string, data, "",
          "a skinlens-synth dataset's images/ folder (with masks/ beside it)");
ABSL_FLAG(bool, json, false, "print JSON instead of the table");
ABSL_FLAG(bool, true_grade, false, "explain the true grade instead of the predicted one");
ABSL_FLAG(std::string, target, "expected",
          "what the heatmap explains: 'predicted' (the predicted grade's logit) or 'expected' "
          "(the expected grade, sum of grade x probability: what raises the grade)");
ABSL_FLAG(int, refine_layer, -1,
          "plain CNN only: sharpen Grad-CAM with LayerCAM at the output of layer plain.<k> "
          "(e.g. 2: a 64 x 64 map at 128 px); -1: Grad-CAM at the target layer alone");
ABSL_FLAG(int, threads, 0, "LibTorch threads (0: one per core)");

namespace skinlens::training {
namespace {

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "skinlens-heatmap-check: %s\n", std::string(status.message()).c_str());
  return status.code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
}

int Run() {
  if (absl::GetFlag(FLAGS_model).empty() || absl::GetFlag(FLAGS_data).empty()) {
    return Fail(absl::InvalidArgumentError("--model and --data are required (see --help)"));
  }
  if (const std::string target = absl::GetFlag(FLAGS_target);
      target != "predicted" && target != "expected") {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat("--target must be 'predicted' or 'expected', got '", target, "'")));
  }
  if (absl::GetFlag(FLAGS_threads) > 0) torch::set_num_threads(absl::GetFlag(FLAGS_threads));
  auto model = model::LoadGradingModel(absl::GetFlag(FLAGS_model));
  if (!model.ok()) return Fail(model.status());
  absl::StatusOr<Dataset> data = ReadDataset(absl::GetFlag(FLAGS_data), {});
  if (!data.ok()) return Fail(data.status());
  const int64_t n = static_cast<int64_t>(data->samples.size());
  ProgressBar bar("grad-cam vs masks", n, "img");
  HeatmapCheckOptions options;
  options.explain_true_grade = absl::GetFlag(FLAGS_true_grade);
  options.explain_expected_grade = absl::GetFlag(FLAGS_target) == "expected";
  options.refine_layer = absl::GetFlag(FLAGS_refine_layer);
  absl::StatusOr<HeatmapCheck> check =
      CheckHeatmaps(**model, data->samples, options, [&](int64_t done) { bar.Update(done); });
  if (!check.ok()) {
    bar.Abandon();
    return Fail(check.status());
  }
  bar.Finish(n);
  if (absl::GetFlag(FLAGS_json)) {
    std::cout << HeatmapCheckToJson(*check).dump(2) << "\n";
  } else {
    std::cout << HeatmapCheckTable(*check);
  }
  return 0;
}

}  // namespace
}  // namespace skinlens::training

int main(int argc, char** argv) {
  skinlens::InitCommandLine(argc, argv,
                            "skinlens-heatmap-check: Grad-CAM against ground-truth masks.\n"
                            "  skinlens-heatmap-check --model models/demo --data SYNTH/images");
  return skinlens::training::Run();
}
