// skinlens-eval: scores a model bundle (or a TorchScript model) on a labelled
// dataset, or scores a predictions CSV: per attribute P-Recall, accuracy,
// macro F1, MAE and the confusion matrix, as a table or as JSON.
#include <torch/torch.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "common/config/config.h"
#include "common/model/grading_model_loader.h"
#include "training/cli/evaluation.h"
#include "training/data/dataset_reader.h"
#include "training/synth/progress_bar.h"

ABSL_FLAG(std::string, model, "", "model bundle folder or TorchScript .pt file");
ABSL_FLAG(std::string, data, "", "labelled data: a folder in the seed's format or a CSV manifest");
ABSL_FLAG(std::string, predictions, "",
          "instead of --model/--data: a CSV 'image,attribute,true,pred' to score");
ABSL_FLAG(bool, json, false, "print JSON instead of the table");
ABSL_FLAG(std::string, write_predictions, "",
          "also write the model's predictions as a CSV 'image,attribute,true,pred'");
ABSL_FLAG(int, batch_size, 32, "images per forward pass");
ABSL_FLAG(int, threads, 0, "LibTorch threads (0: one per core)");

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
  absl::StatusOr<std::unique_ptr<model::GradingModel>> model =
      model::LoadGradingModel(absl::GetFlag(FLAGS_model));
  if (!model.ok()) return Fail(model.status());
  const model::ModelMetadata& metadata = (*model)->metadata();
  if (metadata.input.height != metadata.input.width) {
    return Fail(absl::FailedPreconditionError("only square model inputs are supported"));
  }

  DatasetReadOptions read_options;
  absl::StatusOr<Dataset> data = ReadDataset(absl::GetFlag(FLAGS_data), read_options);
  if (!data.ok()) return Fail(data.status());
  if (!data->bad_files.empty()) {
    std::fprintf(stderr, "skinlens-eval: %zu bad file(s) left out:\n%s\n", data->bad_files.size(),
                 BadFileReport(data->bad_files, 20).c_str());
  }
  Normalization normalization;
  for (int c = 0; c < 3; ++c) {
    normalization.mean[c] = static_cast<float>(metadata.input.mean[c]);
    normalization.std[c] = static_cast<float>(metadata.input.std[c]);
  }
  const int64_t n = static_cast<int64_t>(data->samples.size());
  ProgressBar load_bar("loading images", n, "img");
  absl::StatusOr<torch::Tensor> images =
      LoadEvaluationImages(data->samples, metadata.input.height, normalization,
                           [&](int64_t done) { load_bar.Update(done); });
  if (!images.ok()) {
    load_bar.Abandon();
    return Fail(images.status());
  }
  load_bar.Finish(n);

  ProgressBar bar("evaluating", n, "img");
  torch::InferenceMode inference;
  auto logits = [&](const torch::Tensor& batch) -> absl::StatusOr<torch::Tensor> {
    absl::StatusOr<model::GradingOutput> out = (*model)->Forward(batch, false);
    if (!out.ok()) return out.status();
    return out->logits;
  };
  absl::StatusOr<Evaluation> evaluation =
      EvaluateModel(logits, *images, data->samples, absl::GetFlag(FLAGS_batch_size),
                    [&](int64_t done) { bar.Update(done); });
  if (!evaluation.ok()) {
    bar.Abandon();
    return Fail(evaluation.status());
  }
  bar.Finish(n);
  if (const std::string path = absl::GetFlag(FLAGS_write_predictions); !path.empty()) {
    if (absl::Status s = WritePredictions(path, data->samples, *evaluation); !s.ok()) {
      return Fail(s);
    }
  }
  std::fprintf(stderr, "skinlens-eval: model %s on %lld images\n", metadata.model_version.c_str(),
               static_cast<long long>(n));
  return Print(*evaluation);
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
