// gRPC's rich error model for SkinLens: a status code and message plus typed
// details (ErrorInfo, RetryInfo, BadRequest, QualityReport, ...) packed as
// google.protobuf.Any into a skinlens.v1.RpcStatus, which travels in the
// `grpc-status-details-bin` trailer (https://google.aip.dev/193).
// skinlens.v1.RpcStatus and the standard detail messages are wire-compatible
// with their google.rpc namesakes (common.proto); type URLs name the
// skinlens.v1 messages, as the API documents.
//
//   v1::ErrorInfo info;
//   info.set_reason("USERNAME_TAKEN");
//   return StatusWithDetails(absl::AlreadyExistsError("taken"), {&info});  // server
//   std::optional<v1::ErrorInfo> got = FindDetail<v1::ErrorInfo>(status);  // client
#pragma once

#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "google/protobuf/message.h"
#include "grpcpp/support/status.h"
#include "skinlens/v1/common.pb.h"

namespace skinlens {

// A grpc::Status with the code and message of `status` and `details` packed
// into its RpcStatus. OK stays OK (details are dropped); no details gives a
// plain status.
grpc::Status StatusWithDetails(const absl::Status& status,
                               const std::vector<const google::protobuf::Message*>& details);

// The RpcStatus a status carries; nullopt when it has none or it does not parse.
std::optional<v1::RpcStatus> RpcStatusOf(const grpc::Status& status);

// The first detail of type T in `status`, if any.
template <typename T>
std::optional<T> FindDetail(const grpc::Status& status) {
  std::optional<v1::RpcStatus> rpc_status = RpcStatusOf(status);
  if (!rpc_status) return std::nullopt;
  for (const google::protobuf::Any& any : rpc_status->details()) {
    T detail;
    if (any.Is<T>() && any.UnpackTo(&detail)) return detail;
  }
  return std::nullopt;
}

}  // namespace skinlens
