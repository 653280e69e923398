// gRPC's rich error model for SkinLens, in one place: a status code and message plus typed
// details (ErrorInfo, RetryInfo, BadRequest, QualityReport, ...).
//
// Inside a service errors are absl::Status; their details ride along as one status payload
// (a serialised skinlens.v1.RpcStatus under kRichDetailsPayload), so the logic attaches them
// without knowing gRPC. At the edge ToGrpcStatus() packs them into the
// `grpc-status-details-bin` trailer (https://google.aip.dev/193) and FromGrpcStatus() reads a
// downstream's trailer back into an absl::Status. skinlens.v1.RpcStatus and the standard
// detail messages are wire-compatible with their google.rpc namesakes (common.proto); type
// URLs name the skinlens.v1 messages, as the API documents.
//
//   absl::Status s = WithRetryDelay(absl::UnavailableError("no model yet"), absl::Seconds(1));
//   reactor->Finish(ToGrpcStatus(s));                                  // server edge
//   absl::Status back = FromGrpcStatus(call_status, "inference");      // client edge
//   std::optional<absl::Duration> delay = RetryDelayOf(back);          // 1s
//   std::optional<v1::ErrorInfo> info = DetailOf<v1::ErrorInfo>(back);
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/any.pb.h"
#include "google/protobuf/message.h"
#include "grpcpp/support/status.h"
#include "skinlens/v1/common.pb.h"

namespace skinlens {

// The payload type URL under which an absl::Status carries its details.
inline constexpr char kRichDetailsPayload[] = "type.googleapis.com/skinlens.v1.RpcStatus";

// --- absl::Status with details (the logic's side) ----------------------------------------

// `status` with `details` appended to the details it already carries. OK stays OK.
absl::Status WithDetails(absl::Status status,
                         const std::vector<const google::protobuf::Message*>& details);

// `status` with an ErrorInfo{reason, domain}. OK stays OK.
absl::Status WithErrorInfo(absl::Status status, absl::string_view reason, absl::string_view domain);

// `status` with a RetryInfo whose delay is `delay`. OK stays OK.
absl::Status WithRetryDelay(absl::Status status, absl::Duration delay);

// `status` with code `code` and message `message`, keeping its details.
absl::Status Recode(const absl::Status& status, absl::StatusCode code, absl::string_view message);

// The details `status` carries, in order; empty when none.
std::vector<google::protobuf::Any> DetailsOf(const absl::Status& status);

// The first detail of type T, if any.
template <typename T>
std::optional<T> DetailOf(const absl::Status& status) {
  for (const google::protobuf::Any& any : DetailsOf(status)) {
    T detail;
    if (any.Is<T>() && any.UnpackTo(&detail)) return detail;
  }
  return std::nullopt;
}

// The delay of the first RetryInfo, if any.
std::optional<absl::Duration> RetryDelayOf(const absl::Status& status);

// --- The edge: to and from grpc-status-details-bin ------------------------------------

// The grpc::Status for `status`: same code and message, its details in the trailer (none
// when it carries none).
grpc::Status ToGrpcStatus(const absl::Status& status);

// A call's failure as an absl::Status with the same code, the message prefixed with `stage`
// when given ("preprocess: no face found"), and the trailer's details. OK stays OK; a
// trailer that does not parse is dropped.
absl::Status FromGrpcStatus(const grpc::Status& status, absl::string_view stage = "");

// ToGrpcStatus(WithDetails(status, details)), for an adapter that makes its error where it
// sends it.
grpc::Status StatusWithDetails(const absl::Status& status,
                               const std::vector<const google::protobuf::Message*>& details);

// The RpcStatus a grpc::Status carries; nullopt when it has none or it does not parse.
std::optional<v1::RpcStatus> RpcStatusOf(const grpc::Status& status);

// The first detail of type T in a grpc::Status's trailer, if any.
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
