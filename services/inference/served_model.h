// One loaded grading model as the inference service serves it: the
// GradingModel (common/model) prepared for a device and memory layout, warmed
// up, with its API description (ModelInfo) computed once. Immutable after
// Load(), shared by std::shared_ptr: a reload makes a new ServedModel, and
// calls queued for the old one keep it alive until they are done.
//
//   ServingSettings settings;  // CPU, channels-last
//   absl::StatusOr<std::shared_ptr<const ServedModel>> model =
//       ServedModel::Load("models/demo", settings);
//   absl::StatusOr<torch::Tensor> image = (*model)->PrepareCrop(bgr, 224, 224,
//   v1::PIXEL_FORMAT_BGR8); absl::StatusOr<ServedOutput> out =
//       (*model)->Run({*image}, /*return_features=*/true);  // any thread; InferenceMode inside
#pragma once

#include <torch/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/model/grading_model.h"
#include "skinlens/v1/common.pb.h"

namespace skinlens::inference {

// How activations are laid out in memory for the forward pass. Channels-last
// (NHWC) makes LibTorch's depthwise convolutions several times faster on CPU
// (common/model/README.md); docs/BENCHMARKS.md has the measurements.
enum class MemoryLayout { kContiguous, kChannelsLast };

// "contiguous" / "channels_last" -> the layout; INVALID_ARGUMENT otherwise.
absl::StatusOr<MemoryLayout> ParseMemoryLayout(absl::string_view name);
absl::string_view MemoryLayoutName(MemoryLayout layout);

// Where and how a model runs.
struct ServingSettings {
  std::string device = "cpu";                         // "cpu", "cuda" or "cuda:N".
  MemoryLayout layout = MemoryLayout::kChannelsLast;  // Native bundles only.
  int warmup_batch_size = 1;                          // Images in the warm-up forward.
};

// OK when `device` names a device this LibTorch can use; FAILED_PRECONDITION
// saying why not (e.g. LibTorch built without CUDA), INVALID_ARGUMENT for an
// unknown name.
absl::Status CheckDevice(absl::string_view device);

// What Run() returns: per-image probabilities and (when asked) feature maps,
// on the CPU.
struct ServedOutput {
  // [N, A, G] float32: softmax over grades of the logits divided by each
  // attribute's temperature (the bundle's calibration; 1 without one).
  torch::Tensor probabilities;
  torch::Tensor features;  // [N, C, h, w] float32; undefined unless asked.
};

// A loaded, validated, warmed-up model. Thread-safe: every method is const
// and Run() may be called from several threads at once.
class ServedModel {
 public:
  // Loads the model at `path` (a native bundle folder or a TorchScript file,
  // common/model/grading_model_loader.h), moves it to the device, converts it
  // to the layout, and runs one warm-up forward pass. Errors: NOT_FOUND when
  // nothing is at `path`; FAILED_PRECONDITION when the bundle is invalid or
  // does not match its network (the loader's message), or the device cannot
  // be used; INTERNAL when the warm-up fails.
  static absl::StatusOr<std::shared_ptr<const ServedModel>> Load(absl::string_view path,
                                                                 const ServingSettings& settings);

  // Turns one crop's raw 8-bit pixels (interleaved, no row padding, `format`
  // BGR8/RGB8/GRAY8; UNSPECIFIED = BGR8) into the network's input for one
  // image: [H, W, 3] float32, RGB, (pixel / 255 - mean) / std. Precondition:
  // `pixels` holds exactly width * height * channels bytes and width/height
  // equal the model's input size (the service checks both). Thread-safe.
  torch::Tensor PrepareCrop(absl::string_view pixels, int width, int height,
                            v1::PixelFormat format) const;

  // Runs the network on `images` (each as PrepareCrop returns it) as one
  // batch under torch::InferenceMode. Errors: INVALID_ARGUMENT when the images
  // do not fit the network; INTERNAL on a LibTorch failure.
  absl::StatusOr<ServedOutput> Run(const std::vector<torch::Tensor>& images,
                                   bool return_features) const;

  const model::ModelMetadata& metadata() const { return model_->metadata(); }
  // The API's description of the model (feature map shape included).
  const v1::ModelInfo& info() const { return info_; }
  const std::string& path() const { return path_; }
  const std::string& device() const { return device_name_; }
  MemoryLayout layout() const { return layout_; }
  absl::Time load_time() const { return load_time_; }

 private:
  ServedModel() = default;

  std::unique_ptr<model::GradingModel> model_;
  std::string path_;
  std::string device_name_;  // As LibTorch prints it, e.g. "cpu", "cuda:0".
  torch::Device device_{torch::kCPU};
  MemoryLayout layout_ = MemoryLayout::kContiguous;  // What inputs are converted to.
  torch::Tensor mean_;                               // [3] float32, RGB.
  torch::Tensor std_;                                // [3] float32, RGB.
  torch::Tensor inverse_temperatures_;               // [1, A, 1] float32: 1 / temperature.
  v1::ModelInfo info_;
  absl::Time load_time_;
};

// The API's ModelInfo for `metadata` (attributes mapped by name), without the
// feature map shape, which only a forward pass tells.
v1::ModelInfo ModelInfoFromMetadata(const model::ModelMetadata& metadata,
                                    model::GradingModelKind kind);

}  // namespace skinlens::inference
