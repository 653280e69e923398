// skinlens-inference-bench: the inference figures of docs/BENCHMARKS.md.
//
//  model  images/s of the served model (ServedModel::Run: stack, forward,
//         softmax) at batch 1, 2, 4, 8, 16 per input size, contiguous vs
//         channels-last activations, on a randomly initialised full B0 or the --model given.
//  grpc   N = 1, 4, 16, 64 concurrent callers (one crop per call, closed loop)
//         against an in-process server: calls/s, p50 and p99 latency, with
//         dynamic batching on (max_batch_size 8, idle dispatch), off (1), and
//         on without idle dispatch (the earlier behaviour). With --target,
//         against a running skinlens-inference instead (one configuration).
//  rss    resident memory of this process (VmRSS, VmHWM) after the above.
//
//   skinlens-inference-bench --mode=model --sizes=224,128 --min_time=2s
//   skinlens-inference-bench --mode=grpc --sizes=224 --grpc_time=5s
//   skinlens-inference-bench --mode=grpc --model=models/demo     # the shipped model
//   skinlens-inference-bench --write_bundle=/tmp/b0 --sizes=224   # for the real service
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/config/config.h"
#include "common/grpc/server_runner.h"
#include "common/metrics/metrics_registry.h"
#include "common/model/model_bundle.h"
#include "common/model/model_metadata.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "services/inference/inference_service.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(std::string, mode, "all", "What to measure: all, model, grpc or rss.");
ABSL_FLAG(std::string, sizes, "224,128", "Input sizes (px) of the B0 bundles, comma-separated.");
ABSL_FLAG(std::string, batches, "1,2,4,8,16", "Batch sizes of the model benchmark.");
ABSL_FLAG(std::string, layouts, "contiguous,channels_last", "Layouts of the model benchmark.");
ABSL_FLAG(std::string, callers, "1,4,16,64", "Concurrent gRPC callers.");
ABSL_FLAG(absl::Duration, min_time, absl::Seconds(2), "Time per model measurement.");
ABSL_FLAG(absl::Duration, grpc_time, absl::Seconds(5), "Time per gRPC measurement.");
ABSL_FLAG(int32_t, threads, 0, "LibTorch intra-op threads; 0: the machine's cores.");
ABSL_FLAG(int32_t, max_batch, 8, "The batcher's max_batch_size with batching on (grpc mode).");
ABSL_FLAG(std::string, target, "", "host:port of a running skinlens-inference (grpc mode).");
ABSL_FLAG(std::string, model, "",
          "A model bundle to measure (e.g. models/demo) instead of random B0s of --sizes; its "
          "input size is used.");
ABSL_FLAG(std::string, write_bundle, "",
          "Only write a random B0 bundle of the first --sizes entry to this folder, and exit.");

namespace {

namespace fs = std::filesystem;
namespace inf = skinlens::inference;
namespace v1 = skinlens::v1;
namespace model = skinlens::model;

std::vector<int> Ints(const std::string& list) {
  std::vector<int> out;
  for (absl::string_view part : absl::StrSplit(list, ',', absl::SkipEmpty())) {
    int value = 0;
    if (!absl::SimpleAtoi(part, &value) || value < 1) {
      spdlog::critical("not a positive number: '{}'", std::string(part));
      std::exit(2);
    }
    out.push_back(value);
  }
  return out;
}

// A randomly initialised SkinLens B0 (5 attributes x 5 grades) at `size` px.
absl::Status WriteB0Bundle(const std::string& dir, int size) {
  model::SkinNetConfig config;
  config.backbone.resolution = size;
  torch::manual_seed(0);
  model::SkinNet net(config);
  net->eval();
  model::ModelMetadata metadata = model::DefaultMetadata(config);
  metadata.model_version = absl::StrCat("bench-b0-", size);
  model::SaveBundleOptions options;
  options.overwrite = true;
  return model::SaveBundle(*net, metadata, dir, options).status();
}

v1::RegionCrop RandomCrop(int size, int seed) {
  std::mt19937 rng(static_cast<uint32_t>(seed));
  std::string pixels(static_cast<size_t>(size) * size * 3, '\0');
  for (char& c : pixels) {
    c = static_cast<char>(rng() & 0xff);
  }
  v1::RegionCrop crop;
  crop.set_region(v1::FACE_REGION_FOREHEAD);
  crop.set_width(size);
  crop.set_height(size);
  crop.set_pixels(std::move(pixels));
  return crop;
}

void BenchModel(const std::string& bundle, int size) {
  std::map<int, std::pair<double, std::string>> best;  // batch -> images/s, layout
  for (absl::string_view layout_name : absl::StrSplit(absl::GetFlag(FLAGS_layouts), ',')) {
    auto layout = inf::ParseMemoryLayout(layout_name);
    if (!layout.ok()) {
      spdlog::critical("{}", layout.status().ToString());
      std::exit(2);
    }
    inf::ServingSettings settings;
    settings.layout = *layout;
    auto served = inf::ServedModel::Load(bundle, settings);
    if (!served.ok()) {
      spdlog::critical("{}", served.status().ToString());
      std::exit(1);
    }
    const v1::RegionCrop crop = RandomCrop(size, 1);
    const torch::Tensor image =
        (*served)->PrepareCrop(crop.pixels(), size, size, v1::PIXEL_FORMAT_BGR8);
    for (int batch : Ints(absl::GetFlag(FLAGS_batches))) {
      std::vector<torch::Tensor> images(static_cast<size_t>(batch), image);
      if (!(*served)->Run(images, false).ok()) {  // Warm-up at this batch size.
        spdlog::critical("forward failed");
        std::exit(1);
      }
      const absl::Time start = absl::Now();
      int runs = 0;
      while (runs < 3 || absl::Now() - start < absl::GetFlag(FLAGS_min_time)) {
        (void)(*served)->Run(images, false);
        ++runs;
      }
      const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
      const double images_per_s = runs * batch / seconds;
      std::printf(
          "model  size=%d layout=%-13s batch=%2d  %8.1f images/s  (%.2f ms/batch, %d runs)\n", size,
          std::string(layout_name).c_str(), batch, images_per_s, 1000 * seconds / runs, runs);
      std::fflush(stdout);
      if (images_per_s > best[batch].first) {
        best[batch] = {images_per_s, std::string(layout_name)};
      }
    }
  }
  for (const auto& [batch, b] : best) {
    std::printf("best   size=%d batch=%2d  %8.1f images/s  %s\n", size, batch, b.first,
                b.second.c_str());
  }
  std::fflush(stdout);
}

struct LoadResult {
  double calls_per_s = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  int64_t errors = 0;
};

// `callers` threads each calling Predict with one crop in a closed loop.
LoadResult RunLoad(const std::string& address, int size, int callers) {
  auto channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  auto stub = v1::InferenceService::NewStub(channel);
  std::vector<std::vector<double>> latencies(static_cast<size_t>(callers));
  std::atomic<int64_t> errors{0};
  const absl::Time start = absl::Now();
  const absl::Time end = start + absl::GetFlag(FLAGS_grpc_time);
  std::vector<std::thread> threads;
  for (int c = 0; c < callers; ++c) {
    threads.emplace_back([&, c] {
      v1::InferenceServicePredictRequest request;
      *request.add_crops() = RandomCrop(size, c);
      while (absl::Now() < end) {
        grpc::ClientContext context;
        context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
        v1::InferenceServicePredictResponse response;
        const absl::Time t0 = absl::Now();
        const grpc::Status status = stub->Predict(&context, request, &response);
        if (!status.ok()) {
          ++errors;
          continue;
        }
        latencies[static_cast<size_t>(c)].push_back(absl::ToDoubleMilliseconds(absl::Now() - t0));
      }
    });
  }
  for (std::thread& t : threads) {
    t.join();
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  std::vector<double> all;
  for (const auto& l : latencies) {
    all.insert(all.end(), l.begin(), l.end());
  }
  std::sort(all.begin(), all.end());
  LoadResult r;
  r.errors = errors.load();
  if (all.empty()) {
    return r;
  }
  r.calls_per_s = all.size() / seconds;
  r.p50_ms = all[all.size() / 2];
  r.p99_ms = all[std::min(all.size() - 1, all.size() * 99 / 100)];
  return r;
}

void PrintLoad(int size, const char* label, int callers, const LoadResult& r) {
  std::printf("grpc   size=%d %-12s callers=%2d  %7.1f calls/s  p50 %7.1f ms  p99 %7.1f ms%s\n",
              size, label, callers, r.calls_per_s, r.p50_ms, r.p99_ms,
              r.errors > 0 ? absl::StrCat("  (", r.errors, " errors)").c_str() : "");
  std::fflush(stdout);
}

void BenchGrpc(const std::string& bundle, int size) {
  const std::vector<int> callers = Ints(absl::GetFlag(FLAGS_callers));
  if (!absl::GetFlag(FLAGS_target).empty()) {
    for (int n : callers) {
      PrintLoad(size, "target", n, RunLoad(absl::GetFlag(FLAGS_target), size, n));
    }
    return;
  }
  // Off (batches of 1), on as served (idle dispatch), and on as before idle
  // dispatch (every batch waits the 5 ms delay for partners). All three
  // servers stay up and take turns at each caller count, so a drift in the
  // machine's speed moves all three alike.
  struct Setup {
    const char* label;
    int max_batch;
    bool dispatch_when_idle;
  };
  const int max_batch = absl::GetFlag(FLAGS_max_batch);
  const std::vector<Setup> setups = {Setup{"batching=off", 1, true},
                                     Setup{"batching=on", max_batch, true},
                                     Setup{"on,no-idle", max_batch, false}};
  struct Server {
    std::unique_ptr<inf::InferenceService> service;
    std::unique_ptr<skinlens::MetricsRegistry> registry;
    std::unique_ptr<skinlens::ServerRunner> runner;
    std::string address;
  };
  std::vector<Server> servers;
  for (const Setup& setup : setups) {
    inf::InferenceServiceOptions options;
    options.batcher.name = "bench";
    options.batcher.max_batch_size = setup.max_batch;
    options.batcher.dispatch_when_idle = setup.dispatch_when_idle;
    options.batcher.max_queue_delay =
        setup.max_batch == 1 ? absl::ZeroDuration() : absl::Milliseconds(5);
    options.batcher.max_queue_size = 1024;
    options.model_path = bundle;
    options.serving.warmup_batch_size = setup.max_batch;
    auto served = inf::ServedModel::Load(bundle, options.serving);
    if (!served.ok()) {
      spdlog::critical("{}", served.status().ToString());
      std::exit(1);
    }
    auto service = inf::InferenceService::Create(options, *served);
    if (!service.ok()) {
      spdlog::critical("{}", service.status().ToString());
      std::exit(1);
    }
    Server server{*std::move(service), std::make_unique<skinlens::MetricsRegistry>(), nullptr, ""};
    skinlens::ServerOptions server_options;
    server_options.service_name = "inference-bench";
    server_options.admin_port = -1;
    auto runner = skinlens::ServerRunner::Start(
        server_options, {{v1::InferenceService::service_full_name(), server.service.get()}},
        server.registry.get());
    if (!runner.ok()) {
      spdlog::critical("{}", runner.status().ToString());
      std::exit(1);
    }
    server.runner = *std::move(runner);
    server.address = absl::StrCat("127.0.0.1:", server.runner->port());
    servers.push_back(std::move(server));
  }
  for (int n : callers) {
    double off = 0;
    for (size_t i = 0; i < setups.size(); ++i) {
      const inf::BatcherStats before = servers[i].service->batcher_stats();
      const LoadResult r = RunLoad(servers[i].address, size, n);
      const inf::BatcherStats after = servers[i].service->batcher_stats();
      PrintLoad(size, setups[i].label, n, r);
      const int64_t batches = after.batches - before.batches;
      std::printf("       mean batch %.2f\n",
                  batches > 0
                      ? static_cast<double>(after.items_computed - before.items_computed) / batches
                      : 0.0);
      if (i == 0) {
        off = r.calls_per_s;
      } else if (off > 0) {
        std::printf("ratio  size=%d callers=%2d  %s / off throughput %.2fx\n", size, n,
                    setups[i].label, r.calls_per_s / off);
      }
      std::fflush(stdout);
    }
  }
  for (Server& server : servers) server.runner->Shutdown();
}

void PrintRss() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS", 0) == 0 || line.rfind("VmHWM", 0) == 0) {
      std::printf("rss    %s\n", line.c_str());
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  skinlens::InitCommandLine(argc, argv, "skinlens-inference-bench: model and serving throughput");
  const int threads = absl::GetFlag(FLAGS_threads) > 0
                          ? absl::GetFlag(FLAGS_threads)
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  at::set_num_threads(threads);
  const std::vector<int> sizes = Ints(absl::GetFlag(FLAGS_sizes));
  if (!absl::GetFlag(FLAGS_write_bundle).empty()) {
    const absl::Status written = WriteB0Bundle(absl::GetFlag(FLAGS_write_bundle), sizes.front());
    if (!written.ok()) {
      spdlog::critical("{}", written.ToString());
      return 1;
    }
    return 0;
  }
  const std::string mode = absl::GetFlag(FLAGS_mode);
  std::printf("%d intra-op threads, %u cores\n", at::get_num_threads(),
              std::thread::hardware_concurrency());
  const fs::path dir = fs::temp_directory_path() / absl::StrCat("skinlens_bench_", ::getpid());
  // The bundles to measure: the one given, or a random B0 per size.
  std::vector<std::pair<std::string, int>> bundles;
  if (const std::string given = absl::GetFlag(FLAGS_model); !given.empty()) {
    const absl::StatusOr<model::ModelMetadata> metadata = model::ReadBundleMetadata(given);
    if (!metadata.ok()) {
      spdlog::critical("{}", metadata.status().ToString());
      return 1;
    }
    std::printf("model %s (%s), %d px\n", given.c_str(), metadata->model_version.c_str(),
                metadata->input.width);
    bundles.emplace_back(given, metadata->input.width);
  } else {
    for (int size : sizes) {
      const std::string bundle = (dir / absl::StrCat("b0_", size)).string();
      if (const absl::Status s = WriteB0Bundle(bundle, size); !s.ok()) {
        spdlog::critical("{}", s.ToString());
        return 1;
      }
      bundles.emplace_back(bundle, size);
    }
  }
  for (const auto& [bundle, size] : bundles) {
    if (mode == "all" || mode == "model") {
      BenchModel(bundle, size);
    }
    if (mode == "all" || mode == "grpc") {
      BenchGrpc(bundle, size);
    }
  }
  PrintRss();
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  return 0;
}
