#include "services/gateway/rich_status.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "common/grpc/error_details.h"
#include "skinlens/v1/common.pb.h"

namespace skinlens::gateway {
namespace {

v1::RpcStatus RpcStatusPayload(const absl::Status& status) {
  v1::RpcStatus rpc_status;
  absl::optional<absl::Cord> payload = status.GetPayload(kRichDetailsPayload);
  if (payload.has_value()) rpc_status.ParseFromString(std::string(*payload));
  return rpc_status;
}

void SetDetails(absl::Status* status, const v1::RpcStatus& rpc_status) {
  if (rpc_status.details_size() == 0) {
    status->ErasePayload(kRichDetailsPayload);
    return;
  }
  status->SetPayload(kRichDetailsPayload, absl::Cord(rpc_status.SerializeAsString()));
}

}  // namespace

absl::Status FromDownstream(const grpc::Status& status, absl::string_view stage) {
  if (status.ok()) return absl::OkStatus();
  absl::Status out(
      static_cast<absl::StatusCode>(status.error_code()),
      stage.empty() ? status.error_message() : absl::StrCat(stage, ": ", status.error_message()));
  if (std::optional<v1::RpcStatus> rpc_status = RpcStatusOf(status)) SetDetails(&out, *rpc_status);
  return out;
}

absl::Status WithDetails(absl::Status status,
                         const std::vector<const google::protobuf::Message*>& details) {
  if (status.ok()) return status;
  v1::RpcStatus rpc_status = RpcStatusPayload(status);
  for (const google::protobuf::Message* detail : details)
    rpc_status.add_details()->PackFrom(*detail);
  SetDetails(&status, rpc_status);
  return status;
}

absl::Status Recode(const absl::Status& status, absl::StatusCode code, absl::string_view message) {
  absl::Status out(code, message);
  if (!out.ok()) SetDetails(&out, RpcStatusPayload(status));
  return out;
}

std::vector<google::protobuf::Any> DetailsOf(const absl::Status& status) {
  v1::RpcStatus rpc_status = RpcStatusPayload(status);
  return {rpc_status.details().begin(), rpc_status.details().end()};
}

grpc::Status ToRichGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(status.code());
  v1::RpcStatus rpc_status = RpcStatusPayload(status);
  if (rpc_status.details_size() == 0) return grpc::Status(code, std::string(status.message()));
  rpc_status.set_code(static_cast<int>(code));
  rpc_status.set_message(std::string(status.message()));
  return grpc::Status(code, std::string(status.message()), rpc_status.SerializeAsString());
}

}  // namespace skinlens::gateway
