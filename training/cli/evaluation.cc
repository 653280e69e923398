#include "training/cli/evaluation.h"

#include <fstream>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "opencv2/imgproc.hpp"
#include "training/data/image_loader.h"

namespace skinlens::training {

absl::StatusOr<torch::Tensor> LoadEvaluationImages(
    absl::Span<const Sample> samples, int size, const Normalization& normalization,
    const std::function<void(int64_t)>& on_progress,
    const std::function<cv::Mat(const cv::Mat&)>& prepare) {
  if (samples.empty()) return absl::InvalidArgumentError("no samples to evaluate");
  std::vector<torch::Tensor> chunks;
  constexpr size_t kChunk = 64;
  for (size_t start = 0; start < samples.size(); start += kChunk) {
    std::vector<cv::Mat> images;
    for (size_t i = start; i < std::min(samples.size(), start + kChunk); ++i) {
      absl::StatusOr<cv::Mat> image = LoadImageBgr8(samples[i].image_path);
      if (!image.ok()) return image.status();
      if (prepare) *image = prepare(*image);
      cv::Mat sized;
      cv::resize(*image, sized, cv::Size(size, size), 0, 0,
                 image->rows > size ? cv::INTER_AREA : cv::INTER_LINEAR);
      images.push_back(std::move(sized));
    }
    absl::StatusOr<torch::Tensor> tensor = ImagesToTensor(images, normalization);
    if (!tensor.ok()) return tensor.status();
    chunks.push_back(*std::move(tensor));
    if (on_progress) on_progress(static_cast<int64_t>(start + images.size()));
  }
  return torch::cat(chunks, 0);
}

absl::StatusOr<Evaluation> EvaluateModel(const LogitsFunction& logits, const torch::Tensor& images,
                                         absl::Span<const Sample> samples, int batch_size,
                                         const std::function<void(int64_t)>& on_progress) {
  const int64_t n = static_cast<int64_t>(samples.size());
  if (!images.defined() || images.size(0) != n) {
    return absl::InvalidArgumentError("images and samples differ in number");
  }
  if (batch_size < 1) return absl::InvalidArgumentError("batch size must be >= 1");
  Evaluation result;
  result.num_samples = n;
  result.predictions.resize(n);
  result.logits.resize(n);
  for (int64_t start = 0; start < n; start += batch_size) {
    const int64_t end = std::min(n, start + batch_size);
    absl::StatusOr<torch::Tensor> out = logits(images.slice(0, start, end));
    if (!out.ok()) return out.status();
    if (out->dim() != 3 || out->size(0) != end - start || out->size(1) != kNumAttributes) {
      return absl::FailedPreconditionError(
          "the model's logits are not [N, 5 attributes, grades]: is it a 5-attribute model?");
    }
    torch::Tensor predicted = out->argmax(2).to(torch::kCPU).to(torch::kInt64).contiguous();
    torch::Tensor raw = out->to(torch::kCPU).to(torch::kFloat32).contiguous();
    auto p = predicted.accessor<int64_t, 2>();
    auto l = raw.accessor<float, 3>();
    const int64_t grades = raw.size(2);
    for (int64_t i = start; i < end; ++i) {
      for (int a = 0; a < kNumAttributes; ++a) {
        result.predictions[i][a] = static_cast<int>(p[i - start][a]);
        std::vector<float>& row = result.logits[i][a];
        row.resize(static_cast<size_t>(grades));
        for (int64_t k = 0; k < grades; ++k) row[k] = l[i - start][a][k];
      }
    }
    if (on_progress) on_progress(end);
  }
  for (int a = 0; a < kNumAttributes; ++a) {
    std::vector<int> truth, predicted;
    for (int64_t i = 0; i < n; ++i) {
      if (samples[i].grades[a] < 0) continue;
      truth.push_back(samples[i].grades[a]);
      predicted.push_back(result.predictions[i][a]);
    }
    if (truth.empty()) continue;
    absl::StatusOr<GradeMetrics> metrics = ComputeGradeMetrics(truth, predicted);
    if (!metrics.ok()) return metrics.status();
    result.metrics[a] = *std::move(metrics);
  }
  return result;
}

absl::StatusOr<Evaluation> ScorePredictionsCsv(absl::string_view path) {
  std::ifstream in{std::string(path)};
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open predictions '", path, "'"));
  std::array<std::vector<int>, kNumAttributes> truth, predicted;
  std::map<std::string, bool> images;
  std::string line;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    absl::string_view text = absl::StripTrailingAsciiWhitespace(line);
    if (text.empty()) continue;
    if (line_number == 1) {
      if (text != "image,attribute,true,pred") {
        return absl::InvalidArgumentError(absl::StrCat(
            path, ":1: the header must be 'image,attribute,true,pred', got '", text, "'"));
      }
      continue;
    }
    std::vector<absl::string_view> fields = absl::StrSplit(text, ',');
    auto where = [&] { return absl::StrCat(path, ":", line_number, ": "); };
    if (fields.size() != 4) {
      return absl::InvalidArgumentError(
          absl::StrCat(where(), "expected 4 fields, got ", fields.size()));
    }
    absl::StatusOr<Attribute> attribute = ParseAttribute(fields[1]);
    if (!attribute.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(where(), attribute.status().message()));
    }
    int t = 0, p = 0;
    if (!absl::SimpleAtoi(fields[2], &t) || !absl::SimpleAtoi(fields[3], &p) || t < -2 || t > 4 ||
        p < 0 || p > 4) {
      return absl::InvalidArgumentError(absl::StrCat(where(),
                                                     "true must be -2..4 and pred 0..4, got '",
                                                     fields[2], "' and '", fields[3], "'"));
    }
    images[std::string(fields[0])] = true;
    if (t < 0) continue;
    truth[AttributeIndex(*attribute)].push_back(t);
    predicted[AttributeIndex(*attribute)].push_back(p);
  }
  Evaluation result;
  result.num_samples = static_cast<int64_t>(images.size());
  for (int a = 0; a < kNumAttributes; ++a) {
    if (truth[a].empty()) continue;
    absl::StatusOr<GradeMetrics> metrics = ComputeGradeMetrics(truth[a], predicted[a]);
    if (!metrics.ok()) return metrics.status();
    result.metrics[a] = *std::move(metrics);
  }
  if (images.empty()) return absl::InvalidArgumentError(absl::StrCat(path, ": no prediction rows"));
  return result;
}

std::optional<double> MeanPRecall(const Evaluation& evaluation) {
  double sum = 0;
  int count = 0;
  for (const auto& metrics : evaluation.metrics) {
    if (!metrics.has_value()) continue;
    sum += metrics->p_recall;
    ++count;
  }
  if (count == 0) return std::nullopt;
  return sum / count;
}

nlohmann::json EvaluationToJson(const Evaluation& evaluation) {
  nlohmann::json attributes = nlohmann::json::object();
  for (Attribute a : kAllAttributes) {
    const auto& m = evaluation.metrics[AttributeIndex(a)];
    if (!m.has_value()) continue;
    nlohmann::json confusion = nlohmann::json::array();
    for (const auto& row : m->confusion.counts()) confusion.push_back(row);
    attributes[std::string(AttributeName(a))] = {
        {"p_recall", m->p_recall},       {"accuracy", m->accuracy}, {"macro_f1", m->macro_f1},
        {"mae", m->mean_absolute_error}, {"labelled", m->labelled}, {"confusion", confusion}};
  }
  std::optional<double> mean = MeanPRecall(evaluation);
  return {{"num_samples", evaluation.num_samples},
          {"mean_p_recall", mean.has_value() ? nlohmann::json(*mean) : nlohmann::json(nullptr)},
          {"attributes", attributes}};
}

std::string EvaluationTable(const Evaluation& evaluation) {
  std::string out = absl::StrFormat("%-13s %9s %9s %9s %7s %9s\n", "attribute", "P-Recall",
                                    "accuracy", "macro F1", "MAE", "labelled");
  for (Attribute a : kAllAttributes) {
    const auto& m = evaluation.metrics[AttributeIndex(a)];
    if (!m.has_value()) {
      absl::StrAppendFormat(&out, "%-13s %9s\n", AttributeName(a), "(no labels)");
      continue;
    }
    absl::StrAppendFormat(&out, "%-13s %9.4f %9.4f %9.4f %7.3f %9d\n", AttributeName(a),
                          m->p_recall, m->accuracy, m->macro_f1, m->mean_absolute_error,
                          m->labelled);
  }
  if (std::optional<double> mean = MeanPRecall(evaluation); mean.has_value()) {
    absl::StrAppendFormat(&out, "%-13s %9.4f\n", "mean", *mean);
  }
  for (Attribute a : kAllAttributes) {
    const auto& m = evaluation.metrics[AttributeIndex(a)];
    if (!m.has_value()) continue;
    absl::StrAppend(&out, "\n", AttributeName(a),
                    " confusion (rows: true grade, columns: predicted)\n", m->confusion.ToString());
  }
  return out;
}

}  // namespace skinlens::training
