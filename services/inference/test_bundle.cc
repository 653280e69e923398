#include "services/inference/test_bundle.h"

#include <torch/torch.h>

#include <algorithm>
#include <random>
#include <string>

#include "common/model/model_bundle.h"

namespace skinlens::inference::testing {

model::SkinNetConfig TinyConfig() {
  model::SkinNetConfig config;
  config.backbone.name = "efficientnet-tiny";
  config.backbone.width_multiplier = 0.25;
  config.backbone.depth_multiplier = 0.25;
  config.backbone.resolution = 64;
  // No training-only randomness while WriteTinyBundle sets the batch norm statistics.
  config.backbone.stochastic_depth = 0.0;
  config.backbone.dropout = 0.0;
  return config;
}

v1::RegionCrop MakeTestCrop(v1::FaceRegion region, int seed, int size) {
  std::mt19937 rng(static_cast<uint32_t>(seed));
  std::uniform_int_distribution<int> base(0, 255);
  std::uniform_int_distribution<int> noise(-20, 20);
  const int colour[3] = {base(rng), base(rng), base(rng)};
  std::string pixels(static_cast<size_t>(size) * size * 3, '\0');
  for (size_t i = 0; i < pixels.size(); ++i) {
    pixels[i] = static_cast<char>(std::clamp(colour[i % 3] + noise(rng), 0, 255));
  }
  v1::RegionCrop crop;
  crop.set_region(region);
  crop.set_width(size);
  crop.set_height(size);
  crop.set_pixel_format(v1::PIXEL_FORMAT_BGR8);
  crop.set_pixels(std::move(pixels));
  return crop;
}

torch::Tensor CropsToTensor(const std::vector<v1::RegionCrop>& crops,
                            const model::InputSpec& spec) {
  std::vector<torch::Tensor> images;
  for (const v1::RegionCrop& crop : crops) {
    const torch::Tensor bgr = torch::from_blob(const_cast<char*>(crop.pixels().data()),
                                               {crop.height(), crop.width(), 3}, torch::kUInt8)
                                  .to(torch::kFloat32);
    torch::Tensor rgb =
        torch::stack({bgr.select(2, 2), bgr.select(2, 1), bgr.select(2, 0)}) / 255.0;
    for (int c = 0; c < 3; ++c) {
      rgb[c] = (rgb[c] - spec.mean[c]) / spec.std[c];
    }
    images.push_back(rgb);
  }
  return torch::stack(images);
}

absl::Status WriteTinyBundle(absl::string_view dir, absl::string_view version, int seed) {
  torch::manual_seed(seed);
  model::SkinNet net(TinyConfig());
  model::ModelMetadata metadata = model::DefaultMetadata(TinyConfig());
  metadata.model_version = std::string(version);
  // Freshly initialised, the network's outputs hardly depend on its input:
  // the small depthwise weights shrink activations block after block, and the
  // default batch norm statistics (mean 0, variance 1) do not undo it. Set
  // the statistics from one training-mode batch of the kind of crops the
  // tests send (momentum 1: running = batch statistics), as training would,
  // so that distinct crops get distinct answers and folding is not a no-op.
  for (const std::shared_ptr<torch::nn::Module>& m : net->modules(/*include_self=*/false)) {
    if (auto* bn = dynamic_cast<torch::nn::BatchNorm2dImpl*>(m.get())) {
      bn->options.momentum(1.0);
    }
  }
  std::vector<v1::RegionCrop> crops;
  for (int i = 0; i < 32; ++i) {
    crops.push_back(MakeTestCrop(v1::FACE_REGION_FOREHEAD, 10'000 + seed * 100 + i));
  }
  const torch::Tensor images = CropsToTensor(crops, metadata.input);
  torch::NoGradGuard no_grad;
  net->train();
  net->forward(images);
  net->eval();
  // Scale the heads to logits with a standard deviation of about 2, or the
  // softmax saturates to one-hot vectors that are equal for most crops.
  const double logits_std = net->forward(images).logits.std().item<double>();
  for (auto& parameter : net->named_parameters()) {
    if (parameter.key().rfind("heads.", 0) == 0) {
      parameter.value().mul_(2.0 / logits_std);
    }
  }
  model::SaveBundleOptions options;
  options.overwrite = true;
  return model::SaveBundle(*net, metadata, dir, options).status();
}

}  // namespace skinlens::inference::testing
