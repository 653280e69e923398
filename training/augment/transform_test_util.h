// Helpers shared by the augmentation tests: unwrap a factory result and apply a
// transform, failing the current test (not crashing) when either returns an error.
#pragma once

#include <memory>
#include <utility>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "opencv2/core/mat.hpp"
#include "training/augment/transform.h"

namespace skinlens::training {

template <typename T>
std::unique_ptr<T> Make(absl::StatusOr<std::unique_ptr<T>> made) {
  EXPECT_TRUE(made.ok()) << made.status();
  return made.ok() ? std::move(made).value() : nullptr;
}

inline cv::Mat MustApply(const Transform& transform, const cv::Mat& image, AugmentRng& rng) {
  absl::StatusOr<cv::Mat> out = transform.Apply(image, rng);
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *out : cv::Mat();
}

}  // namespace skinlens::training
