// The seed's imbalanced sampler: for one chosen attribute, each training epoch
// undersamples frequent grades and oversamples rare ones so that the grades
// appear in the epoch with a target distribution between the natural one and
// uniform. README.md beside this file explains the choices.
//
// Target: grade c with n_c > 0 samples gets the share n_c^power / sum_k n_k^power
// of the epoch (Kang et al., "Decoupling Representation and Classifier for
// Long-Tailed Recognition", ICLR 2020, arXiv:1910.09217): power 1 keeps the
// natural frequencies, 0.5 is square-root sampling, 0 makes every present
// grade equally frequent. The shares are turned into exact per-grade counts
// (quotas) for the epoch; a grade with quota m and n samples contributes every
// sample floor(m / n) times plus m mod n distinct samples drawn at random, so
// undersampling never repeats a sample and oversampling repeats every sample
// as evenly as possible. The epoch is then shuffled.
//
//   ImbalancedSamplerOptions options;
//   options.power = 0.5;
//   options.seed = 42;
//   SKINLENS_ASSIGN_OR_RETURN(ImbalancedSampler sampler,
//                             ImbalancedSampler::Create(oil_grades, options));
//   for (int64_t epoch = 0; epoch < epochs; ++epoch) {
//     for (int64_t index : sampler.EpochIndices(epoch)) { ... dataset[index] ... }
//   }
//
// Plain C++ and Abseil: no LibTorch.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace skinlens::training {

// What happens to samples whose grade for the chosen attribute is unlabelled
// (-1 or -2 in the seed's label files).
enum class UnlabelledPolicy {
  // Never drawn: for a model trained on this attribute alone.
  kExclude,
  // Drawn at their natural rate: their share of the epoch equals their share
  // of the dataset, each appearing once per epoch when the epoch has the
  // dataset's size. For a multi-attribute model, whose other heads still learn
  // from them. The labelled part of the epoch is balanced as usual.
  kKeepNaturalRate,
};

// How an ImbalancedSampler balances an epoch.
struct ImbalancedSamplerOptions {
  // Exponent of the target distribution, in [0, 1]: 1 = natural frequencies,
  // 0.5 = square-root sampling, 0 = every present grade equally often (the
  // widely used "ImbalancedDatasetSampler" that weights samples by 1 / n_c).
  double power = 0.0;
  // Indices per epoch; 0 means the number of samples the policy keeps (the
  // labelled ones, plus the unlabelled ones with kKeepNaturalRate), so an epoch
  // is as long as one pass over those.
  int64_t epoch_size = 0;
  UnlabelledPolicy unlabelled = UnlabelledPolicy::kExclude;
  // With the epoch number, determines every epoch's indices.
  uint64_t seed = 0;
};

// The exact number of samples of each grade in an epoch of `total` labelled
// samples: total * n_c^power / sum_k n_k^power, rounded by largest remainder
// (ties to the lower grade) so that the quotas sum to `total`. Grades with no
// sample get 0. Requires power in [0, 1], total >= 0 and some count > 0.
std::array<int64_t, 5> BalancedGradeQuota(const std::array<int64_t, 5>& grade_counts, double power,
                                          int64_t total);

// Produces each epoch's list of dataset indices for one attribute. Immutable
// after Create(); EpochIndices() is const and thread-safe.
class ImbalancedSampler {
 public:
  static constexpr int kNumGrades = 5;

  // `grades[i]` is sample i's grade for the chosen attribute: 0..4, or -1/-2
  // for unlabelled. INVALID_ARGUMENT for any other grade (naming the sample),
  // power outside [0, 1] or a negative epoch_size; FAILED_PRECONDITION when no
  // sample is labelled (there is nothing to balance).
  static absl::StatusOr<ImbalancedSampler> Create(absl::Span<const int> grades,
                                                  const ImbalancedSamplerOptions& options);

  // The indices of epoch `epoch`, shuffled: grade c appears exactly
  // grade_quota()[c] times, unlabelled samples unlabelled_quota() times in
  // all. The same seed and epoch give the same list on every platform (the
  // generator is std::mt19937_64 with our own bounded draws and shuffle, not
  // the implementation-defined std::uniform_int_distribution/std::shuffle).
  std::vector<int64_t> EpochIndices(int64_t epoch) const;

  // Samples of each grade in the dataset.
  const std::array<int64_t, kNumGrades>& grade_counts() const { return grade_counts_; }
  // Samples of each grade in every epoch.
  const std::array<int64_t, kNumGrades>& grade_quota() const { return grade_quota_; }
  // Unlabelled samples in the dataset and in every epoch (0 with kExclude).
  int64_t unlabelled_count() const { return static_cast<int64_t>(unlabelled_.size()); }
  int64_t unlabelled_quota() const { return unlabelled_quota_; }
  int64_t epoch_size() const { return epoch_size_; }

  // One line per grade for logs: "grade 3: 45 samples -> 200 per epoch (x4.44)".
  std::string Describe() const;

 private:
  ImbalancedSampler() = default;

  std::array<std::vector<int64_t>, kNumGrades> by_grade_;  // Dataset indices of each grade.
  std::vector<int64_t> unlabelled_;                        // Indices of unlabelled samples.
  std::array<int64_t, kNumGrades> grade_counts_{};
  std::array<int64_t, kNumGrades> grade_quota_{};
  int64_t unlabelled_quota_ = 0;
  int64_t epoch_size_ = 0;
  uint64_t seed_ = 0;
};

}  // namespace skinlens::training
