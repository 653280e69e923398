#include "training/cli/heatmap_check.h"

#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/model/grad_cam.h"
#include "common/model/grading_model_loader.h"
#include "opencv2/imgcodecs.hpp"
#include "opencv2/imgproc.hpp"
#include "training/data/image_loader.h"
#include "training/train/image_batch.h"

namespace skinlens::training {

absl::StatusOr<std::array<std::string, kNumAttributes>> MaskPaths(const Sample& sample) {
  std::ifstream in(sample.label_source);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open '", sample.label_source, "'"));
  std::stringstream text;
  text << in.rdbuf();
  const nlohmann::json label = nlohmann::json::parse(text.str(), nullptr, false);
  if (label.is_discarded() || !label.contains("masks") || !label["masks"].is_object()) {
    return absl::NotFoundError(
        absl::StrCat("'", sample.label_source, "' names no masks (not a skinlens-synth dataset?)"));
  }
  const std::filesystem::path folder = std::filesystem::path(sample.label_source).parent_path();
  std::array<std::string, kNumAttributes> paths;
  for (Attribute a : kAllAttributes) {
    const auto it = label["masks"].find(std::string(AttributeName(a)));
    if (it != label["masks"].end() && it->is_string()) {
      paths[AttributeIndex(a)] = (folder / it->get<std::string>()).lexically_normal().string();
    }
  }
  return paths;
}

absl::StatusOr<HeatmapCheck> CheckHeatmaps(const model::GradingModel& model,
                                           absl::Span<const Sample> samples,
                                           const HeatmapCheckOptions& options,
                                           const std::function<void(int64_t)>& on_progress) {
  const model::ModelMetadata& metadata = model.metadata();
  const int height = metadata.input.height, width = metadata.input.width;
  Normalization normalization;
  for (int c = 0; c < 3; ++c) {
    normalization.mean[c] = static_cast<float>(metadata.input.mean[c]);
    normalization.std[c] = static_cast<float>(metadata.input.std[c]);
  }
  const auto* native = dynamic_cast<const model::NativeGradingModel*>(&model);
  if (options.refine_layer >= 0) {
    if (native == nullptr || native->net()->config().family != model::BackboneFamily::kPlainCnn) {
      return absl::InvalidArgumentError(
          "refining heatmaps from a shallow layer needs a native plain CNN bundle");
    }
    if (options.refine_layer + 1 >= native->net()->plain_layer_count()) {
      return absl::InvalidArgumentError(
          absl::StrCat("the layer to refine from must lie below the target layer: 0..",
                       native->net()->plain_layer_count() - 2, ", got ", options.refine_layer));
    }
  }
  HeatmapCheck check;
  for (size_t start = 0; start < samples.size(); start += options.batch_size) {
    const size_t end = std::min(samples.size(), start + options.batch_size);
    std::vector<cv::Mat> images;
    std::vector<std::array<cv::Mat, kNumAttributes>> masks;
    for (size_t i = start; i < end; ++i) {
      absl::StatusOr<cv::Mat> image = LoadImageBgr8(samples[i].image_path);
      if (!image.ok()) return image.status();
      cv::Mat sized;
      cv::resize(*image, sized, cv::Size(width, height), 0, 0, cv::INTER_AREA);
      images.push_back(sized);
      absl::StatusOr<std::array<std::string, kNumAttributes>> paths = MaskPaths(samples[i]);
      if (!paths.ok()) return paths.status();
      std::array<cv::Mat, kNumAttributes> sample_masks;
      for (int a = 0; a < kNumAttributes; ++a) {
        if ((*paths)[a].empty()) continue;
        cv::Mat mask = cv::imread((*paths)[a], cv::IMREAD_GRAYSCALE);
        if (mask.empty()) {
          return absl::NotFoundError(absl::StrCat("cannot read mask '", (*paths)[a], "'"));
        }
        cv::resize(mask, sample_masks[a], cv::Size(width, height), 0, 0, cv::INTER_NEAREST);
      }
      masks.push_back(sample_masks);
    }
    absl::StatusOr<torch::Tensor> batch = ImagesToTensor(images, normalization);
    if (!batch.ok()) return batch.status();
    torch::Tensor heat;
    try {
      torch::Tensor features;
      {
        torch::NoGradGuard no_grad;
        absl::StatusOr<model::GradingOutput> out = model.Forward(*batch, true);
        if (!out.ok()) return out.status();
        features = out->features;
      }
      torch::Tensor grades = torch::full(
          {static_cast<int64_t>(end - start), kNumAttributes},
          options.explain_expected_grade ? model::kExpectedGrade : model::kPredictedGrade,
          torch::kLong);
      if (options.explain_true_grade) {
        for (size_t i = start; i < end; ++i) {
          for (int a = 0; a < kNumAttributes; ++a) {
            const int g = samples[i].grades[a];
            grades[static_cast<int64_t>(i - start)][a] = g >= 0 ? g : model::kSkipGrade;
          }
        }
      }
      const model::HeadFn head = [&](const torch::Tensor& f) -> torch::Tensor {
        absl::StatusOr<torch::Tensor> logits = model.Head(f);
        return logits.ok() ? *logits : torch::Tensor();
      };
      model::GradCamOutput cam;
      if (options.refine_layer >= 0) {
        model::SkinNet net = native->net();
        torch::Tensor shallow;
        {
          torch::NoGradGuard no_grad;
          shallow = net->PlainLayers(*batch, 0, options.refine_layer + 1);
        }
        cam = model::RefinedGradCam(
            [&](const torch::Tensor& s) {
              return net->PlainLayers(s, options.refine_layer + 1, net->plain_layer_count());
            },
            head, shallow, grades);
      } else {
        cam = model::GradCam(head, features, grades);
      }
      if (!cam.maps.defined()) return absl::InternalError("the model's head failed");
      heat = model::UpsampleCams(cam.maps, height, width).contiguous();
    } catch (const c10::Error& e) {
      return absl::InternalError(absl::StrCat("Grad-CAM failed: ", e.what_without_backtrace()));
    }
    for (size_t i = start; i < end; ++i) {
      for (int a = 0; a < kNumAttributes; ++a) {
        const cv::Mat& mask = masks[i - start][a];
        if (mask.empty() || cv::countNonZero(mask) == 0) continue;
        AttributeHeatmapScore& score = check.attributes[a];
        ++score.evaluated;
        const cv::Mat inside = mask > 127;
        score.mask_area_sum += static_cast<double>(cv::countNonZero(inside)) / (width * height);
        torch::Tensor map = heat[static_cast<int64_t>(i - start)][a];
        cv::Mat map_mat(height, width, CV_32F, map.data_ptr<float>());
        double max_value = 0;
        cv::Point peak;
        cv::minMaxLoc(map_mat, nullptr, &max_value, nullptr, &peak);
        const double total = cv::sum(map_mat)[0];
        if (max_value <= 0 || total <= 0) {
          ++score.empty_heatmaps;
          continue;
        }
        if (inside.at<uint8_t>(peak) != 0) ++score.peak_inside;
        cv::Mat masked;
        map_mat.copyTo(masked, inside);
        score.mass_inside_sum += cv::sum(masked)[0] / total;
      }
    }
    check.images += static_cast<int64_t>(end - start);
    if (on_progress) on_progress(static_cast<int64_t>(end));
  }
  return check;
}

std::string HeatmapCheckTable(const HeatmapCheck& check) {
  std::string out = absl::StrFormat("%-13s %9s %14s %13s %11s %7s\n", "attribute", "images",
                                    "pointing game", "mass in mask", "mask area", "empty");
  for (Attribute a : kAllAttributes) {
    const AttributeHeatmapScore& s = check.attributes[AttributeIndex(a)];
    absl::StrAppendFormat(&out, "%-13s %9d %14.3f %13.3f %11.3f %7d\n", AttributeName(a),
                          s.evaluated, s.pointing_game(), s.mass_inside(), s.mask_area(),
                          s.empty_heatmaps);
  }
  absl::StrAppend(&out,
                  "(mask area = the share of the image the mask covers: what a heatmap spread "
                  "evenly would score on both measures)\n");
  return out;
}

nlohmann::json HeatmapCheckToJson(const HeatmapCheck& check) {
  nlohmann::json attributes = nlohmann::json::object();
  for (Attribute a : kAllAttributes) {
    const AttributeHeatmapScore& s = check.attributes[AttributeIndex(a)];
    attributes[std::string(AttributeName(a))] = {{"images", s.evaluated},
                                                 {"pointing_game", s.pointing_game()},
                                                 {"mass_inside_mask", s.mass_inside()},
                                                 {"mask_area", s.mask_area()},
                                                 {"empty_heatmaps", s.empty_heatmaps}};
  }
  return {{"images", check.images}, {"attributes", attributes}};
}

}  // namespace skinlens::training
