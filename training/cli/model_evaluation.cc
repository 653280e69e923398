#include "training/cli/model_evaluation.h"

#include <torch/torch.h>

#include <cstdio>

#include "common/model/grading_model_loader.h"
#include "common/status/status_macros.h"
#include "services/preprocess/white_balance.h"
#include "training/data/dataset_reader.h"
#include "training/synth/progress_bar.h"

namespace skinlens::training {

absl::StatusOr<ModelOnData> EvaluateModelOnData(absl::string_view model_path,
                                                absl::string_view data_path, int batch_size,
                                                bool white_balance) {
  SKINLENS_ASSIGN_OR_RETURN(std::unique_ptr<model::GradingModel> model,
                            model::LoadGradingModel(model_path));
  ModelOnData run;
  run.metadata = model->metadata();
  if (run.metadata.input.height != run.metadata.input.width) {
    return absl::FailedPreconditionError("only square model inputs are supported");
  }
  SKINLENS_ASSIGN_OR_RETURN(Dataset data, ReadDataset(data_path, DatasetReadOptions{}));
  if (!data.bad_files.empty()) {
    std::fprintf(stderr, "%zu bad file(s) left out:\n%s\n", data.bad_files.size(),
                 BadFileReport(data.bad_files, 20).c_str());
  }
  run.samples = std::move(data.samples);
  Normalization normalization;
  for (int c = 0; c < 3; ++c) {
    normalization.mean[c] = static_cast<float>(run.metadata.input.mean[c]);
    normalization.std[c] = static_cast<float>(run.metadata.input.std[c]);
  }
  const int64_t n = static_cast<int64_t>(run.samples.size());
  ProgressBar load_bar("loading images", n, "img");
  absl::StatusOr<torch::Tensor> images = LoadEvaluationImages(
      run.samples, run.metadata.input.height, normalization,
      [&](int64_t done) { load_bar.Update(done); },
      white_balance ? std::function<cv::Mat(const cv::Mat&)>([](const cv::Mat& bgr) {
        return preprocess::CorrectWhiteBalance(bgr, preprocess::EstimateIlluminant(bgr));
      })
                    : nullptr);
  if (!images.ok()) {
    load_bar.Abandon();
    return images.status();
  }
  load_bar.Finish(n);

  ProgressBar bar("evaluating", n, "img");
  torch::InferenceMode inference;
  auto logits = [&](const torch::Tensor& batch) -> absl::StatusOr<torch::Tensor> {
    SKINLENS_ASSIGN_OR_RETURN(model::GradingOutput out, model->Forward(batch, false));
    return out.logits;
  };
  absl::StatusOr<Evaluation> evaluation = EvaluateModel(logits, *images, run.samples, batch_size,
                                                        [&](int64_t done) { bar.Update(done); });
  if (!evaluation.ok()) {
    bar.Abandon();
    return evaluation.status();
  }
  bar.Finish(n);
  run.evaluation = *std::move(evaluation);
  return run;
}

}  // namespace skinlens::training
