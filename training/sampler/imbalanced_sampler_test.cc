#include "training/sampler/imbalanced_sampler.h"

#include <algorithm>
#include <map>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skinlens::training {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A dataset whose grades are given per grade as counts, interleaved so that a
// grade's samples are not contiguous: grade c occurs counts[c] times.
std::vector<int> Interleaved(const std::vector<int>& counts) {
  std::vector<int> left = counts;
  std::vector<int> grades;
  bool any = true;
  while (any) {
    any = false;
    for (size_t c = 0; c < left.size(); ++c) {
      if (left[c] > 0) {
        grades.push_back(c < 5 ? static_cast<int>(c) : -1 - static_cast<int>(c - 5));
        --left[c];
        any = true;
      }
    }
  }
  return grades;
}

// The skewed set most tests use: grades 0..4 with 600, 250, 100, 45 and 5 samples.
const std::vector<int> kSkewed = Interleaved({600, 250, 100, 45, 5});

ImbalancedSampler MakeSampler(const std::vector<int>& grades, ImbalancedSamplerOptions options) {
  absl::StatusOr<ImbalancedSampler> sampler = ImbalancedSampler::Create(grades, options);
  EXPECT_TRUE(sampler.ok()) << sampler.status();
  return *std::move(sampler);
}

std::array<int64_t, 5> GradeHistogram(const std::vector<int>& grades,
                                      const std::vector<int64_t>& indices) {
  std::array<int64_t, 5> h{};
  for (int64_t i : indices) {
    if (grades[i] >= 0) ++h[grades[i]];
  }
  return h;
}

std::map<int64_t, int> Occurrences(const std::vector<int64_t>& indices) {
  std::map<int64_t, int> m;
  for (int64_t i : indices) ++m[i];
  return m;
}

TEST(BalancedGradeQuota, PowerZeroSplitsEvenlyOverPresentGrades) {
  // 1000 / 5 = 200 each.
  EXPECT_THAT(BalancedGradeQuota({600, 250, 100, 45, 5}, 0.0, 1000),
              ElementsAre(200, 200, 200, 200, 200));
  // Grade 3 absent: 100 / 4 = 25 each, and grade 3 gets nothing.
  EXPECT_THAT(BalancedGradeQuota({70, 20, 9, 0, 1}, 0.0, 100), ElementsAre(25, 25, 25, 0, 25));
}

// sqrt(n) = [24.4949, 15.8114, 10, 6.7082, 2.2361], sum 59.2506;
// 1000 * sqrt(n) / sum = [413.41, 266.86, 168.77, 113.22, 37.74]: floors sum to 997 and the
// three largest remainders (.86 grade 1, .77 grade 2, .74 grade 4) get the last three.
TEST(BalancedGradeQuota, SquareRootSamplingMatchesHandComputation) {
  EXPECT_THAT(BalancedGradeQuota({600, 250, 100, 45, 5}, 0.5, 1000),
              ElementsAre(413, 267, 169, 113, 38));
}

TEST(BalancedGradeQuota, PowerOneKeepsNaturalFrequencies) {
  EXPECT_THAT(BalancedGradeQuota({600, 250, 100, 45, 5}, 1.0, 1000),
              ElementsAre(600, 250, 100, 45, 5));
  // Half the epoch: 300, 125, 50, 22.5, 2.5 -> the tied .5 remainders go to the lower grade.
  EXPECT_THAT(BalancedGradeQuota({600, 250, 100, 45, 5}, 1.0, 500),
              ElementsAre(300, 125, 50, 23, 2));
}

// 100 / 3 present grades = 33.33 each: the one leftover goes to the lowest grade.
TEST(BalancedGradeQuota, TiesGoToTheLowerGrade) {
  EXPECT_THAT(BalancedGradeQuota({50, 1, 0, 0, 49}, 0.0, 100), ElementsAre(34, 33, 0, 0, 33));
}

TEST(ImbalancedSampler, EpochHasExactlyTheQuotaOfEachGrade) {
  ImbalancedSamplerOptions options;
  options.power = 0.0;
  options.seed = 7;
  ImbalancedSampler sampler = MakeSampler(kSkewed, options);
  EXPECT_EQ(sampler.epoch_size(), 1000);
  EXPECT_THAT(sampler.grade_counts(), ElementsAre(600, 250, 100, 45, 5));
  EXPECT_THAT(sampler.grade_quota(), ElementsAre(200, 200, 200, 200, 200));
  for (int64_t epoch : {0, 1, 17}) {
    const std::vector<int64_t> indices = sampler.EpochIndices(epoch);
    ASSERT_EQ(indices.size(), 1000u);
    EXPECT_THAT(GradeHistogram(kSkewed, indices), ElementsAre(200, 200, 200, 200, 200));
  }
}

TEST(ImbalancedSampler, SquareRootPowerGivesItsQuota) {
  ImbalancedSamplerOptions options;
  options.power = 0.5;
  ImbalancedSampler sampler = MakeSampler(kSkewed, options);
  EXPECT_THAT(GradeHistogram(kSkewed, sampler.EpochIndices(3)),
              ElementsAre(413, 267, 169, 113, 38));
}

TEST(ImbalancedSampler, PowerOneEpochIsAPermutationOfTheLabelledSamples) {
  ImbalancedSamplerOptions options;
  options.power = 1.0;
  ImbalancedSampler sampler = MakeSampler(kSkewed, options);
  std::vector<int64_t> indices = sampler.EpochIndices(0);
  std::vector<int64_t> sorted = indices;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> all(kSkewed.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int64_t>(i);
  EXPECT_EQ(sorted, all);
  EXPECT_NE(indices, all) << "the epoch must be shuffled";
}

// Grade 3 (45 samples, quota 200 = 4 * 45 + 20): every sample 4 or 5 times, 20 of them 5 times.
// Grade 4 (5 samples, quota 200): every sample exactly 40 times.
// Grade 0 (600 samples, quota 200): undersampled without repetition.
TEST(ImbalancedSampler, OversamplesEvenlyAndUndersamplesWithoutRepetition) {
  ImbalancedSamplerOptions options;
  options.seed = 11;
  ImbalancedSampler sampler = MakeSampler(kSkewed, options);
  const std::map<int64_t, int> seen = Occurrences(sampler.EpochIndices(0));
  int grade3_five = 0;
  for (const auto& [index, times] : seen) {
    switch (kSkewed[index]) {
      case 0:
        EXPECT_EQ(times, 1) << index;
        break;
      case 3:
        EXPECT_TRUE(times == 4 || times == 5) << index << " seen " << times;
        grade3_five += times == 5;
        break;
      case 4:
        EXPECT_EQ(times, 40) << index;
        break;
    }
  }
  EXPECT_EQ(grade3_five, 20);
  int grade3_seen = 0;
  for (const auto& [index, times] : seen) grade3_seen += kSkewed[index] == 3;
  EXPECT_EQ(grade3_seen, 45) << "every grade-3 sample is used";
}

// Over 300 epochs each grade-0 sample is drawn with probability 200/600 per epoch:
// about 100 times (binomial sd 8.2); [55, 145] is more than 5 sd either side.
// Drawing the same 200 every epoch would give 300 or 0.
TEST(ImbalancedSampler, UndersamplingCoversTheFrequentGradeUniformlyOverEpochs) {
  ImbalancedSamplerOptions options;
  options.seed = 3;
  ImbalancedSampler sampler = MakeSampler(kSkewed, options);
  std::map<int64_t, int> total;
  for (int64_t epoch = 0; epoch < 300; ++epoch) {
    for (int64_t i : sampler.EpochIndices(epoch)) {
      if (kSkewed[i] == 0) ++total[i];
    }
  }
  EXPECT_EQ(total.size(), 600u);
  for (const auto& [index, times] : total) {
    EXPECT_GE(times, 55) << index;
    EXPECT_LE(times, 145) << index;
  }
}

// After the shuffle the first half of the epoch holds about half of each grade's 200:
// hypergeometric sd ~7.1, so 100 +- 30 is over 4 sd. Unshuffled, grade 0 would fill it.
TEST(ImbalancedSampler, ShuffleMixesGradesThroughTheEpoch) {
  ImbalancedSamplerOptions options;
  options.seed = 5;
  ImbalancedSampler sampler = MakeSampler(kSkewed, options);
  for (int64_t epoch : {0, 1, 2}) {
    std::vector<int64_t> indices = sampler.EpochIndices(epoch);
    indices.resize(500);
    for (int64_t count : GradeHistogram(kSkewed, indices)) {
      EXPECT_GE(count, 70);
      EXPECT_LE(count, 130);
    }
  }
}

TEST(ImbalancedSampler, IsDeterministicGivenSeedAndEpoch) {
  ImbalancedSamplerOptions options;
  options.power = 0.5;
  options.seed = 42;
  const ImbalancedSampler a = MakeSampler(kSkewed, options);
  const ImbalancedSampler b = MakeSampler(kSkewed, options);
  EXPECT_EQ(a.EpochIndices(4), b.EpochIndices(4));
  EXPECT_NE(a.EpochIndices(4), a.EpochIndices(5));
  options.seed = 43;
  EXPECT_NE(a.EpochIndices(4), MakeSampler(kSkewed, options).EpochIndices(4));
}

// Pins the generator: the same indices on every compiler and standard library.
// If this changes, recorded training runs no longer replay.
TEST(ImbalancedSampler, ProducesThePinnedSequence) {
  ImbalancedSamplerOptions options;
  options.seed = 1;
  const std::vector<int64_t> indices =
      MakeSampler({0, 0, 0, 0, 1, 1, 2, 3, 4, -1}, options).EpochIndices(0);
  // Quotas 2, 2, 2, 2, 1 (9 labelled, power 0): two of grade 0's {0..3}, both of grade 1's
  // {4, 5}, 6 and 7 twice each, 8 once; the unlabelled 9 never.
  EXPECT_THAT(indices, ElementsAre(5, 8, 7, 6, 7, 6, 4, 1, 3));
}

// Grades 50, 1, 0, 0, 49 with power 0 and 100 per epoch: quotas 34, 33, 0, 0, 33
// (see TiesGoToTheLowerGrade). The single grade-1 sample appears 33 times; grades 2
// and 3 have no sample and never appear.
TEST(ImbalancedSampler, RepeatsASingleSampleAndSkipsAnEmptyGrade) {
  const std::vector<int> grades = Interleaved({50, 1, 0, 0, 49});
  ImbalancedSampler sampler = MakeSampler(grades, {});
  EXPECT_THAT(sampler.grade_quota(), ElementsAre(34, 33, 0, 0, 33));
  const std::vector<int64_t> indices = sampler.EpochIndices(0);
  EXPECT_THAT(GradeHistogram(grades, indices), ElementsAre(34, 33, 0, 0, 33));
  const int64_t lone = std::find(grades.begin(), grades.end(), 1) - grades.begin();
  EXPECT_EQ(std::count(indices.begin(), indices.end(), lone), 33);
}

TEST(ImbalancedSampler, ExcludesUnlabelledSamplesByDefault) {
  // 200 labelled (100 + 100) and 50 unlabelled (-1) + 50 unlabelled (-2).
  const std::vector<int> grades = Interleaved({100, 100, 0, 0, 0, 50, 50});
  ImbalancedSampler sampler = MakeSampler(grades, {});
  EXPECT_EQ(sampler.epoch_size(), 200);
  EXPECT_EQ(sampler.unlabelled_count(), 0);
  for (int64_t i : sampler.EpochIndices(0)) {
    EXPECT_GE(grades[i], 0) << i;
  }
}

// Keep at natural rate: 100 of 300 samples unlabelled -> 100 of the 300 per epoch,
// each unlabelled sample once; the labelled 200 are balanced (power 0) as 100 + 100
// whatever their natural split (150 + 50).
TEST(ImbalancedSampler, KeepsUnlabelledSamplesAtTheirNaturalRate) {
  const std::vector<int> grades = Interleaved({150, 50, 0, 0, 0, 60, 40});
  ImbalancedSamplerOptions options;
  options.unlabelled = UnlabelledPolicy::kKeepNaturalRate;
  ImbalancedSampler sampler = MakeSampler(grades, options);
  EXPECT_EQ(sampler.epoch_size(), 300);
  EXPECT_EQ(sampler.unlabelled_count(), 100);
  EXPECT_EQ(sampler.unlabelled_quota(), 100);
  const std::vector<int64_t> indices = sampler.EpochIndices(2);
  EXPECT_THAT(GradeHistogram(grades, indices), ElementsAre(100, 100, 0, 0, 0));
  std::map<int64_t, int> unlabelled;
  for (int64_t i : indices) {
    if (grades[i] < 0) ++unlabelled[i];
  }
  EXPECT_EQ(unlabelled.size(), 100u);
  for (const auto& [index, times] : unlabelled) EXPECT_EQ(times, 1) << index;
}

// epoch_size 60 of 300 samples: 20 unlabelled (a third) and 40 labelled, 20 per grade.
TEST(ImbalancedSampler, HonoursAnExplicitEpochSize) {
  const std::vector<int> grades = Interleaved({150, 50, 0, 0, 0, 100});
  ImbalancedSamplerOptions options;
  options.epoch_size = 60;
  options.unlabelled = UnlabelledPolicy::kKeepNaturalRate;
  ImbalancedSampler sampler = MakeSampler(grades, options);
  EXPECT_EQ(sampler.unlabelled_quota(), 20);
  const std::vector<int64_t> indices = sampler.EpochIndices(0);
  ASSERT_EQ(indices.size(), 60u);
  EXPECT_THAT(GradeHistogram(grades, indices), ElementsAre(20, 20, 0, 0, 0));
}

TEST(ImbalancedSampler, RejectsBadGradesAndOptions) {
  absl::StatusOr<ImbalancedSampler> bad_grade = ImbalancedSampler::Create({0, 1, 5}, {});
  EXPECT_EQ(bad_grade.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad_grade.status().message(), HasSubstr("sample 2 has grade 5"));
  EXPECT_EQ(ImbalancedSampler::Create({0, -3}, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  ImbalancedSamplerOptions options;
  options.power = 1.5;
  EXPECT_EQ(ImbalancedSampler::Create({0, 1}, options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.power = -0.1;
  EXPECT_EQ(ImbalancedSampler::Create({0, 1}, options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options = {};
  options.epoch_size = -1;
  EXPECT_EQ(ImbalancedSampler::Create({0, 1}, options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ImbalancedSampler, FailsWhenNothingIsLabelled) {
  EXPECT_EQ(ImbalancedSampler::Create({-1, -2, -1}, {}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ImbalancedSampler::Create({}, {}).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(ImbalancedSampler, DescribesQuotasPerGrade) {
  ImbalancedSamplerOptions options;
  options.unlabelled = UnlabelledPolicy::kKeepNaturalRate;
  EXPECT_EQ(MakeSampler({0, 0, 0, 1, -1}, options).Describe(),
            "grade 0: 3 samples -> 2 per epoch (x0.67)\n"
            "grade 1: 1 samples -> 2 per epoch (x2.00)\n"
            "grade 2: 0 samples -> 0 per epoch\n"
            "grade 3: 0 samples -> 0 per epoch\n"
            "grade 4: 0 samples -> 0 per epoch\n"
            "unlabelled: 1 samples -> 1 per epoch");
}

}  // namespace
}  // namespace skinlens::training
