#include "training/train/train_step.h"

#include <torch/torch.h>

#include "absl/strings/str_cat.h"

namespace skinlens::training {
namespace {

absl::Status CheckShapes(model::SkinNet& net, const torch::Tensor& images,
                         const torch::Tensor& labels) {
  const int64_t attributes = net->config().num_attributes;
  if (images.dim() != 4 || images.size(1) != 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("images must be [N, 3, H, W]; got ", images.dim(), " dimensions"));
  }
  if (labels.dim() != 2 || labels.size(0) != images.size(0) || labels.size(1) != attributes) {
    return absl::InvalidArgumentError(absl::StrCat("labels must be [", images.size(0), ", ",
                                                   attributes, "] to match images and network"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<StepResult> TrainStep(model::SkinNet& net, torch::optim::Optimizer& optimizer,
                                     const torch::Tensor& images, const torch::Tensor& labels,
                                     const std::vector<GradeLoss>& losses) {
  if (absl::Status s = CheckShapes(net, images, labels); !s.ok()) return s;
  if (static_cast<int>(losses.size()) != net->config().num_attributes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "need one loss per attribute (", net->config().num_attributes, "), got ", losses.size()));
  }
  StepResult result;
  try {
    net->train();
    optimizer.zero_grad();
    torch::Tensor logits = net->forward(images).logits;  // [N, A, G]
    torch::Tensor total = torch::zeros({}, logits.options());
    for (size_t a = 0; a < losses.size(); ++a) {
      absl::StatusOr<torch::Tensor> loss =
          losses[a](logits.select(1, static_cast<int64_t>(a)), labels.select(1, a));
      if (!loss.ok()) {
        return absl::Status(loss.status().code(),
                            absl::StrCat("attribute ", a, ": ", loss.status().message()));
      }
      result.attribute_losses.push_back(loss->item<double>());
      total = total + *loss;
    }
    total.backward();
    optimizer.step();
    result.total_loss = total.item<double>();
  } catch (const c10::Error& e) {
    return absl::InternalError(absl::StrCat("training step failed: ", e.what_without_backtrace()));
  }
  return result;
}

absl::Status EvaluateBatch(model::SkinNet& net, const torch::Tensor& images,
                           const torch::Tensor& labels, std::vector<ConfusionMatrix>& confusion) {
  if (absl::Status s = CheckShapes(net, images, labels); !s.ok()) return s;
  if (static_cast<int>(confusion.size()) != net->config().num_attributes) {
    return absl::InvalidArgumentError("need one confusion matrix per attribute");
  }
  torch::Tensor predicted;
  try {
    net->eval();
    torch::NoGradGuard no_grad;
    predicted = net->forward(images).logits.argmax(2).to(torch::kCPU).to(torch::kInt64);
  } catch (const c10::Error& e) {
    return absl::InternalError(absl::StrCat("evaluation failed: ", e.what_without_backtrace()));
  }
  torch::Tensor truth = labels.to(torch::kCPU).to(torch::kInt64).contiguous();
  auto p = predicted.accessor<int64_t, 2>();
  auto t = truth.accessor<int64_t, 2>();
  for (int64_t i = 0; i < t.size(0); ++i) {
    for (int64_t a = 0; a < t.size(1); ++a) {
      if (t[i][a] < 0) continue;  // Unlabelled for this attribute.
      if (absl::Status s = confusion[a].Add(static_cast<int>(t[i][a]), static_cast<int>(p[i][a]));
          !s.ok()) {
        return s;
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace skinlens::training
