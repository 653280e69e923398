// Tiny SkinNet bundles and test crops for the inference tests: the width/depth
// 0.25 variant at 64 x 64 px (about 130k parameters), randomly initialised
// from a seed, so a forward pass takes milliseconds and two seeds give two
// different models.
//
//   ASSERT_TRUE(WriteTinyBundle(dir / "v1", "tiny.1", /*seed=*/1).ok());
//   v1::RegionCrop crop = MakeTestCrop(v1::FACE_REGION_NOSE, /*seed=*/7);
//   torch::Tensor input = CropsToTensor({crop}, metadata.input);  // [1, 3, 64, 64]
#pragma once

#include <torch/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/model/model_metadata.h"
#include "common/model/skin_net.h"
#include "skinlens/v1/common.pb.h"

namespace skinlens::inference::testing {

// The tiny variant's configuration (input 64 x 64).
model::SkinNetConfig TinyConfig();

// A BGR8 crop of one random colour plus noise. Crops of distinct seeds differ
// in colour, so the network's outputs differ too.
v1::RegionCrop MakeTestCrop(v1::FaceRegion region, int seed, int size = 64);

// The network's input for `crops`, computed independently of the service:
// BGR bytes -> RGB -> / 255 -> (x - mean) / std, [N, 3, H, W] float32.
torch::Tensor CropsToTensor(const std::vector<v1::RegionCrop>& crops, const model::InputSpec& spec);

// Writes a tiny bundle with version `version` into `dir` (replacing one there),
// its weights drawn after torch::manual_seed(seed), its batch norm
// statistics set from a batch of MakeTestCrop crops and its heads scaled to
// unsaturated logits (see the .cc for why).
absl::Status WriteTinyBundle(absl::string_view dir, absl::string_view version, int seed);

}  // namespace skinlens::inference::testing
