#include "common/status/status_mapping.h"

#include "gtest/gtest.h"

namespace skinlens {
namespace {

struct HttpCase {
  absl::StatusCode code;
  int http;
};

class HttpStatusForTest : public ::testing::TestWithParam<HttpCase> {};

TEST_P(HttpStatusForTest, MatchesGoogleRpcCodeTable) {
  EXPECT_EQ(HttpStatusFor(GetParam().code), GetParam().http);
}

INSTANTIATE_TEST_SUITE_P(AllCanonicalCodes, HttpStatusForTest,
                         ::testing::Values(HttpCase{absl::StatusCode::kOk, 200},
                                           HttpCase{absl::StatusCode::kCancelled, 499},
                                           HttpCase{absl::StatusCode::kUnknown, 500},
                                           HttpCase{absl::StatusCode::kInvalidArgument, 400},
                                           HttpCase{absl::StatusCode::kDeadlineExceeded, 504},
                                           HttpCase{absl::StatusCode::kNotFound, 404},
                                           HttpCase{absl::StatusCode::kAlreadyExists, 409},
                                           HttpCase{absl::StatusCode::kPermissionDenied, 403},
                                           HttpCase{absl::StatusCode::kResourceExhausted, 429},
                                           HttpCase{absl::StatusCode::kFailedPrecondition, 400},
                                           HttpCase{absl::StatusCode::kAborted, 409},
                                           HttpCase{absl::StatusCode::kOutOfRange, 400},
                                           HttpCase{absl::StatusCode::kUnimplemented, 501},
                                           HttpCase{absl::StatusCode::kInternal, 500},
                                           HttpCase{absl::StatusCode::kUnavailable, 503},
                                           HttpCase{absl::StatusCode::kDataLoss, 500},
                                           HttpCase{absl::StatusCode::kUnauthenticated, 401}),
                         [](const ::testing::TestParamInfo<HttpCase>& param_info) {
                           return absl::StatusCodeToString(param_info.param.code);
                         });

TEST(HttpStatusFor, UnknownCodeIsServerError) {
  EXPECT_EQ(HttpStatusFor(static_cast<absl::StatusCode>(99)), 500);
}

TEST(IsRetryable, OnlyTransientCodes) {
  EXPECT_TRUE(IsRetryable(absl::StatusCode::kUnavailable));
  EXPECT_TRUE(IsRetryable(absl::StatusCode::kResourceExhausted));
  EXPECT_FALSE(IsRetryable(absl::StatusCode::kInvalidArgument));
  EXPECT_FALSE(IsRetryable(absl::StatusCode::kDeadlineExceeded));
  EXPECT_FALSE(IsRetryable(absl::StatusCode::kInternal));
}

}  // namespace
}  // namespace skinlens
