#include "common/grpc/rich_status.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "common/time/proto_time.h"

namespace skinlens {
namespace {

// The details a status carries as its payload (empty when none).
v1::RpcStatus PayloadOf(const absl::Status& status) {
  v1::RpcStatus rpc_status;
  if (absl::optional<absl::Cord> payload = status.GetPayload(kRichDetailsPayload)) {
    rpc_status.ParseFromString(std::string(*payload));
  }
  return rpc_status;
}

void SetPayload(absl::Status* status, const v1::RpcStatus& rpc_status) {
  if (rpc_status.details_size() == 0) {
    status->ErasePayload(kRichDetailsPayload);
    return;
  }
  status->SetPayload(kRichDetailsPayload, absl::Cord(rpc_status.SerializeAsString()));
}

}  // namespace

absl::Status WithDetails(absl::Status status,
                         const std::vector<const google::protobuf::Message*>& details) {
  if (status.ok() || details.empty()) return status;
  v1::RpcStatus rpc_status = PayloadOf(status);
  for (const google::protobuf::Message* detail : details) {
    rpc_status.add_details()->PackFrom(*detail);
  }
  SetPayload(&status, rpc_status);
  return status;
}

absl::Status WithErrorInfo(absl::Status status, absl::string_view reason,
                           absl::string_view domain) {
  v1::ErrorInfo info;
  info.set_reason(std::string(reason));
  info.set_domain(std::string(domain));
  return WithDetails(std::move(status), {&info});
}

absl::Status WithRetryDelay(absl::Status status, absl::Duration delay) {
  v1::RetryInfo retry;
  SetDuration(delay, retry.mutable_retry_delay());
  return WithDetails(std::move(status), {&retry});
}

absl::Status Recode(const absl::Status& status, absl::StatusCode code, absl::string_view message) {
  absl::Status out(code, message);
  if (!out.ok()) SetPayload(&out, PayloadOf(status));
  return out;
}

std::vector<google::protobuf::Any> DetailsOf(const absl::Status& status) {
  v1::RpcStatus rpc_status = PayloadOf(status);
  return {rpc_status.details().begin(), rpc_status.details().end()};
}

std::optional<absl::Duration> RetryDelayOf(const absl::Status& status) {
  std::optional<v1::RetryInfo> retry = DetailOf<v1::RetryInfo>(status);
  if (!retry.has_value()) return std::nullopt;
  return DurationFromProto(retry->retry_delay());
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(status.code());
  const std::string message(status.message());
  v1::RpcStatus rpc_status = PayloadOf(status);
  if (rpc_status.details_size() == 0) return grpc::Status(code, message);
  rpc_status.set_code(static_cast<int>(code));
  rpc_status.set_message(message);
  return grpc::Status(code, message, rpc_status.SerializeAsString());
}

absl::Status FromGrpcStatus(const grpc::Status& status, absl::string_view stage) {
  if (status.ok()) return absl::OkStatus();
  absl::Status out(
      static_cast<absl::StatusCode>(status.error_code()),
      stage.empty() ? status.error_message() : absl::StrCat(stage, ": ", status.error_message()));
  if (std::optional<v1::RpcStatus> rpc_status = RpcStatusOf(status)) {
    SetPayload(&out, *rpc_status);
  }
  return out;
}

grpc::Status StatusWithDetails(const absl::Status& status,
                               const std::vector<const google::protobuf::Message*>& details) {
  return ToGrpcStatus(WithDetails(status, details));
}

std::optional<v1::RpcStatus> RpcStatusOf(const grpc::Status& status) {
  if (status.error_details().empty()) return std::nullopt;
  v1::RpcStatus rpc_status;
  if (!rpc_status.ParseFromString(status.error_details())) return std::nullopt;
  return rpc_status;
}

}  // namespace skinlens
