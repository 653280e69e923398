// The explain service's logic, free of gRPC: the loaded model heads (current and previous),
// request validation, Grad-CAM through the head (common/model/grad_cam.h), upsampling,
// normalisation, 8-bit quantisation and the overlays (overlay.h). ExplainService
// (explain_service.h) is the thin gRPC adapter around it.
//
// Errors are absl::Status with the documented codes and details (BadRequest, ErrorInfo) attached
// with common/grpc/rich_status.h, whose ToGrpcStatus() the adapter sends.
//
//   ExplainerOptions options;
//   options.model_path = "models/demo";
//   absl::StatusOr<std::unique_ptr<Explainer>> explainer = Explainer::Create(options);
//   absl::StatusOr<v1::ExplainServiceExplainResponse> response = (*explainer)->Explain(request);
//   (*explainer)->Reload(std::nullopt);  // SIGHUP: the configured bundle as it is on disk now
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/metrics/metrics_registry.h"
#include "common/model/grad_cam.h"
#include "common/model/grading_model.h"
#include "common/model/model_repository.h"
#include "skinlens/v1/explain.pb.h"

namespace skinlens::explain {

// Settings of the explainer.
struct ExplainerOptions {
  // The bundle loaded at start and by a reload without a path: a native bundle folder or a
  // TorchScript file (LoadGradingModel). Empty: start without a model (UNAVAILABLE until a
  // reload with a path).
  std::string model_path;
  // Reloads may only name bundles inside this folder. Empty: the folder containing
  // `model_path`.
  std::string model_dir;
  int max_inputs = 64;         // Most crops per call.
  int max_crop_side = 1024;    // Largest crop width or height (heatmaps are crop-sized).
  int max_photo_side = 4096;   // Largest photo preview width or height.
  double overlay_alpha = 0.5;  // Weight of the heatmap colour in overlays.
  int default_jpeg_quality = 90;
  // Where the per-stage compute times go; not owned; must outlive the explainer.
  MetricsRegistry* metrics = &MetricsRegistry::Default();
};

// One loaded model head with what the service reports about it. Immutable once made.
struct LoadedModel {
  std::shared_ptr<const model::GradingModel> model;
  // For a native bundle: its head split above the 1x1 head convolution (grad_cam.h), which
  // makes Grad-CAM about six times cheaper; references `model`'s weights. Unset for a
  // TorchScript module (Grad-CAM then differentiates its `head` method).
  std::optional<model::PointwiseSplitHead> split_head;
  v1::ModelInfo info;  // metadata plus the feature map's shape, as GetModelInfo returns it
  absl::Time load_time;
};

// What Reload() returns.
struct ReloadResult {
  std::optional<v1::ModelInfo> previous;  // the model served before; none if none was loaded
  std::shared_ptr<const LoadedModel> current;
};

// Explains crops with the loaded head. Explain() and model() are thread-safe and may run while
// a reload is in progress (they use the model they started with); Reload() calls are
// serialised (a second one at the same time fails with ABORTED).
class Explainer {
 public:
  // Loads options.model_path (if set). Errors: as Reload, and INVALID_ARGUMENT for options out
  // of range.
  static absl::StatusOr<std::unique_ptr<Explainer>> Create(const ExplainerOptions& options);

  // The Explain RPC (explain.proto). Errors: INVALID_ARGUMENT with a BadRequest payload (no
  // inputs, too many, a feature map whose shape, type, byte count or layer is wrong or whose
  // values are not finite, mixed model versions, crop size or pixels wrong, an attribute the
  // model lacks or given twice, a grade out of range, WebP or an unknown overlay encoding, a JPEG
  // quality out of range, photo heatmaps without a usable photo preview or a box);
  // FAILED_PRECONDITION with an ErrorInfo MODEL_MISMATCH payload (the feature maps' model version
  // is neither the loaded model's nor the previous one's); UNAVAILABLE (no model loaded); INTERNAL
  // when the head fails on a validated input (a bug).
  absl::StatusOr<v1::ExplainServiceExplainResponse> Explain(
      const v1::ExplainServiceExplainRequest& request) const;

  // Loads the bundle at `bundle_path` (relative to the model folder, or absolute inside it;
  // nullopt: the configured model path), then makes it current and the current one previous.
  // On failure nothing changes. Errors: INVALID_ARGUMENT (empty path), PERMISSION_DENIED (a
  // path outside the model folder), NOT_FOUND (nothing there), FAILED_PRECONDITION (not a valid
  // bundle; the message says why), ABORTED (another reload is running).
  absl::StatusOr<ReloadResult> Reload(const std::optional<std::string>& bundle_path);

  // The current model; nullptr before the first successful load.
  std::shared_ptr<const LoadedModel> model() const;

 private:
  explicit Explainer(const ExplainerOptions& options);

  // The model whose version is `version`: current or previous; FAILED_PRECONDITION otherwise.
  absl::StatusOr<std::shared_ptr<const LoadedModel>> ModelFor(const std::string& version) const;

  const ExplainerOptions options_;
  // Per-stage compute time histograms (owned by the registry).
  Histogram* const decode_seconds_;
  Histogram* const grad_cam_seconds_;
  Histogram* const heatmap_seconds_;
  Histogram* const overlay_seconds_;
  Histogram* const photo_seconds_;

  // The served model and the one it replaced (for inference instances still on it).
  model::ModelRepository<LoadedModel> models_;
};

// The ModelInfo of a loaded model. `features` is the shape [1, C, h, w] of its feature map at
// the input size. Attribute names map to the Attribute enum case-insensitively ("oil",
// "hydration", "wrinkle", "pigmentation", "sensitivity" or "sensitive"); others to
// ATTRIBUTE_UNSPECIFIED.
v1::ModelInfo ModelInfoOf(const model::GradingModel& model, const torch::IntArrayRef features);

// The Attribute of a bundle's attribute name (see ModelInfoOf).
v1::Attribute AttributeFromName(absl::string_view name);

}  // namespace skinlens::explain
