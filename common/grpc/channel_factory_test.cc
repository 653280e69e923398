#include "common/grpc/channel_factory.h"

#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace skinlens {
namespace {

google::protobuf::Struct Parse(const std::string& json) {
  google::protobuf::Struct s;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &s).ok()) << json;
  return s;
}

TEST(BuildServiceConfigJson, RoundRobinWithoutRetriesByDefault) {
  auto config = Parse(BuildServiceConfigJson({}));
  const auto& lb = config.fields().at("loadBalancingConfig").list_value();
  ASSERT_EQ(lb.values_size(), 1);
  EXPECT_TRUE(lb.values(0).struct_value().fields().count("round_robin"));
  EXPECT_FALSE(config.fields().count("methodConfig"));
}

TEST(BuildServiceConfigJson, RetryPolicyForIdempotentMethodsOnly) {
  ChannelOptions options;
  options.idempotent_methods = {"skinlens.v1.HistoryService/GetDiagnosis",
                                "skinlens.v1.InferenceService"};
  options.max_attempts = 4;
  options.initial_backoff = absl::Milliseconds(50);
  auto config = Parse(BuildServiceConfigJson(options));
  const auto& method_configs = config.fields().at("methodConfig").list_value();
  ASSERT_EQ(method_configs.values_size(), 1);
  const auto& mc = method_configs.values(0).struct_value().fields();

  const auto& names = mc.at("name").list_value();
  ASSERT_EQ(names.values_size(), 2);
  const auto& first = names.values(0).struct_value().fields();
  EXPECT_EQ(first.at("service").string_value(), "skinlens.v1.HistoryService");
  EXPECT_EQ(first.at("method").string_value(), "GetDiagnosis");
  const auto& whole_service = names.values(1).struct_value().fields();
  EXPECT_EQ(whole_service.at("service").string_value(), "skinlens.v1.InferenceService");
  EXPECT_FALSE(whole_service.count("method"));

  const auto& retry = mc.at("retryPolicy").struct_value().fields();
  EXPECT_EQ(retry.at("maxAttempts").number_value(), 4);
  EXPECT_EQ(retry.at("initialBackoff").string_value(), "0.05s");
  const auto& codes = retry.at("retryableStatusCodes").list_value();
  ASSERT_EQ(codes.values_size(), 1);
  EXPECT_EQ(codes.values(0).string_value(), "UNAVAILABLE");
}

}  // namespace
}  // namespace skinlens
