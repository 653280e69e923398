// Scoring a grading model on a labelled dataset, or scoring predictions made
// elsewhere: per attribute P-Recall, accuracy, macro F1, MAE and the
// confusion matrix, as a table for people and as JSON for tools.
//
//   SKINLENS_ASSIGN_OR_RETURN(torch::Tensor images, LoadEvaluationImages(samples, 128, norm));
//   SKINLENS_ASSIGN_OR_RETURN(Evaluation result, EvaluateModel(logits_fn, images, samples, 64));
//   std::cout << EvaluationTable(result);
#pragma once

#include <torch/types.h>

#include <array>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "nlohmann/json.hpp"
#include "opencv2/core.hpp"
#include "training/data/dataset.h"
#include "training/metrics/grade_metrics.h"
#include "training/train/image_batch.h"

namespace skinlens::training {

// Logits [N, 5, 5] for normalised images [N, 3, S, S].
using LogitsFunction = std::function<absl::StatusOr<torch::Tensor>(const torch::Tensor& images)>;

struct Evaluation {
  // nullopt for an attribute no sample is labelled for.
  std::array<std::optional<GradeMetrics>, kNumAttributes> metrics;
  int64_t num_samples = 0;
  // Predicted grade per sample and attribute (empty when scoring a CSV).
  std::vector<std::array<int, kNumAttributes>> predictions;
  // The model's logits per sample and attribute, before any temperature
  // (empty when scoring a CSV): what calibration is fitted and measured on.
  std::vector<std::array<std::vector<float>, kNumAttributes>> logits;
};

// Decodes every sample, resizes it to size x size and normalises it: the
// model's view of the evaluation set. `on_progress(done)` is called as images
// load. Errors name the unreadable file.
// `prepare`, when set, transforms each decoded image (BGR, before the
// resize), e.g. the white balance the preprocess service applies to crops.
absl::StatusOr<torch::Tensor> LoadEvaluationImages(
    absl::Span<const Sample> samples, int size, const Normalization& normalization,
    const std::function<void(int64_t)>& on_progress = nullptr,
    const std::function<cv::Mat(const cv::Mat&)>& prepare = nullptr);

// Runs `logits` over `images` in chunks of `batch_size` and scores the argmax
// against the samples' labels (unlabelled attributes skipped).
absl::StatusOr<Evaluation> EvaluateModel(const LogitsFunction& logits, const torch::Tensor& images,
                                         absl::Span<const Sample> samples, int batch_size,
                                         const std::function<void(int64_t)>& on_progress = nullptr);

// Scores a predictions CSV with the header `image,attribute,true,pred` (one
// row per image and attribute; attribute by name, grades 0..4; rows with a
// true grade of -1 or -2 are skipped). INVALID_ARGUMENT naming the line for
// a malformed row.
absl::StatusOr<Evaluation> ScorePredictionsCsv(absl::string_view path);

// The mean P-Recall over the attributes that have metrics (the trainer's
// model-selection score); nullopt when none has.
std::optional<double> MeanPRecall(const Evaluation& evaluation);

// {"num_samples": N, "mean_p_recall": x, "attributes": {"oil": {"p_recall":..,
// "accuracy":.., "macro_f1":.., "mae":.., "labelled":.., "confusion": [[..]]}}}
nlohmann::json EvaluationToJson(const Evaluation& evaluation);

// A fixed-width table, one row per attribute, then each confusion matrix.
std::string EvaluationTable(const Evaluation& evaluation);

}  // namespace skinlens::training
