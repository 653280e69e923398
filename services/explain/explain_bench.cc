// explain_bench: the cost of Grad-CAM for all five attributes as a ratio to prediction alone
// (issue 6, item 5c; docs/BENCHMARKS.md). Prediction is what the inference service runs: the
// folded, channels-last SkinNet forward under InferenceMode, returning the feature map. Grad-CAM
// is what the explain service adds: the head's forward and five backward passes
// (common/model/grad_cam.h), and then upsampling to the crop, normalising and quantising to
// 8 bits. Overlays and PNG/JPEG encoding are optional outputs and timed apart.
//
//   explain_bench --sizes=224,128 --batches=1,8 --iterations=20 --threads=1
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "common/config/config.h"
#include "common/model/grad_cam.h"
#include "common/model/skin_net.h"

ABSL_FLAG(std::string, sizes, "224,128", "Input sizes (square crops) to measure.");
ABSL_FLAG(std::string, batches, "1,8", "Batch sizes to measure.");
ABSL_FLAG(int, iterations, 20, "Timed repetitions per configuration (the median is reported).");
ABSL_FLAG(int, warmup, 3, "Untimed repetitions first.");
ABSL_FLAG(int, threads, 1, "LibTorch intra-op threads.");

namespace {

using Clock = std::chrono::steady_clock;

std::vector<int> ParseList(const std::string& text) {
  std::vector<int> out;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    int value = 0;
    if (absl::SimpleAtoi(part, &value) && value > 0) out.push_back(value);
  }
  return out;
}

template <typename F>
double MedianMs(int warmup, int iterations, F&& f) {
  for (int i = 0; i < warmup; ++i) f();
  std::vector<double> ms;
  for (int i = 0; i < iterations; ++i) {
    const auto start = Clock::now();
    f();
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  std::nth_element(ms.begin(), ms.begin() + ms.size() / 2, ms.end());
  return ms[ms.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  skinlens::InitCommandLine(argc, argv,
                            "explain_bench: Grad-CAM for five attributes vs prediction alone");
  namespace m = skinlens::model;
  torch::set_num_threads(absl::GetFlag(FLAGS_threads));
  const int warmup = absl::GetFlag(FLAGS_warmup);
  const int iterations = std::max(1, absl::GetFlag(FLAGS_iterations));
  // The inference service's network: folded and channels-last (its fastest configuration).
  torch::manual_seed(1);
  m::SkinNet net(m::SkinNetConfig{});  // B0, 5 attributes x 5 grades
  net->FoldBatchNorm();
  m::ConvertToChannelsLast(*net);
  // The explain service's: the same weights as LoadGradingModel gives them (folded, NCHW), which
  // is what its float16 feature maps off the wire meet.
  torch::manual_seed(1);
  m::SkinNet explain_net(m::SkinNetConfig{});
  explain_net->FoldBatchNorm();
  const m::HeadFn head = [&](const torch::Tensor& f) { return explain_net->Head(f); };
  const m::PointwiseSplitHead split = *m::SplitSkinNetHead(explain_net);
  std::printf("threads=%d iterations=%d (median ms)\n", absl::GetFlag(FLAGS_threads), iterations);
  std::printf("%5s %5s %9s %12s %10s %9s %13s %10s %11s\n", "size", "batch", "predict",
              "gradcam_full", "gradcam", "heatmaps", "ratio_full", "ratio_cam", "ratio_all");
  for (int size : ParseList(absl::GetFlag(FLAGS_sizes))) {
    for (int batch : ParseList(absl::GetFlag(FLAGS_batches))) {
      const torch::Tensor images =
          torch::randn({batch, 3, size, size}).contiguous(torch::MemoryFormat::ChannelsLast);
      torch::Tensor features;
      const double predict = MedianMs(warmup, iterations, [&] {
        torch::InferenceMode inference;
        features = net->forward(images, /*return_features=*/true).features;
      });
      // As the service receives them: float16 off the wire.
      const torch::Tensor wire = features.to(torch::kHalf).contiguous();
      const torch::Tensor grades = torch::full({batch, 5}, m::kPredictedGrade, torch::kLong);
      m::GradCamOutput cam;
      // Backward through the whole head (any HeadFn, e.g. a TorchScript module's `head`).
      const double grad_cam_full =
          MedianMs(warmup, iterations, [&] { cam = m::GradCam(head, wire, grades); });
      // What the service runs for a native bundle: the split head.
      const double grad_cam =
          MedianMs(warmup, iterations, [&] { cam = m::GradCam(split, wire, grades); });
      const double heatmaps = MedianMs(warmup, iterations, [&] {
        torch::NoGradGuard no_grad;
        const torch::Tensor levels = m::NormalizeCams(m::UpsampleCams(cam.maps, size, size))
                                         .mul(255.0)
                                         .round_()
                                         .to(torch::kByte);
      });
      std::printf("%5d %5d %9.2f %12.2f %10.2f %9.2f %13.3f %10.3f %11.3f\n", size, batch, predict,
                  grad_cam_full, grad_cam, heatmaps, (predict + grad_cam_full) / predict,
                  (predict + grad_cam) / predict, (predict + grad_cam + heatmaps) / predict);
      std::fflush(stdout);
    }
  }
  return 0;
}
