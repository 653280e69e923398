#include "training/metrics/confusion_matrix.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skinlens::training {
namespace {

using ::testing::HasSubstr;

TEST(ConfusionMatrix, StartsEmpty) {
  ConfusionMatrix cm;
  EXPECT_EQ(cm.Total(), 0);
  for (int g = 0; g < ConfusionMatrix::kNumGrades; ++g) {
    EXPECT_FALSE(cm.IsPresent(g));
  }
}

TEST(ConfusionMatrix, CountsPairsWithRowsAsTrueGrade) {
  absl::StatusOr<ConfusionMatrix> cm =
      ConfusionMatrix::FromPairs({0, 0, 1, 4, 4, 4}, {0, 1, 1, 2, 4, 4});
  ASSERT_TRUE(cm.ok()) << cm.status();
  EXPECT_EQ(cm->count(0, 0), 1);
  EXPECT_EQ(cm->count(0, 1), 1);
  EXPECT_EQ(cm->count(1, 1), 1);
  EXPECT_EQ(cm->count(4, 2), 1);  // True 4, predicted 2: row 4, not row 2.
  EXPECT_EQ(cm->count(2, 4), 0);
  EXPECT_EQ(cm->count(4, 4), 2);
  EXPECT_EQ(cm->TrueCount(4), 3);
  EXPECT_EQ(cm->PredictedCount(1), 2);
  EXPECT_EQ(cm->PredictedCount(2), 1);
  EXPECT_EQ(cm->Total(), 6);
  EXPECT_TRUE(cm->IsPresent(4));
  EXPECT_FALSE(cm->IsPresent(2));
}

TEST(ConfusionMatrix, SkipsUnlabelledTrueGrades) {
  absl::StatusOr<ConfusionMatrix> cm = ConfusionMatrix::FromPairs({-1, 2, -2, 3}, {0, 2, 4, 3});
  ASSERT_TRUE(cm.ok()) << cm.status();
  EXPECT_EQ(cm->Total(), 2);
  EXPECT_EQ(cm->count(2, 2), 1);
  EXPECT_EQ(cm->count(3, 3), 1);
  EXPECT_EQ(cm->PredictedCount(0), 0);
  EXPECT_EQ(cm->PredictedCount(4), 0);
}

TEST(ConfusionMatrix, RejectsTrueGradeThatIsNeitherGradeNorUnlabelled) {
  absl::StatusOr<ConfusionMatrix> cm = ConfusionMatrix::FromPairs({0, 1, -3}, {0, 1, 1});
  EXPECT_EQ(cm.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(cm.status().message(), HasSubstr("sample 2"));
  EXPECT_EQ(ConfusionMatrix::FromPairs({5}, {0}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ConfusionMatrix, RejectsPredictionOutOfRangeEvenWhenUnlabelled) {
  ConfusionMatrix cm;
  EXPECT_EQ(cm.Add(1, 5).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(cm.Add(-1, -1).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(cm.Total(), 0);
}

TEST(ConfusionMatrix, RejectsMismatchedLengths) {
  absl::StatusOr<ConfusionMatrix> cm = ConfusionMatrix::FromPairs({0, 1}, {0});
  EXPECT_EQ(cm.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(cm.status().message(), HasSubstr("2 true grades but 1 predicted"));
}

TEST(ConfusionMatrix, AddBatchLeavesMatrixUnchangedOnError) {
  ConfusionMatrix cm;
  ASSERT_TRUE(cm.Add(0, 0).ok());
  EXPECT_EQ(cm.AddBatch({1, 2, 7}, {1, 2, 3}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(cm.Total(), 1);
  EXPECT_EQ(cm.count(1, 1), 0);
}

TEST(ConfusionMatrix, FromCountsRejectsNegativeCount) {
  ConfusionMatrix::Counts counts{};
  counts[2][3] = -1;
  absl::StatusOr<ConfusionMatrix> cm = ConfusionMatrix::FromCounts(counts);
  EXPECT_EQ(cm.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(cm.status().message(), HasSubstr("[true 2][predicted 3]"));
}

TEST(ConfusionMatrix, FromCountsEqualsFromPairs) {
  ConfusionMatrix::Counts counts{};
  counts[0][0] = 2;
  counts[3][1] = 1;
  absl::StatusOr<ConfusionMatrix> a = ConfusionMatrix::FromCounts(counts);
  absl::StatusOr<ConfusionMatrix> b = ConfusionMatrix::FromPairs({0, 3, 0}, {0, 1, 0});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
}

TEST(ConfusionMatrix, MergeAddsCounts) {
  absl::StatusOr<ConfusionMatrix> a = ConfusionMatrix::FromPairs({0, 1}, {0, 2});
  absl::StatusOr<ConfusionMatrix> b = ConfusionMatrix::FromPairs({1, 4}, {2, 4});
  ASSERT_TRUE(a.ok() && b.ok());
  a->Merge(*b);
  EXPECT_EQ(a->Total(), 4);
  EXPECT_EQ(a->count(1, 2), 2);
  EXPECT_EQ(a->count(4, 4), 1);
}

TEST(ConfusionMatrix, ToStringHasOneLinePerTrueGrade) {
  absl::StatusOr<ConfusionMatrix> cm = ConfusionMatrix::FromPairs({3}, {1});
  ASSERT_TRUE(cm.ok());
  EXPECT_EQ(cm->ToString(),
            "true\\pred      0      1      2      3      4\n"
            "        0      0      0      0      0      0\n"
            "        1      0      0      0      0      0\n"
            "        2      0      0      0      0      0\n"
            "        3      0      1      0      0      0\n"
            "        4      0      0      0      0      0");
}

}  // namespace
}  // namespace skinlens::training
