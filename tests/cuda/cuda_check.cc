// cuda_check: the CUDA path of the model, checked and timed on a GPU machine.
//
// 1. The same B0 SkinNet (batch norm folded, eval) on CPU and on CUDA gives the same logits
//    and the same target feature map (float32; TF32 off so the comparison is about our code).
// 2. Grad-CAM from the head on CUDA equals Grad-CAM on CPU.
// 3. Images/s at batch 1, 8, 32, 64 at 224 and 96 px: float32, float32 channels-last, and
//    float16; and the cost of Grad-CAM for all five attributes relative to prediction alone.
// Prints one line per figure; exits 1 when a comparison fails, 2 when CUDA is unavailable.
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <vector>

#include "common/model/grad_cam.h"
#include "common/model/skin_net.h"

namespace {

using skinlens::model::SkinNet;
using skinlens::model::SkinNetConfig;

double MaxAbsDiff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kCPU).to(torch::kFloat) - b.to(torch::kCPU).to(torch::kFloat))
      .abs()
      .max()
      .item<double>();
}

double MaxAbs(const torch::Tensor& a) { return a.abs().max().item<double>(); }

// Seconds per call of `fn`, after warm-up, synchronising the device.
template <typename Fn>
double TimePerCall(Fn fn, int warmup, int iterations) {
  for (int i = 0; i < warmup; ++i) fn();
  torch::cuda::synchronize();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i) fn();
  torch::cuda::synchronize();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() /
         iterations;
}

SkinNet MakeNet() {
  torch::manual_seed(0);
  SkinNetConfig config;  // efficientnet-b0, 5 attributes x 5 grades
  SkinNet net(config);
  // Non-trivial batch-norm statistics, so that folding is exercised.
  for (auto& buffer : net->named_buffers()) {
    if (buffer.key().find("running_mean") != std::string::npos) {
      buffer.value().uniform_(-0.1, 0.1);
    } else if (buffer.key().find("running_var") != std::string::npos) {
      buffer.value().uniform_(0.5, 1.5);
    }
  }
  net->eval();
  net->FoldBatchNorm();
  return net;
}

}  // namespace

int main() {
  std::printf("torch %s, CUDA available: %d, devices: %d\n", TORCH_VERSION,
              torch::cuda::is_available() ? 1 : 0, static_cast<int>(torch::cuda::device_count()));
  if (!torch::cuda::is_available()) return 2;
  at::globalContext().setAllowTF32CuBLAS(false);
  at::globalContext().setAllowTF32CuDNN(false);
  int failures = 0;

  SkinNet cpu_net = MakeNet();
  SkinNet gpu_net = MakeNet();
  gpu_net->to(torch::kCUDA);

  // 1. Same outputs.
  torch::Tensor images = torch::randn({8, 3, 224, 224});
  {
    torch::NoGradGuard no_grad;
    auto cpu = cpu_net->forward(images, true);
    auto gpu = gpu_net->forward(images.to(torch::kCUDA), true);
    const double logits_diff = MaxAbsDiff(cpu.logits, gpu.logits);
    const double features_diff = MaxAbsDiff(cpu.features, gpu.features);
    const bool ok = logits_diff <= 1e-3 * std::max(1.0, MaxAbs(cpu.logits)) &&
                    features_diff <= 1e-3 * std::max(1.0, MaxAbs(cpu.features));
    failures += ok ? 0 : 1;
    std::printf(
        "forward cuda vs cpu (fp32, batch 8, 224 px): logits max|diff| %.3g (max|logit| %.3g), "
        "features max|diff| %.3g: %s\n",
        logits_diff, MaxAbs(cpu.logits), features_diff, ok ? "OK" : "FAIL");
  }

  // 2. Grad-CAM from the head, on both devices.
  {
    torch::Tensor features;
    {
      torch::NoGradGuard no_grad;
      features = cpu_net->forward(images, true).features;
    }
    torch::Tensor grades = torch::full({8, 5}, skinlens::model::kPredictedGrade, torch::kLong);
    auto cpu_cam = skinlens::model::GradCam(
        [&](const torch::Tensor& f) { return cpu_net->Head(f); }, features, grades);
    auto gpu_cam =
        skinlens::model::GradCam([&](const torch::Tensor& f) { return gpu_net->Head(f); },
                                 features.to(torch::kCUDA), grades);
    const double diff = MaxAbsDiff(cpu_cam.maps, gpu_cam.maps);
    const double scale = std::max(1e-6, MaxAbs(cpu_cam.maps));
    const bool same_grades = torch::equal(cpu_cam.grades, gpu_cam.grades.to(torch::kCPU));
    const bool ok = diff <= 1e-3 * scale && same_grades;
    failures += ok ? 0 : 1;
    std::printf(
        "grad-cam cuda vs cpu (5 attributes x 8 crops): max|diff| %.3g (max %.3g), same "
        "grades: %d: %s\n",
        diff, scale, same_grades ? 1 : 0, ok ? "OK" : "FAIL");
  }

  // 3. Throughput on the GPU.
  for (int size : {224, 96}) {
    for (int batch : {1, 8, 32, 64}) {
      torch::Tensor x = torch::randn({batch, 3, size, size}, torch::kCUDA);
      torch::InferenceMode inference;
      const double fp32 = TimePerCall([&] { gpu_net->forward(x); }, 5, 20);
      torch::Tensor x_last = x.contiguous(at::MemoryFormat::ChannelsLast);
      SkinNet last_net = MakeNet();
      last_net->to(torch::kCUDA);
      skinlens::model::ConvertToChannelsLast(*last_net);
      const double fp32_last = TimePerCall([&] { last_net->forward(x_last); }, 5, 20);
      SkinNet half_net = MakeNet();
      half_net->to(torch::kCUDA, torch::kHalf);
      torch::Tensor x_half = x.to(torch::kHalf);
      const double fp16 = TimePerCall([&] { half_net->forward(x_half); }, 5, 20);
      std::printf(
          "throughput %3d px batch %2d: fp32 %.0f img/s, fp32 channels-last %.0f img/s, "
          "fp16 %.0f img/s\n",
          size, batch, batch / fp32, batch / fp32_last, batch / fp16);
    }
  }

  // Grad-CAM cost on the GPU: predict (forward with features) vs predict + 5-attribute Grad-CAM.
  for (int batch : {1, 8}) {
    torch::Tensor x = torch::randn({batch, 3, 224, 224}, torch::kCUDA);
    torch::Tensor grades = torch::full({batch, 5}, skinlens::model::kPredictedGrade, torch::kLong);
    torch::Tensor features;
    const double predict = TimePerCall(
        [&] {
          torch::InferenceMode inference;
          features = gpu_net->forward(x, true).features;
        },
        5, 20);
    const double cam = TimePerCall(
        [&] {
          skinlens::model::GradCam([&](const torch::Tensor& f) { return gpu_net->Head(f); },
                                   features, grades);
        },
        5, 20);
    std::printf(
        "grad-cam cost, batch %d at 224 px: predict %.2f ms, grad-cam (5 attributes) "
        "%.2f ms, ratio (predict + grad-cam) / predict = %.3f\n",
        batch, predict * 1e3, cam * 1e3, (predict + cam) / predict);
  }
  std::printf("%s\n", failures == 0 ? "cuda check: OK" : "cuda check: FAILED");
  return failures == 0 ? 0 : 1;
}
