#include "services/gateway/rich_status.h"

#include "common/grpc/error_details.h"
#include "gtest/gtest.h"
#include "skinlens/v1/common.pb.h"

namespace skinlens::gateway {
namespace {

TEST(FromDownstream, KeepsCodeDetailsAndPrefixesTheStage) {
  v1::ErrorInfo info;
  info.set_reason("TOKEN_EXPIRED");
  const grpc::Status downstream =
      StatusWithDetails(absl::UnauthenticatedError("session expired"), {&info});
  const absl::Status status = FromDownstream(downstream, "auth");
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(status.message(), "auth: session expired");
  ASSERT_TRUE(DetailOf<v1::ErrorInfo>(status).has_value());
  EXPECT_EQ(DetailOf<v1::ErrorInfo>(status)->reason(), "TOKEN_EXPIRED");
}

TEST(ToRichGrpcStatus, RoundTripsDetailsThroughTheTrailer) {
  v1::RetryInfo retry;
  retry.mutable_retry_delay()->set_seconds(7);
  const absl::Status status = WithDetails(absl::ResourceExhaustedError("slow down"), {&retry});
  const grpc::Status out = ToRichGrpcStatus(status);
  EXPECT_EQ(out.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(out.error_message(), "slow down");
  ASSERT_TRUE(FindDetail<v1::RetryInfo>(out).has_value());
  EXPECT_EQ(FindDetail<v1::RetryInfo>(out)->retry_delay().seconds(), 7);
}

TEST(Recode, ChangesCodeAndMessageButKeepsDetails) {
  v1::ErrorInfo info;
  info.set_reason("X");
  const absl::Status status =
      Recode(WithDetails(absl::InternalError("a"), {&info}), absl::StatusCode::kUnavailable, "b");
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(status.message(), "b");
  EXPECT_EQ(DetailsOf(status).size(), 1u);
}

TEST(ToRichGrpcStatus, PlainStatusHasNoTrailer) {
  const grpc::Status out = ToRichGrpcStatus(absl::NotFoundError("gone"));
  EXPECT_EQ(out.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(out.error_details().empty());
}

}  // namespace
}  // namespace skinlens::gateway
