#include "common/grpc/rich_status.h"

#include "gtest/gtest.h"

namespace skinlens {
namespace {

TEST(StatusWithDetails, PacksAndFindsTypedDetails) {
  v1::ErrorInfo info;
  info.set_reason("LOGIN_THROTTLED");
  info.set_domain("auth.skinlens.v1");
  v1::RetryInfo retry;
  retry.mutable_retry_delay()->set_seconds(4);
  grpc::Status s = StatusWithDetails(absl::ResourceExhaustedError("slow down"), {&info, &retry});

  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(s.error_message(), "slow down");
  auto rpc_status = RpcStatusOf(s);
  ASSERT_TRUE(rpc_status.has_value());
  EXPECT_EQ(rpc_status->code(), static_cast<int>(grpc::StatusCode::RESOURCE_EXHAUSTED));
  EXPECT_EQ(rpc_status->details(0).type_url(), "type.googleapis.com/skinlens.v1.ErrorInfo");

  auto got_info = FindDetail<v1::ErrorInfo>(s);
  ASSERT_TRUE(got_info.has_value());
  EXPECT_EQ(got_info->reason(), "LOGIN_THROTTLED");
  auto got_retry = FindDetail<v1::RetryInfo>(s);
  ASSERT_TRUE(got_retry.has_value());
  EXPECT_EQ(got_retry->retry_delay().seconds(), 4);
  EXPECT_FALSE(FindDetail<v1::BadRequest>(s).has_value());
}

TEST(StatusWithDetails, NoDetailsGivesPlainStatus) {
  grpc::Status s = StatusWithDetails(absl::NotFoundError("gone"), {});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(s.error_details().empty());
  EXPECT_FALSE(RpcStatusOf(s).has_value());
}

TEST(StatusWithDetails, OkDropsDetailsAndGarbageIsIgnored) {
  v1::ErrorInfo info;
  EXPECT_TRUE(StatusWithDetails(absl::OkStatus(), {&info}).ok());
  grpc::Status garbage(grpc::StatusCode::INTERNAL, "x", "\xff\xff\xff");
  EXPECT_FALSE(FindDetail<v1::ErrorInfo>(garbage).has_value());
}

TEST(FromGrpcStatus, KeepsCodeDetailsAndPrefixesTheStage) {
  v1::ErrorInfo info;
  info.set_reason("TOKEN_EXPIRED");
  const grpc::Status downstream =
      StatusWithDetails(absl::UnauthenticatedError("session expired"), {&info});
  const absl::Status status = FromGrpcStatus(downstream, "auth");
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(status.message(), "auth: session expired");
  ASSERT_TRUE(DetailOf<v1::ErrorInfo>(status).has_value());
  EXPECT_EQ(DetailOf<v1::ErrorInfo>(status)->reason(), "TOKEN_EXPIRED");
  EXPECT_EQ(FromGrpcStatus(downstream).message(), "session expired");
  EXPECT_TRUE(FromGrpcStatus(grpc::Status::OK, "auth").ok());
}

TEST(FromGrpcStatus, AnUnreadableTrailerKeepsCodeAndMessageOnly) {
  const absl::Status status =
      FromGrpcStatus(grpc::Status(grpc::StatusCode::INTERNAL, "x", "\xff\xff\xff"), "explain");
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(status.message(), "explain: x");
  EXPECT_TRUE(DetailsOf(status).empty());
}

TEST(ToGrpcStatus, RoundTripsDetailsThroughTheTrailer) {
  v1::RetryInfo retry;
  retry.mutable_retry_delay()->set_seconds(7);
  v1::ErrorInfo info;
  info.set_reason("AT_CAPACITY");
  const absl::Status status =
      WithDetails(absl::ResourceExhaustedError("slow down"), {&info, &retry});
  const grpc::Status out = ToGrpcStatus(status);
  EXPECT_EQ(out.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(out.error_message(), "slow down");
  ASSERT_TRUE(FindDetail<v1::RetryInfo>(out).has_value());
  EXPECT_EQ(FindDetail<v1::RetryInfo>(out)->retry_delay().seconds(), 7);
  ASSERT_TRUE(RpcStatusOf(out).has_value());
  EXPECT_EQ(RpcStatusOf(out)->code(), static_cast<int>(grpc::StatusCode::RESOURCE_EXHAUSTED));
  EXPECT_EQ(RpcStatusOf(out)->message(), "slow down");
  // Back again: the same details, in order.
  const absl::Status back = FromGrpcStatus(out);
  ASSERT_EQ(DetailsOf(back).size(), 2u);
  EXPECT_TRUE(DetailsOf(back)[0].Is<v1::ErrorInfo>());
  EXPECT_TRUE(DetailsOf(back)[1].Is<v1::RetryInfo>());
}

TEST(ToGrpcStatus, RoundTripsEveryCodeAndMessage) {
  for (int c = 1; c <= 16; ++c) {
    const absl::Status original(static_cast<absl::StatusCode>(c), "why");
    const grpc::Status sent = ToGrpcStatus(original);
    EXPECT_EQ(static_cast<int>(sent.error_code()), c);
    EXPECT_EQ(FromGrpcStatus(sent), original) << "code " << c;
  }
}

TEST(ToGrpcStatus, PlainStatusHasNoTrailer) {
  const grpc::Status out = ToGrpcStatus(absl::NotFoundError("gone"));
  EXPECT_EQ(out.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(out.error_details().empty());
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
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

TEST(WithDetails, AppendsToTheDetailsAStatusCarriesAndLeavesOkAlone) {
  absl::Status status = WithErrorInfo(absl::UnavailableError("down"), "NO_MODEL", "x.skinlens");
  status = WithRetryDelay(status, absl::Milliseconds(1500));
  ASSERT_EQ(DetailsOf(status).size(), 2u);
  EXPECT_EQ(DetailOf<v1::ErrorInfo>(status)->reason(), "NO_MODEL");
  EXPECT_EQ(DetailOf<v1::ErrorInfo>(status)->domain(), "x.skinlens");
  EXPECT_EQ(RetryDelayOf(status), absl::Milliseconds(1500));
  EXPECT_FALSE(RetryDelayOf(absl::UnavailableError("down")).has_value());
  EXPECT_TRUE(WithRetryDelay(absl::OkStatus(), absl::Seconds(1)).ok());
  EXPECT_TRUE(DetailsOf(WithRetryDelay(absl::OkStatus(), absl::Seconds(1))).empty());
}

}  // namespace
}  // namespace skinlens
