// The gRPC adapter of skinlens.v1.InferenceService (proto/skinlens/v1/
// inference.proto has the contract): checks requests, turns crops into
// tensors, queues each crop in the DynamicBatcher, and answers each call from
// its crops' results with per-crop grades, the photo-level rule
// (photo_aggregation.h) and, when asked, fp16 feature maps. Holds the served
// model behind a shared_ptr that ReloadModel (or SIGHUP, through Reload())
// swaps: every crop carries the model it was queued for, so calls in flight
// finish on it and the old model goes when they are done.
//
//   InferenceServiceOptions options;
//   options.model_path = "models/demo";
//   options.batcher.max_batch_size = 8;
//   auto model = ServedModel::Load(options.model_path, options.serving);
//   auto service = InferenceService::Create(options, *model);
//   RunServer(server_options, {{v1::InferenceService::service_full_name(), service->get()}});
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/model/model_repository.h"
#include "services/inference/dynamic_batcher.h"
#include "services/inference/served_model.h"
#include "skinlens/v1/inference.grpc.pb.h"

namespace skinlens::inference {

// Configuration of the service.
struct InferenceServiceOptions {
  BatcherConfig batcher;           // max_batch_size, max_queue_delay, queue size, workers.
  int max_crops_per_request = 16;  // More crops in one call: INVALID_ARGUMENT. <= queue size.
  std::string model_path;          // What ReloadModel without a path (and SIGHUP) reloads.
  // ReloadModel may load bundles only inside this folder (besides model_path
  // itself); empty: the folder containing model_path (common/model/bundle_path.h).
  std::string model_dir;
  ServingSettings serving;   // Device and layout of every model loaded.
  int intra_op_threads = 0;  // LibTorch threads per batch; 0 leaves LibTorch's setting.
  BatcherDeps deps;          // Clock and metrics registry of the batcher (tests inject a clock).
};

// One crop queued for the model it was admitted for.
struct CropJob {
  torch::Tensor image;                       // ServedModel::PrepareCrop's output.
  std::shared_ptr<const ServedModel> model;  // Computed by this model, whatever is loaded then.
  bool want_features = false;
  v1::DataType feature_type = v1::DATA_TYPE_FLOAT16;
};

// One crop's result and the batch it ran in.
struct CropResult {
  std::vector<float> probabilities;  // [A * G], attribute-major.
  std::string feature_bytes;         // C * h * w elements of feature_type, C-major; or empty.
  int feature_channels = 0, feature_height = 0, feature_width = 0;
  int64_t batch_id = 0;  // Increasing in the order batches started.
  int batch_size = 0;    // Crops in the batch, other callers' included.
  absl::Time batch_start;
  absl::Duration compute;  // Of the whole batch.
};

// What a successful reload swapped (previous, current, the path loaded).
using ReloadOutcome = model::ModelRepository<ServedModel>::Swap;

// Implements InferenceService with the callback API. Predict never blocks a
// gRPC thread on the model: it queues the crops and returns; a batcher worker
// finishes the call. Thread-safe.
class InferenceService final : public v1::InferenceService::CallbackService {
 public:
  // Starts the batcher. `model` may be null (Predict is then UNAVAILABLE until
  // a reload). Sets LibTorch's intra-op thread count when
  // options.intra_op_threads > 0 (process-wide). INVALID_ARGUMENT for a bad
  // batcher config or max_crops_per_request outside [1, max_queue_size].
  static absl::StatusOr<std::unique_ptr<InferenceService>> Create(
      const InferenceServiceOptions& options, std::shared_ptr<const ServedModel> model);

  ~InferenceService() override;

  grpc::ServerUnaryReactor* Predict(grpc::CallbackServerContext* context,
                                    const v1::InferenceServicePredictRequest* request,
                                    v1::InferenceServicePredictResponse* response) override;
  grpc::ServerUnaryReactor* GetModelInfo(
      grpc::CallbackServerContext* context, const v1::InferenceServiceGetModelInfoRequest* request,
      v1::InferenceServiceGetModelInfoResponse* response) override;
  // Loads on the calling gRPC thread (an operator action; it takes as long as
  // loading and one warm-up forward pass).
  grpc::ServerUnaryReactor* ReloadModel(grpc::CallbackServerContext* context,
                                        const v1::InferenceServiceReloadModelRequest* request,
                                        v1::InferenceServiceReloadModelResponse* response) override;

  // Loads the bundle at `path` (nullopt: options.model_path; the path rule is
  // common/model/bundle_path.h, the same as explain's) and swaps it in; errors
  // as ReloadModel documents (INVALID_ARGUMENT, PERMISSION_DENIED, NOT_FOUND,
  // FAILED_PRECONDITION, ABORTED, ...), and then the old model stays. For
  // SIGHUP and the RPC. Blocks while loading; thread-safe.
  absl::StatusOr<ReloadOutcome> Reload(const std::optional<std::string>& path);

  // The model new calls are queued for; null before the first load.
  std::shared_ptr<const ServedModel> model() const;
  // The batcher's counters: items computed, expired, rejected, batch sizes.
  BatcherStats batcher_stats() const { return batcher_->Stats(); }

  // Refuses new crops and computes the queued ones (their calls finish).
  // Idempotent; the destructor does it too.
  void Shutdown() { batcher_->Shutdown(); }

 private:
  using Batcher = DynamicBatcher<CropJob, CropResult>;
  struct PredictCall;

  InferenceService(const InferenceServiceOptions& options,
                   std::shared_ptr<const ServedModel> model);

  // The batch function (on a batcher worker thread).
  absl::StatusOr<std::vector<absl::StatusOr<CropResult>>> ComputeBatch(std::vector<CropJob>& jobs);
  // Called once per call when its last crop's result arrived: builds the response, finishes.
  static void Complete(PredictCall& call);

  const InferenceServiceOptions options_;
  std::atomic<int64_t> next_batch_id_{0};

  model::ModelRepository<ServedModel> models_;  // Swapped by Reload().

  std::unique_ptr<Batcher> batcher_;  // Last: destroyed (drained) before the rest.
};

}  // namespace skinlens::inference
