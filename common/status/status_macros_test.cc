#include "common/status/status_macros.h"

#include <string>

#include "gtest/gtest.h"

namespace skinlens {
namespace {

absl::StatusOr<int> ParsePositive(int v) {
  if (v <= 0) return absl::InvalidArgumentError("not positive");
  return v;
}

absl::StatusOr<int> Doubled(int v) {
  SKINLENS_ASSIGN_OR_RETURN(int parsed, ParsePositive(v));
  return parsed * 2;
}

absl::Status CheckBoth(int a, int b, int* calls) {
  auto count = [calls](int v) {
    ++*calls;
    return ParsePositive(v).status();
  };
  SKINLENS_RETURN_IF_ERROR(count(a));
  SKINLENS_RETURN_IF_ERROR(count(b));
  return absl::OkStatus();
}

TEST(StatusMacros, AssignOrReturnYieldsValue) { EXPECT_EQ(*Doubled(4), 8); }

TEST(StatusMacros, AssignOrReturnPropagatesError) {
  EXPECT_EQ(Doubled(-1).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(StatusMacros, ReturnIfErrorStopsAtFirstError) {
  int calls = 0;
  EXPECT_EQ(CheckBoth(-1, 1, &calls).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(calls, 1);
  calls = 0;
  EXPECT_TRUE(CheckBoth(1, 1, &calls).ok());
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace skinlens
