// One optimisation step of a SkinNet over all its attribute heads, and
// evaluation into per-attribute confusion matrices.
//
// Labels are int64 [N, A] with -1 where a sample is unlabelled for an
// attribute; each attribute's loss masks those, and the step minimises the
// sum of the attributes' losses (each a mean over its labelled samples).
//
//   std::vector<GradeLoss> losses = ...;  // one per attribute
//   SKINLENS_ASSIGN_OR_RETURN(StepResult r, TrainStep(net, optimizer, images, labels, losses));
#pragma once

#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>
#include <torch/types.h>

#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/model/skin_net.h"
#include "training/losses/grade_loss.h"
#include "training/metrics/confusion_matrix.h"

namespace skinlens::training {

struct StepResult {
  double total_loss = 0.0;               // Sum over attributes.
  std::vector<double> attribute_losses;  // One per attribute.
};

// Runs forward, the losses, backward and `optimizer.step()` with `net` in
// training mode. `losses` has one entry per attribute of the network.
// INVALID_ARGUMENT for mismatched shapes; INTERNAL if LibTorch throws.
absl::StatusOr<StepResult> TrainStep(model::SkinNet& net, torch::optim::Optimizer& optimizer,
                                     const torch::Tensor& images, const torch::Tensor& labels,
                                     const std::vector<GradeLoss>& losses);

// Predicts `images` in eval mode (argmax grade per attribute) and adds
// (label, prediction) to `confusion[a]` for every labelled entry.
// `confusion` must have one matrix per attribute.
absl::Status EvaluateBatch(model::SkinNet& net, const torch::Tensor& images,
                           const torch::Tensor& labels, std::vector<ConfusionMatrix>& confusion);

}  // namespace skinlens::training
