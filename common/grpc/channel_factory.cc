#include "common/grpc/channel_factory.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace skinlens {
namespace {

using google::protobuf::ListValue;
using google::protobuf::Struct;
using google::protobuf::Value;

// Durations in service config JSON are protobuf Duration strings: "0.05s".
std::string DurationJson(absl::Duration d) { return absl::StrCat(absl::ToDoubleSeconds(d), "s"); }

Value StringValue(std::string s) {
  Value v;
  v.set_string_value(std::move(s));
  return v;
}

Value NameValue(const std::string& method) {
  std::vector<std::string> parts = absl::StrSplit(method, absl::MaxSplits('/', 1));
  Value v;
  auto& fields = *v.mutable_struct_value()->mutable_fields();
  fields["service"] = StringValue(parts[0]);
  if (parts.size() == 2 && !parts[1].empty()) fields["method"] = StringValue(parts[1]);
  return v;
}

}  // namespace

std::string BuildServiceConfigJson(const ChannelOptions& options) {
  // Built as a google.protobuf.Struct and printed by protobuf's JSON mapping.
  Struct config;
  Value round_robin;
  (*round_robin.mutable_struct_value()->mutable_fields())["round_robin"].mutable_struct_value();
  *(*config.mutable_fields())["loadBalancingConfig"].mutable_list_value()->add_values() =
      round_robin;

  if (!options.idempotent_methods.empty()) {
    Value method_config;
    auto& mc = *method_config.mutable_struct_value()->mutable_fields();
    ListValue* names = mc["name"].mutable_list_value();
    for (const std::string& m : options.idempotent_methods) *names->add_values() = NameValue(m);

    auto& retry = *mc["retryPolicy"].mutable_struct_value()->mutable_fields();
    retry["maxAttempts"].set_number_value(options.max_attempts);
    retry["initialBackoff"] = StringValue(DurationJson(options.initial_backoff));
    retry["maxBackoff"] = StringValue(DurationJson(options.max_backoff));
    retry["backoffMultiplier"].set_number_value(2);
    *retry["retryableStatusCodes"].mutable_list_value()->add_values() = StringValue("UNAVAILABLE");
    *(*config.mutable_fields())["methodConfig"].mutable_list_value()->add_values() = method_config;
  }

  std::string json;
  auto status = google::protobuf::util::MessageToJsonString(config, &json);
  if (!status.ok()) {
    // Only possible if the Struct above were malformed: a bug, not an input.
    std::fprintf(stderr, "service config: %s\n", status.ToString().c_str());
    std::abort();
  }
  return json;
}

std::shared_ptr<grpc::Channel> CreateChannel(
    absl::string_view target, const ChannelOptions& options,
    std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface> interceptor) {
  grpc::ChannelArguments args;
  args.SetServiceConfigJSON(BuildServiceConfigJson(options));
  args.SetMaxReceiveMessageSize(options.max_message_bytes);
  args.SetMaxSendMessageSize(options.max_message_bytes);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS,
              static_cast<int>(absl::ToInt64Milliseconds(options.keepalive_time)));
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
              static_cast<int>(absl::ToInt64Milliseconds(options.keepalive_timeout)));
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 1);
  if (interceptor) {
    std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> chain;
    chain.push_back(std::move(interceptor));
    return grpc::experimental::CreateCustomChannelWithInterceptors(
        std::string(target), grpc::InsecureChannelCredentials(), args, std::move(chain));
  }
  return grpc::CreateCustomChannel(std::string(target), grpc::InsecureChannelCredentials(), args);
}

}  // namespace skinlens
