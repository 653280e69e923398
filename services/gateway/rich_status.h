// absl::Status values that keep gRPC's rich error details across the gateway.
//
// A downstream call fails with a grpc::Status whose `grpc-status-details-bin`
// trailer holds a skinlens.v1.RpcStatus (QualityReport, ErrorInfo, RetryInfo,
// BadRequest). The gateway's core works with absl::Status, so the details ride
// along as a status payload, and both fronts read them back: the gRPC front
// re-packs them into the trailer, the HTTP front writes them into the JSON
// error body (http_error.h).
//
//   absl::Status s = FromDownstream(grpc_status, "preprocess");  // keeps details
//   return ToRichGrpcStatus(s);                                   // gRPC front
//   std::optional<v1::QualityReport> r = DetailOf<v1::QualityReport>(s);
#pragma once

#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/any.pb.h"
#include "google/protobuf/message.h"
#include "grpcpp/support/status.h"

namespace skinlens::gateway {

// The payload type URL under which a status carries its details (a serialised
// skinlens.v1.RpcStatus).
inline constexpr char kRichDetailsPayload[] = "type.googleapis.com/skinlens.v1.RpcStatus";

// The downstream failure `status` as an absl::Status with the same code, the
// message prefixed with `stage` ("preprocess: no face found"), and its details.
// OK stays OK.
absl::Status FromDownstream(const grpc::Status& status, absl::string_view stage);

// `status` with `details` appended to the details it already carries. OK
// stays OK.
absl::Status WithDetails(absl::Status status,
                         const std::vector<const google::protobuf::Message*>& details);

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

// The grpc::Status for the public gRPC front: same code and message, details
// in the `grpc-status-details-bin` trailer.
grpc::Status ToRichGrpcStatus(const absl::Status& status);

}  // namespace skinlens::gateway
