#include "training/sampler/imbalanced_sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace skinlens::training {
namespace {

constexpr int kGrades = ImbalancedSampler::kNumGrades;

// SplitMix64's finaliser (Steele et al. 2014): spreads nearby seeds and epochs
// over unrelated generator states.
uint64_t Mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// A uniform integer in [0, n), n > 0, by rejection: the same on every
// platform, unlike std::uniform_int_distribution.
uint64_t Below(std::mt19937_64& rng, uint64_t n) {
  const uint64_t max = std::numeric_limits<uint64_t>::max();
  const uint64_t limit = max - max % n;  // Multiples of n below this are unbiased.
  uint64_t r;
  do {
    r = rng();
  } while (r >= limit);
  return r % n;
}

// Fisher-Yates over the first `k` positions: afterwards v[0..k) is a uniform
// random k-subset of v, in random order.
void PartialShuffle(std::vector<int64_t>& v, size_t k, std::mt19937_64& rng) {
  for (size_t i = 0; i < k && i + 1 < v.size(); ++i) {
    const size_t j = i + static_cast<size_t>(Below(rng, v.size() - i));
    std::swap(v[i], v[j]);
  }
}

// Appends `quota` draws from `pool`: every element quota / n times, plus
// quota % n distinct elements chosen at random.
void Draw(const std::vector<int64_t>& pool, int64_t quota, std::mt19937_64& rng,
          std::vector<int64_t>& out) {
  if (pool.empty() || quota <= 0) return;
  const int64_t n = static_cast<int64_t>(pool.size());
  for (int64_t copy = 0; copy < quota / n; ++copy) {
    out.insert(out.end(), pool.begin(), pool.end());
  }
  const size_t rest = static_cast<size_t>(quota % n);
  if (rest == 0) return;
  std::vector<int64_t> shuffled = pool;
  PartialShuffle(shuffled, rest, rng);
  out.insert(out.end(), shuffled.begin(), shuffled.begin() + static_cast<std::ptrdiff_t>(rest));
}

}  // namespace

std::array<int64_t, 5> BalancedGradeQuota(const std::array<int64_t, 5>& grade_counts, double power,
                                          int64_t total) {
  std::array<double, kGrades> share{};
  double sum = 0.0;
  for (int c = 0; c < kGrades; ++c) {
    if (grade_counts[c] > 0) {
      share[c] = std::pow(static_cast<double>(grade_counts[c]), power);
      sum += share[c];
    }
  }
  std::array<int64_t, kGrades> quota{};
  if (sum == 0.0 || total <= 0) return quota;
  std::array<double, kGrades> remainder{};
  int64_t assigned = 0;
  for (int c = 0; c < kGrades; ++c) {
    if (share[c] == 0.0) {
      remainder[c] = -1.0;  // Never receives a leftover.
      continue;
    }
    const double exact = static_cast<double>(total) * share[c] / sum;
    quota[c] = static_cast<int64_t>(std::floor(exact));
    remainder[c] = exact - static_cast<double>(quota[c]);
    assigned += quota[c];
  }
  // Largest remainder first; ties go to the lower grade.
  std::array<int, kGrades> order{0, 1, 2, 3, 4};
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return remainder[a] > remainder[b]; });
  for (int i = 0; assigned < total; i = (i + 1) % kGrades) {
    if (remainder[order[i]] >= 0.0) {
      ++quota[order[i]];
      ++assigned;
    }
  }
  return quota;
}

absl::StatusOr<ImbalancedSampler> ImbalancedSampler::Create(
    absl::Span<const int> grades, const ImbalancedSamplerOptions& options) {
  if (!(options.power >= 0.0 && options.power <= 1.0)) {
    return absl::InvalidArgumentError(
        absl::StrFormat("sampler power must be in [0, 1] (1 = natural frequencies, 0 = uniform "
                        "over grades), got %g",
                        options.power));
  }
  if (options.epoch_size < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("sampler epoch_size must be >= 0, got ", options.epoch_size));
  }
  ImbalancedSampler sampler;
  sampler.seed_ = options.seed;
  for (size_t i = 0; i < grades.size(); ++i) {
    const int g = grades[i];
    const int64_t index = static_cast<int64_t>(i);
    if (g >= 0 && g < kGrades) {
      sampler.by_grade_[g].push_back(index);
    } else if (g == -1 || g == -2) {
      if (options.unlabelled == UnlabelledPolicy::kKeepNaturalRate) {
        sampler.unlabelled_.push_back(index);
      }
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "sample ", i, " has grade ", g, ", neither a grade in [0, 4] nor unlabelled (-1, -2)"));
    }
  }
  int64_t labelled = 0;
  for (int c = 0; c < kGrades; ++c) {
    sampler.grade_counts_[c] = static_cast<int64_t>(sampler.by_grade_[c].size());
    labelled += sampler.grade_counts_[c];
  }
  if (labelled == 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "no sample is labelled for the attribute to balance (", grades.size(), " samples)"));
  }
  const int64_t kept = labelled + sampler.unlabelled_count();
  sampler.epoch_size_ = options.epoch_size > 0 ? options.epoch_size : kept;
  sampler.unlabelled_quota_ =
      std::llround(static_cast<double>(sampler.epoch_size_) *
                   static_cast<double>(sampler.unlabelled_count()) / static_cast<double>(kept));
  sampler.grade_quota_ = BalancedGradeQuota(sampler.grade_counts_, options.power,
                                            sampler.epoch_size_ - sampler.unlabelled_quota_);
  return sampler;
}

std::vector<int64_t> ImbalancedSampler::EpochIndices(int64_t epoch) const {
  std::mt19937_64 rng(Mix(seed_ ^ Mix(static_cast<uint64_t>(epoch))));
  std::vector<int64_t> out;
  out.reserve(static_cast<size_t>(epoch_size_));
  for (int c = 0; c < kGrades; ++c) {
    Draw(by_grade_[c], grade_quota_[c], rng, out);
  }
  Draw(unlabelled_, unlabelled_quota_, rng, out);
  PartialShuffle(out, out.size(), rng);
  return out;
}

std::string ImbalancedSampler::Describe() const {
  std::string out;
  for (int c = 0; c < kGrades; ++c) {
    absl::StrAppendFormat(&out, "%sgrade %d: %d samples -> %d per epoch", c == 0 ? "" : "\n", c,
                          grade_counts_[c], grade_quota_[c]);
    if (grade_counts_[c] > 0) {
      absl::StrAppendFormat(&out, " (x%.2f)",
                            static_cast<double>(grade_quota_[c]) / grade_counts_[c]);
    }
  }
  if (!unlabelled_.empty()) {
    absl::StrAppendFormat(&out, "\nunlabelled: %d samples -> %d per epoch", unlabelled_.size(),
                          unlabelled_quota_);
  }
  return out;
}

}  // namespace skinlens::training
