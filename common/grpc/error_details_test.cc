#include "common/grpc/error_details.h"

#include "gtest/gtest.h"

namespace skinlens {
namespace {

TEST(ErrorDetails, PacksAndFindsTypedDetails) {
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

TEST(ErrorDetails, NoDetailsGivesPlainStatus) {
  grpc::Status s = StatusWithDetails(absl::NotFoundError("gone"), {});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(s.error_details().empty());
  EXPECT_FALSE(RpcStatusOf(s).has_value());
}

TEST(ErrorDetails, OkDropsDetailsAndGarbageIsIgnored) {
  v1::ErrorInfo info;
  EXPECT_TRUE(StatusWithDetails(absl::OkStatus(), {&info}).ok());
  grpc::Status garbage(grpc::StatusCode::INTERNAL, "x", "\xff\xff\xff");
  EXPECT_FALSE(FindDetail<v1::ErrorInfo>(garbage).has_value());
}

}  // namespace
}  // namespace skinlens
