// skinlens-explain: Grad-CAM heatmaps and overlays from the feature maps inference returns
// (skinlens.v1.ExplainService). Flags only; the logic lives in Explainer.
#include <torch/torch.h>

#include <cstdint>
#include <optional>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "common/config/config.h"
#include "common/config/large_allocations.h"
#include "common/grpc/server_runner.h"
#include "common/logging/logging.h"
#include "common/model/sighup_reloader.h"
#include "services/explain/explain_service.h"
#include "services/explain/explainer.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(std::string, model, "",
          "The model bundle: a native bundle folder or a TorchScript .pt file (required). "
          "SIGHUP reloads it from disk.");
ABSL_FLAG(std::string, model_dir, "",
          "ReloadModel may only load bundles inside this folder (default: the folder of "
          "--model).");
ABSL_FLAG(int, max_inputs, 64, "Most crops per Explain call.");
ABSL_FLAG(int, max_crop_side, 1024, "Largest crop width or height accepted.");
ABSL_FLAG(int, max_photo_side, 4096, "Largest photo preview width or height accepted.");
ABSL_FLAG(double, overlay_alpha, 0.5, "Weight of the heatmap colours in overlays, 0..1.");
ABSL_FLAG(int, jpeg_quality, 90, "JPEG quality of overlays when the request gives none.");
ABSL_FLAG(int, max_concurrent_calls, 4,
          "Explain calls computed at once; more get RESOURCE_EXHAUSTED.");
ABSL_FLAG(int, intra_op_threads, 1, "LibTorch intra-op threads per call.");

namespace {

// SIGHUP's reload: the configured bundle as it is on disk now.
void ReloadConfiguredBundle(skinlens::explain::Explainer* explainer) {
  spdlog::info("SIGHUP: reloading the model bundle");
  absl::StatusOr<skinlens::explain::ReloadResult> result = explainer->Reload(std::nullopt);
  if (result.ok()) {
    spdlog::info("serving model {}", result->current->info.version());
  } else {
    spdlog::error("reload failed, the loaded model stays: {}", result.status().ToString());
  }
}

}  // namespace

int main(int argc, char** argv) {
  skinlens::KeepLargeAllocationsInProcess();
  skinlens::InitCommandLine(argc, argv,
                            "skinlens-explain: Grad-CAM heatmaps and overlays from feature maps");
  if (absl::Status s = skinlens::SetupLoggingFromFlags("explain"); !s.ok()) {
    spdlog::critical("{}", s.ToString());
    return 2;
  }
  namespace ex = skinlens::explain;
  ex::ExplainerOptions options;
  options.model_path = absl::GetFlag(FLAGS_model);
  options.model_dir = absl::GetFlag(FLAGS_model_dir);
  options.max_inputs = absl::GetFlag(FLAGS_max_inputs);
  options.max_crop_side = absl::GetFlag(FLAGS_max_crop_side);
  options.max_photo_side = absl::GetFlag(FLAGS_max_photo_side);
  options.overlay_alpha = absl::GetFlag(FLAGS_overlay_alpha);
  options.default_jpeg_quality = absl::GetFlag(FLAGS_jpeg_quality);
  if (options.model_path.empty()) {
    spdlog::critical("--model is required (a bundle folder or a TorchScript .pt file)");
    return 2;
  }
  const int threads = absl::GetFlag(FLAGS_intra_op_threads);
  if (threads < 1) {
    spdlog::critical("--intra_op_threads must be at least 1");
    return 2;
  }
  torch::set_num_threads(threads);
  spdlog::info("loading the model bundle {}", options.model_path);
  absl::StatusOr<std::unique_ptr<ex::Explainer>> explainer = ex::Explainer::Create(options);
  if (!explainer.ok()) {
    spdlog::critical("cannot start: {}", explainer.status().ToString());
    return 1;
  }
  spdlog::info("serving model {}", (*explainer)->model()->info.version());
  ex::Explainer* served = explainer->get();
  absl::StatusOr<std::unique_ptr<skinlens::model::SighupReloader>> reloader =
      skinlens::model::SighupReloader::Start([served] { ReloadConfiguredBundle(served); });
  if (!reloader.ok()) {
    spdlog::critical("cannot reload on SIGHUP: {}", reloader.status().ToString());
    return 1;
  }
  ex::ExplainServiceOptions service_options;
  service_options.max_concurrent_calls = absl::GetFlag(FLAGS_max_concurrent_calls);
  if (service_options.max_concurrent_calls < 1) {
    spdlog::critical("--max_concurrent_calls must be at least 1");
    return 2;
  }
  ex::ExplainService service(explainer->get(), service_options);
  return skinlens::RunServer(skinlens::ServerOptionsFromFlags("explain"),
                             {{skinlens::v1::ExplainService::service_full_name(), &service}});
}
