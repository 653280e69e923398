#include "services/inference/served_model.h"

#include <torch/cuda.h>
#include <torch/torch.h>

#include <algorithm>
#include <exception>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/model/grading_model_loader.h"
#include "common/model/skin_net.h"
#include "common/status/status_macros.h"
#include "services/inference/photo_aggregation.h"

namespace skinlens::inference {
namespace {

// The loader's errors, in the terms of ReloadModel's contract: nothing at
// the path stays NOT_FOUND; anything wrong with what is there (corrupt,
// invalid, mismatched) is FAILED_PRECONDITION.
absl::Status LoadError(absl::string_view path, const absl::Status& status) {
  const std::string message = absl::StrCat("cannot load model '", path, "': ", status.message());
  if (status.code() == absl::StatusCode::kNotFound) {
    return absl::NotFoundError(message);
  }
  return absl::FailedPreconditionError(message);
}

}  // namespace

absl::StatusOr<MemoryLayout> ParseMemoryLayout(absl::string_view name) {
  if (name == "contiguous") return MemoryLayout::kContiguous;
  if (name == "channels_last") return MemoryLayout::kChannelsLast;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown memory layout '", name, "' (contiguous or channels_last)"));
}

absl::string_view MemoryLayoutName(MemoryLayout layout) {
  return layout == MemoryLayout::kContiguous ? "contiguous" : "channels_last";
}

absl::Status CheckDevice(absl::string_view device) {
  if (device == "cpu") {
    return absl::OkStatus();
  }
  if (device != "cuda" && !absl::StartsWith(device, "cuda:")) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown device '", device, "' (cpu, cuda or cuda:N)"));
  }
  if (!torch::cuda::is_available()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "device '", device,
        "' asked for, but this LibTorch has no usable CUDA (built without CUDA, or no GPU "
        "or driver visible); use --device=cpu or a CUDA build of LibTorch"));
  }
  try {
    const torch::Device d{std::string(device)};
    if (d.has_index() && d.index() >= static_cast<int>(torch::cuda::device_count())) {
      return absl::FailedPreconditionError(absl::StrCat(
          "device '", device, "' asked for, but only ", torch::cuda::device_count(), " GPU(s)"));
    }
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("bad device '", device, "': ", e.what()));
  }
  return absl::OkStatus();
}

v1::ModelInfo ModelInfoFromMetadata(const model::ModelMetadata& metadata,
                                    model::GradingModelKind kind) {
  v1::ModelInfo info;
  info.set_version(metadata.model_version);
  info.set_digest(metadata.weights.sha256);
  info.set_architecture(metadata.architecture.backbone.name);
  info.set_format(kind == model::GradingModelKind::kNativeBundle ? v1::MODEL_FORMAT_NATIVE
                                                                 : v1::MODEL_FORMAT_TORCHSCRIPT);
  info.set_input_width(metadata.input.width);
  info.set_input_height(metadata.input.height);
  for (const std::string& name : metadata.attribute_names) {
    info.add_attributes(AttributeFromName(name));
    info.add_attribute_names(name);
  }
  for (const std::string& name : metadata.grade_names) {
    info.add_grade_names(name);
  }
  for (int c = 0; c < 3; ++c) {
    info.add_normalization_mean(static_cast<float>(metadata.input.mean[c]));
    info.add_normalization_std(static_cast<float>(metadata.input.std[c]));
  }
  info.set_target_layer(metadata.target_layer);
  info.set_trained_on(metadata.training_data.description);
  info.set_demo_model(metadata.training_data.synthetic_only);
  for (const auto& [name, m] : metadata.validation_metrics) {
    v1::AttributeMetrics* out = info.add_validation_metrics();
    out->set_attribute(AttributeFromName(name));
    out->set_p_recall(m.p_recall);
    out->set_accuracy(m.accuracy);
    out->set_macro_f1(m.macro_f1);
    out->set_mae(m.mae);
    out->set_sample_count(m.num_samples);
  }
  for (const auto& [name, n] : metadata.retest_noise.attributes) {
    v1::RetestNoise* out = info.add_retest_noise();
    out->set_attribute(AttributeFromName(name));
    out->set_expected_score_sd(n.expected_score_sd);
    out->set_grade_flip_rate(n.grade_flip_rate);
  }
  info.set_retest_noise_source(metadata.retest_noise.source);
  absl::Time created;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, metadata.created_time, &created, &error)) {
    info.mutable_create_time()->set_seconds(absl::ToUnixSeconds(created));
    info.mutable_create_time()->set_nanos(static_cast<int32_t>(
        (created - absl::FromUnixSeconds(absl::ToUnixSeconds(created))) / absl::Nanoseconds(1)));
  }
  return info;
}

absl::StatusOr<std::shared_ptr<const ServedModel>> ServedModel::Load(
    absl::string_view path, const ServingSettings& settings) {
  SKINLENS_RETURN_IF_ERROR(CheckDevice(settings.device));
  absl::StatusOr<std::unique_ptr<model::GradingModel>> loaded = model::LoadGradingModel(path);
  if (!loaded.ok()) {
    return LoadError(path, loaded.status());
  }
  std::shared_ptr<ServedModel> served(new ServedModel());
  served->model_ = std::move(*loaded);
  served->path_ = std::string(path);
  const model::ModelMetadata& metadata = served->model_->metadata();
  try {
    served->device_ = torch::Device(settings.device);
    served->device_name_ = served->device_.str();
    if (auto* native = dynamic_cast<model::NativeGradingModel*>(served->model_.get())) {
      model::SkinNet net = native->net();
      if (!served->device_.is_cpu()) {
        net->to(served->device_);
      }
      if (settings.layout == MemoryLayout::kChannelsLast) {
        model::ConvertToChannelsLast(*net);
      }
      served->layout_ = settings.layout;
    } else if (!served->device_.is_cpu()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot serve '", path, "' on ", settings.device,
          ": TorchScript models are served on the CPU only (export a native bundle for CUDA)"));
    } else {
      served->layout_ = MemoryLayout::kContiguous;  // The module's weights are as exported.
    }
    served->mean_ = torch::tensor(
        {metadata.input.mean[0], metadata.input.mean[1], metadata.input.mean[2]}, torch::kFloat32);
    served->std_ = torch::tensor(
        {metadata.input.std[0], metadata.input.std[1], metadata.input.std[2]}, torch::kFloat32);
    // Temperature scaling (the bundle's calibration; 1 for attributes without one).
    std::vector<float> inverse;
    for (const std::string& attribute : metadata.attribute_names) {
      inverse.push_back(
          static_cast<float>(1.0 / model::CalibrationFor(metadata, attribute).temperature));
    }
    served->inverse_temperatures_ = torch::tensor(inverse, torch::kFloat32)
                                        .reshape({1, static_cast<int64_t>(inverse.size()), 1});
  } catch (const std::exception& e) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot prepare model '", path, "' for ", settings.device, ": ", e.what()));
  }
  served->info_ = ModelInfoFromMetadata(metadata, served->model_->kind());

  // Warm-up: the first forward pass allocates and picks kernels; it must not
  // be a caller's. Its feature map tells the shape ModelInfo reports.
  const int h = metadata.input.height;
  const int w = metadata.input.width;
  const std::string zeros(static_cast<size_t>(h) * w * 3, '\0');
  std::vector<torch::Tensor> images(static_cast<size_t>(std::max(1, settings.warmup_batch_size)),
                                    served->PrepareCrop(zeros, w, h, v1::PIXEL_FORMAT_BGR8));
  absl::StatusOr<ServedOutput> warm = served->Run(images, /*return_features=*/true);
  if (!warm.ok()) {
    return absl::InternalError(
        absl::StrCat("warm-up forward of '", path, "' failed: ", warm.status().message()));
  }
  served->info_.set_feature_map_channels(static_cast<int32_t>(warm->features.size(1)));
  served->info_.set_feature_map_height(static_cast<int32_t>(warm->features.size(2)));
  served->info_.set_feature_map_width(static_cast<int32_t>(warm->features.size(3)));
  served->load_time_ = absl::Now();
  return std::shared_ptr<const ServedModel>(std::move(served));
}

torch::Tensor ServedModel::PrepareCrop(absl::string_view pixels, int width, int height,
                                       v1::PixelFormat format) const {
  c10::InferenceMode inference;
  const int64_t channels = format == v1::PIXEL_FORMAT_GRAY8 ? 1 : 3;
  // from_blob does not copy; every branch below does before `pixels` may go.
  const torch::Tensor raw =
      torch::from_blob(const_cast<char*>(pixels.data()), {height, width, channels}, torch::kUInt8);
  torch::Tensor rgb;
  switch (format) {
    case v1::PIXEL_FORMAT_GRAY8:
      rgb = raw.expand({height, width, 3});
      break;
    case v1::PIXEL_FORMAT_RGB8:
      rgb = raw;
      break;
    default:  // BGR8, also for UNSPECIFIED.
      rgb = raw.flip({2});
  }
  return rgb.to(torch::kFloat32, /*non_blocking=*/false, /*copy=*/true)
      .contiguous()
      .div_(255.0)
      .sub_(mean_)
      .div_(std_);
}

absl::StatusOr<ServedOutput> ServedModel::Run(const std::vector<torch::Tensor>& images,
                                              bool return_features) const {
  // https://pytorch.org/cppdocs/notes/inference_mode.html: no autograd
  // bookkeeping, no version counters. Thread-local, hence opened here.
  c10::InferenceMode inference;
  torch::Tensor batch;
  try {
    // [N, H, W, 3] viewed as NCHW is already channels-last: no copy for that layout.
    batch = torch::stack(images).permute({0, 3, 1, 2});
    batch = layout_ == MemoryLayout::kChannelsLast
                ? batch.contiguous(torch::MemoryFormat::ChannelsLast)
                : batch.contiguous();
    if (!device_.is_cpu()) {
      batch = batch.to(device_);
    }
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot form a batch of ", images.size(), " images: ", e.what()));
  }
  SKINLENS_ASSIGN_OR_RETURN(model::GradingOutput out, model_->Forward(batch, return_features));
  try {
    ServedOutput result;
    torch::Tensor logits = out.logits.to(torch::kFloat32).to(torch::kCPU);
    if (logits.dim() == 3 && logits.size(1) == inverse_temperatures_.size(1)) {
      logits = logits * inverse_temperatures_;
    }
    result.probabilities = torch::softmax(logits, -1);
    if (return_features) {
      result.features = out.features.to(torch::kFloat32).to(torch::kCPU);
    }
    return result;
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("cannot read the model's output: ", e.what()));
  }
}

}  // namespace skinlens::inference
