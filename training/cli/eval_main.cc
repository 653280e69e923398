// skinlens-eval: scores a model bundle (or a TorchScript model) on a labelled
// dataset, or scores a predictions CSV: per attribute P-Recall, accuracy,
// macro F1, MAE and the confusion matrix; for a model also the expected
// calibration error before and after the bundle's temperatures, the coverage
// of its abstain rule and P-Recall on what it answers, and P-Recall per
// Fitzpatrick skin type; as tables or as JSON.
#include <torch/torch.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "common/config/config.h"
#include "training/cli/calibration_report.h"
#include "training/cli/evaluation.h"
#include "training/cli/model_evaluation.h"

ABSL_FLAG(std::string, model, "", "model bundle folder or TorchScript .pt file");
ABSL_FLAG(std::string, data, "", "labelled data: a folder in the seed's format or a CSV manifest");
ABSL_FLAG(std::string, predictions, "",
          "instead of --model/--data: a CSV 'image,attribute,true,pred' to score");
ABSL_FLAG(bool, json, false, "print JSON instead of the table");
ABSL_FLAG(std::string, write_predictions, "",
          "also write the model's predictions as a CSV 'image,attribute,true,pred'");
ABSL_FLAG(int, batch_size, 32, "images per forward pass");
ABSL_FLAG(int, threads, 0, "LibTorch threads (0: one per core)");
ABSL_FLAG(bool, white_balance, false,
          "correct each image to neutral light first, as the preprocess service does with crops");

namespace skinlens::training {
namespace {

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "skinlens-eval: %s\n", std::string(status.message()).c_str());
  return status.code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
}

int Print(const Evaluation& evaluation) {
  if (absl::GetFlag(FLAGS_json)) {
    std::cout << EvaluationToJson(evaluation).dump(2) << "\n";
  } else {
    std::cout << EvaluationTable(evaluation);
  }
  return 0;
}

absl::Status WritePredictions(const std::string& path, const std::vector<Sample>& samples,
                              const Evaluation& evaluation) {
  std::ofstream out(path);
  out << "image,attribute,true,pred\n";
  for (size_t i = 0; i < samples.size(); ++i) {
    for (Attribute a : kAllAttributes) {
      out << samples[i].image_path << "," << AttributeName(a) << ","
          << samples[i].grades[AttributeIndex(a)] << ","
          << evaluation.predictions[i][AttributeIndex(a)] << "\n";
    }
  }
  if (!out) return absl::InternalError(absl::StrCat("cannot write '", path, "'"));
  return absl::OkStatus();
}

int Run() {
  if (const std::string csv = absl::GetFlag(FLAGS_predictions); !csv.empty()) {
    absl::StatusOr<Evaluation> evaluation = ScorePredictionsCsv(csv);
    if (!evaluation.ok()) return Fail(evaluation.status());
    return Print(*evaluation);
  }
  if (absl::GetFlag(FLAGS_model).empty() || absl::GetFlag(FLAGS_data).empty()) {
    return Fail(
        absl::InvalidArgumentError("give --model and --data, or --predictions (see --help)"));
  }
  if (absl::GetFlag(FLAGS_threads) > 0) torch::set_num_threads(absl::GetFlag(FLAGS_threads));
  absl::StatusOr<ModelOnData> run =
      EvaluateModelOnData(absl::GetFlag(FLAGS_model), absl::GetFlag(FLAGS_data),
                          absl::GetFlag(FLAGS_batch_size), absl::GetFlag(FLAGS_white_balance));
  if (!run.ok()) return Fail(run.status());
  if (const std::string path = absl::GetFlag(FLAGS_write_predictions); !path.empty()) {
    if (absl::Status s = WritePredictions(path, run->samples, run->evaluation); !s.ok()) {
      return Fail(s);
    }
  }
  std::fprintf(stderr, "skinlens-eval: model %s on %zu images\n",
               run->metadata.model_version.c_str(), run->samples.size());
  const AttributeCalibrations calibrations = CalibrationsOf(run->metadata);
  if (absl::GetFlag(FLAGS_json)) {
    std::cout << EvaluationReportJson(run->evaluation, run->samples, calibrations).dump(2) << "\n";
  } else {
    std::cout << EvaluationTable(run->evaluation)
              << CalibrationAndFairnessTables(run->evaluation, run->samples, calibrations);
  }
  return 0;
}

}  // namespace
}  // namespace skinlens::training

int main(int argc, char** argv) {
  skinlens::InitCommandLine(argc, argv,
                            "skinlens-eval: scores a model on labelled data.\n"
                            "  skinlens-eval --model models/demo --data DIR [--json]\n"
                            "  skinlens-eval --predictions predictions.csv [--json]");
  return skinlens::training::Run();
}
