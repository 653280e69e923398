#include "training/data/dataset.h"

#include <numeric>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "training/data/attributes.h"

namespace skinlens::training {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Sample MakeSample(int oil, int wrinkle = kUnlabelled) {
  Sample sample;
  sample.grades[AttributeIndex(Attribute::kOil)] = oil;
  sample.grades[AttributeIndex(Attribute::kWrinkle)] = wrinkle;
  return sample;
}

// `counts[g]` samples of oil grade g, then `unlabelled` samples without oil.
std::vector<Sample> MakeSamples(std::array<int, kNumGrades> counts, int unlabelled) {
  std::vector<Sample> samples;
  for (int grade = 0; grade < kNumGrades; ++grade) {
    for (int i = 0; i < counts[grade]; ++i) samples.push_back(MakeSample(grade, 1));
  }
  for (int i = 0; i < unlabelled; ++i) samples.push_back(MakeSample(kUnlabelled, 2));
  return samples;
}

TEST(Attributes, NamesParseBackToTheSameAttribute) {
  for (Attribute attribute : kAllAttributes) {
    absl::StatusOr<Attribute> parsed = ParseAttribute(AttributeName(attribute));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, attribute);
  }
  EXPECT_EQ(AttributeName(Attribute::kSensitivity), "sensitivity");
  EXPECT_EQ(AttributeIndex(Attribute::kPigmentation), 3);
}

TEST(Attributes, SensitiveIsAnAliasOfSensitivity) {
  absl::StatusOr<Attribute> parsed = ParseAttribute("sensitive");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, Attribute::kSensitivity);
}

TEST(Attributes, UnknownNameIsInvalidArgument) {
  absl::StatusOr<Attribute> parsed = ParseAttribute("Oil");
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(parsed.status().message(), HasSubstr("'Oil'"));
}

TEST(Sample, NegativeGradesAreUnlabelled) {
  Sample sample = MakeSample(kUnlabelled);
  EXPECT_FALSE(sample.is_labelled(Attribute::kOil));
  EXPECT_FALSE(sample.HasAnyLabel());
  sample.grades[AttributeIndex(Attribute::kHydration)] = 0;
  EXPECT_TRUE(sample.is_labelled(Attribute::kHydration));
  EXPECT_TRUE(sample.HasAnyLabel());
}

TEST(CountGrades, CountsEachGradeAndTheUnlabelled) {
  const std::vector<Sample> samples = MakeSamples({3, 0, 2, 0, 1}, 4);
  const GradeHistogram oil = CountGrades(samples, Attribute::kOil);
  EXPECT_THAT(oil.counts, ElementsAre(3, 0, 2, 0, 1));
  EXPECT_EQ(oil.unlabelled, 4);
  EXPECT_EQ(oil.labelled(), 6);
  const GradeHistogram wrinkle = CountGrades(samples, Attribute::kWrinkle);
  EXPECT_THAT(wrinkle.counts, ElementsAre(0, 6, 4, 0, 0));
  EXPECT_EQ(wrinkle.unlabelled, 0);
}

TEST(CountGrades, CountAllGradesMatchesCountGradesPerAttribute) {
  const std::vector<Sample> samples = MakeSamples({1, 2, 3, 4, 5}, 6);
  const auto all = CountAllGrades(samples);
  for (Attribute attribute : kAllAttributes) {
    EXPECT_EQ(all[AttributeIndex(attribute)].counts, CountGrades(samples, attribute).counts);
    EXPECT_EQ(all[AttributeIndex(attribute)].unlabelled,
              CountGrades(samples, attribute).unlabelled);
  }
  EXPECT_EQ(all[AttributeIndex(Attribute::kHydration)].unlabelled, 21);
}

TEST(StratifiedSplit, KeepsEachGradesShareOnBothSides) {
  const std::vector<Sample> samples = MakeSamples({100, 50, 10, 5, 0}, 20);
  SplitOptions options;
  options.stratify_by = Attribute::kOil;
  options.validation_fraction = 0.2;
  options.seed = 7;
  absl::StatusOr<SplitIndices> split = StratifiedSplit(samples, options);
  ASSERT_TRUE(split.ok()) << split.status();
  const auto validation = SelectSamples(samples, split->validation);
  const auto train = SelectSamples(samples, split->train);
  const GradeHistogram v = CountGrades(validation, Attribute::kOil);
  const GradeHistogram t = CountGrades(train, Attribute::kOil);
  EXPECT_THAT(v.counts, ElementsAre(20, 10, 2, 1, 0));
  EXPECT_EQ(v.unlabelled, 4);
  EXPECT_THAT(t.counts, ElementsAre(80, 40, 8, 4, 0));
  EXPECT_EQ(t.unlabelled, 16);
}

TEST(StratifiedSplit, RareGradeOfTwoOrMoreReachesBothSides) {
  // 0.2 * 2 rounds to 0; the grade would vanish from validation.
  const std::vector<Sample> samples = MakeSamples({30, 2, 1, 0, 0}, 0);
  SplitOptions options;
  options.validation_fraction = 0.2;
  absl::StatusOr<SplitIndices> split = StratifiedSplit(samples, options);
  ASSERT_TRUE(split.ok());
  EXPECT_THAT(CountGrades(SelectSamples(samples, split->validation), Attribute::kOil).counts,
              ElementsAre(6, 1, 0, 0, 0));
  EXPECT_THAT(CountGrades(SelectSamples(samples, split->train), Attribute::kOil).counts,
              ElementsAre(24, 1, 1, 0, 0));
}

TEST(StratifiedSplit, EveryIndexAppearsExactlyOnceInAscendingLists) {
  const std::vector<Sample> samples = MakeSamples({13, 7, 5, 3, 2}, 9);
  absl::StatusOr<SplitIndices> split = StratifiedSplit(samples, SplitOptions{});
  ASSERT_TRUE(split.ok());
  EXPECT_TRUE(std::is_sorted(split->train.begin(), split->train.end()));
  EXPECT_TRUE(std::is_sorted(split->validation.begin(), split->validation.end()));
  std::vector<size_t> all = split->train;
  all.insert(all.end(), split->validation.begin(), split->validation.end());
  std::sort(all.begin(), all.end());
  std::vector<size_t> expected(samples.size());
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(all, expected);
}

TEST(StratifiedSplit, SameSeedGivesSameSplitAndOtherSeedAnother) {
  const std::vector<Sample> samples = MakeSamples({40, 30, 20, 10, 5}, 5);
  SplitOptions options;
  options.seed = 11;
  absl::StatusOr<SplitIndices> first = StratifiedSplit(samples, options);
  absl::StatusOr<SplitIndices> second = StratifiedSplit(samples, options);
  options.seed = 12;
  absl::StatusOr<SplitIndices> other = StratifiedSplit(samples, options);
  ASSERT_TRUE(first.ok() && second.ok() && other.ok());
  EXPECT_EQ(first->validation, second->validation);
  EXPECT_EQ(first->train, second->train);
  EXPECT_NE(first->validation, other->validation);
  EXPECT_EQ(first->validation.size(), other->validation.size());
}

TEST(StratifiedSplit, StratifiesByTheChosenAttribute) {
  std::vector<Sample> samples;
  for (int i = 0; i < 40; ++i) samples.push_back(MakeSample(0, i < 30 ? 0 : 4));
  SplitOptions options;
  options.stratify_by = Attribute::kWrinkle;
  options.validation_fraction = 0.5;
  absl::StatusOr<SplitIndices> split = StratifiedSplit(samples, options);
  ASSERT_TRUE(split.ok());
  EXPECT_THAT(CountGrades(SelectSamples(samples, split->validation), Attribute::kWrinkle).counts,
              ElementsAre(15, 0, 0, 0, 5));
}

TEST(StratifiedSplit, FractionZeroAndOneSendEverythingToOneSide) {
  const std::vector<Sample> samples = MakeSamples({3, 1, 0, 0, 2}, 1);
  SplitOptions options;
  options.validation_fraction = 0.0;
  absl::StatusOr<SplitIndices> none = StratifiedSplit(samples, options);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->validation.empty());
  EXPECT_EQ(none->train.size(), samples.size());
  options.validation_fraction = 1.0;
  absl::StatusOr<SplitIndices> all = StratifiedSplit(samples, options);
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->train.empty());
  EXPECT_EQ(all->validation.size(), samples.size());
}

TEST(StratifiedSplit, FractionOutsideZeroToOneIsInvalidArgument) {
  const std::vector<Sample> samples = MakeSamples({3, 0, 0, 0, 0}, 0);
  SplitOptions options;
  options.validation_fraction = 1.5;
  EXPECT_EQ(StratifiedSplit(samples, options).status().code(), absl::StatusCode::kInvalidArgument);
  options.validation_fraction = -0.1;
  EXPECT_EQ(StratifiedSplit(samples, options).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(BadFileReport, SummarisesReasonsAndListsFiles) {
  const std::vector<BadFile> bad = {
      {"a.jpg", BadFileReason::kMissingLabels, "no label file 'a.json'"},
      {"b.json", BadFileReason::kInvalidLabel, "'oil' is 7"},
      {"c.jpg", BadFileReason::kMissingLabels, "no label file 'c.json'"},
  };
  EXPECT_EQ(BadFileReport(bad),
            "3 bad files skipped (2 missing labels, 1 invalid label):\n"
            "  a.jpg: missing labels: no label file 'a.json'\n"
            "  b.json: invalid label: 'oil' is 7\n"
            "  c.jpg: missing labels: no label file 'c.json'\n");
  EXPECT_THAT(BadFileReport(bad, 1), HasSubstr("  ... and 2 more\n"));
  EXPECT_EQ(BadFileReport({}), "");
}

TEST(BadFilesError, CodeFollowsTheFirstFilesReason) {
  const BadFile missing{"a.jpg", BadFileReason::kMissingLabels, "no label file"};
  const BadFile invalid{"b.json", BadFileReason::kInvalidLabel, "'oil' is 7"};
  absl::Status status = BadFilesError("data", {missing, invalid});
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr("a.jpg: missing labels"));
  EXPECT_THAT(status.message(), HasSubstr("b.json: invalid label"));
  EXPECT_EQ(BadFilesError("data", {invalid}).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace skinlens::training
