#include "common/grpc/error_details.h"

#include <string>

namespace skinlens {

grpc::Status StatusWithDetails(const absl::Status& status,
                               const std::vector<const google::protobuf::Message*>& details) {
  if (status.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(status.code());
  const std::string message(status.message());
  if (details.empty()) return grpc::Status(code, message);
  v1::RpcStatus rpc_status;
  rpc_status.set_code(static_cast<int>(code));
  rpc_status.set_message(message);
  for (const google::protobuf::Message* detail : details) {
    rpc_status.add_details()->PackFrom(*detail);
  }
  return grpc::Status(code, message, rpc_status.SerializeAsString());
}

std::optional<v1::RpcStatus> RpcStatusOf(const grpc::Status& status) {
  if (status.error_details().empty()) return std::nullopt;
  v1::RpcStatus rpc_status;
  if (!rpc_status.ParseFromString(status.error_details())) return std::nullopt;
  return rpc_status;
}

}  // namespace skinlens
