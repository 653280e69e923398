// skinlens-inference: the model-serving gRPC service (skinlens.v1.InferenceService).
// Flags, model loading, SIGHUP reload; the logic lives in InferenceService.
#include <ATen/Parallel.h>

#include <algorithm>
#include <memory>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/time/time.h"
#include "common/config/config.h"
#include "common/config/large_allocations.h"
#include "common/grpc/server_runner.h"
#include "common/logging/logging.h"
#include "common/metrics/metrics_registry.h"
#include "common/model/sighup_reloader.h"
#include "services/inference/inference_service.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(std::string, model, "",
          "The model to serve: a native bundle folder or a TorchScript file (required).");
ABSL_FLAG(std::string, model_dir, "",
          "ReloadModel may only load bundles inside this folder (default: the folder of --model).");
ABSL_FLAG(std::string, device, "cpu",
          "Compute device: cpu, cuda or cuda:N (needs a CUDA LibTorch).");
ABSL_FLAG(std::string, memory_layout, "channels_last",
          "Activation layout of native bundles: channels_last or contiguous (see README.md).");
ABSL_FLAG(int32_t, max_batch_size, 8, "Most crops merged into one batch.");
ABSL_FLAG(absl::Duration, max_queue_delay, absl::Milliseconds(5),
          "Longest the oldest queued crop waits for its batch to fill.");
ABSL_FLAG(int32_t, max_queue_size, 256,
          "Most crops waiting; beyond it Predict fails with RESOURCE_EXHAUSTED.");
ABSL_FLAG(int32_t, batch_workers, 1, "Batches computed at once.");
ABSL_FLAG(int32_t, intra_op_threads, 0,
          "LibTorch threads per batch; 0: the machine's cores divided by --batch_workers.");
ABSL_FLAG(int32_t, max_crops_per_request, 16, "Most crops in one Predict call.");

int main(int argc, char** argv) {
  skinlens::KeepLargeAllocationsInProcess();
  skinlens::InitCommandLine(argc, argv,
                            "skinlens-inference: grades region crops with a model bundle "
                            "(dynamic batching; SIGHUP reloads --model)");
  if (absl::Status s = skinlens::SetupLoggingFromFlags("inference"); !s.ok()) {
    spdlog::critical("{}", s.ToString());
    return 2;
  }
  namespace inf = skinlens::inference;
  inf::InferenceServiceOptions options;
  options.model_path = absl::GetFlag(FLAGS_model);
  options.model_dir = absl::GetFlag(FLAGS_model_dir);
  if (options.model_path.empty()) {
    spdlog::critical("--model is required (a bundle folder or a TorchScript file)");
    return 2;
  }
  options.batcher.name = "inference";
  options.batcher.max_batch_size = absl::GetFlag(FLAGS_max_batch_size);
  options.batcher.max_queue_delay = absl::GetFlag(FLAGS_max_queue_delay);
  options.batcher.max_queue_size = absl::GetFlag(FLAGS_max_queue_size);
  options.batcher.worker_threads = absl::GetFlag(FLAGS_batch_workers);
  options.max_crops_per_request = absl::GetFlag(FLAGS_max_crops_per_request);
  options.deps.metrics = &skinlens::MetricsRegistry::Default();
  options.serving.device = absl::GetFlag(FLAGS_device);
  options.serving.warmup_batch_size = options.batcher.max_batch_size;
  auto layout = inf::ParseMemoryLayout(absl::GetFlag(FLAGS_memory_layout));
  if (!layout.ok()) {
    spdlog::critical("--memory_layout: {}", layout.status().ToString());
    return 2;
  }
  options.serving.layout = *layout;
  options.intra_op_threads = absl::GetFlag(FLAGS_intra_op_threads);
  if (options.intra_op_threads == 0) {
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    options.intra_op_threads = std::max(1, cores / std::max(1, options.batcher.worker_threads));
  }

  at::set_num_threads(options.intra_op_threads);  // Before the warm-up, too.

  // Load and warm up before serving: health turns SERVING only once the model answers.
  spdlog::info("loading '{}' on {}", options.model_path, options.serving.device);
  auto model = inf::ServedModel::Load(options.model_path, options.serving);
  if (!model.ok()) {
    spdlog::critical("{}", model.status().ToString());
    return 1;
  }
  auto service = inf::InferenceService::Create(options, *model);
  if (!service.ok()) {
    spdlog::critical("{}", service.status().ToString());
    return 2;
  }
  const skinlens::v1::ModelInfo& info = (*model)->info();
  spdlog::info("serving model '{}' ({}x{}, {}) on {}, {} intra-op threads, batches of up to {}",
               info.version(), info.input_width(), info.input_height(),
               std::string(inf::MemoryLayoutName((*model)->layout())), (*model)->device(),
               options.intra_op_threads, options.batcher.max_batch_size);
  model->reset();  // The service holds it now; a reload must be able to free it.
  // SIGHUP reloads --model as it is on disk now (Reload logs the outcome).
  skinlens::inference::InferenceService* served = service->get();
  absl::StatusOr<std::unique_ptr<skinlens::model::SighupReloader>> reloader =
      skinlens::model::SighupReloader::Start([served] { (void)served->Reload(std::nullopt); });
  if (!reloader.ok()) {
    spdlog::error("SIGHUP will not reload the model: {}", reloader.status().ToString());
  }
  const int code =
      skinlens::RunServer(skinlens::ServerOptionsFromFlags("inference"),
                          {{skinlens::v1::InferenceService::service_full_name(), service->get()}});
  (*service)->Shutdown();
  return code;
}
