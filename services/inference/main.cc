// skinlens-inference: the model-serving gRPC service (skinlens.v1.InferenceService).
// Flags, model loading, SIGHUP reload; the logic lives in InferenceService.
#include <ATen/Parallel.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
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

namespace {

// The write end of the SIGHUP pipe: the handler only writes a byte to it
// (async-signal-safe); the reloader thread does the work.
int hup_pipe_write = -1;

void OnSighup(int) {
  const char byte = 'h';
  [[maybe_unused]] ssize_t written = write(hup_pipe_write, &byte, 1);
}

// Reloads --model on every SIGHUP until destroyed. A handler and a pipe, not
// a blocked mask and sigwait: LibTorch and gRPC start threads of their own,
// some before main(), and any thread may receive the signal.
class SighupReloader {
 public:
  explicit SighupReloader(skinlens::inference::InferenceService* service) {
    if (pipe2(fds_, O_CLOEXEC | O_NONBLOCK) != 0) {
      spdlog::error("cannot create the SIGHUP pipe: SIGHUP will not reload");
      return;
    }
    hup_pipe_write = fds_[1];
    struct sigaction action = {};
    action.sa_handler = OnSighup;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGHUP, &action, nullptr);
    thread_ = std::thread([this, service] { Loop(service); });
  }
  ~SighupReloader() {
    stop_ = true;
    if (thread_.joinable()) {
      thread_.join();
    }
  }

 private:
  void Loop(skinlens::inference::InferenceService* service) {
    while (!stop_) {
      pollfd fd = {fds_[0], POLLIN, 0};
      if (poll(&fd, 1, /*timeout_ms=*/200) <= 0) {
        continue;  // Timeout or EINTR: look at stop_ again.
      }
      char buffer[64];
      while (read(fds_[0], buffer, sizeof(buffer)) > 0) {
      }  // Several signals while loading make one reload.
      spdlog::info("SIGHUP: reloading the configured model");
      auto outcome = service->Reload(std::nullopt);
      if (!outcome.ok()) {
        spdlog::error("SIGHUP reload failed, the old model stays: {}", outcome.status().ToString());
      }
    }
  }

  int fds_[2] = {-1, -1};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace

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
  SighupReloader reloader(service->get());
  const int code =
      skinlens::RunServer(skinlens::ServerOptionsFromFlags("inference"),
                          {{skinlens::v1::InferenceService::service_full_name(), service->get()}});
  (*service)->Shutdown();
  return code;
}
