// Translation of errors at the edges of a service.
//
// Inside SkinLens errors travel as absl::Status. At a gRPC edge they become a
// grpc::Status with the same canonical code (the two enums share numbering, see
// https://grpc.github.io/grpc/core/md_doc_statuscodes.html); at the gateway's
// HTTP edge they become the HTTP status that google.rpc.Code documents for each
// code (https://github.com/googleapis/googleapis/blob/master/google/rpc/code.proto).
// The whole mapping is the table in status_mapping.cc, tested in one place.
//
//   return ToGrpcStatus(store.Record(diagnosis));
#pragma once

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grpcpp/support/status.h"

namespace skinlens {

// Converts an absl::Status into a grpc::Status with the same code and message.
grpc::Status ToGrpcStatus(const absl::Status& status);

// Converts a grpc::Status (for example the result of a downstream call) into an
// absl::Status with the same code and message. `context`, when not empty, is
// prefixed to the message: "preprocess: face too small".
absl::Status ToAbslStatus(const grpc::Status& status, absl::string_view context = {});

// The HTTP status code for a canonical error code (200 for OK).
int HttpStatusFor(absl::StatusCode code);

// True for the codes a client may retry unchanged (UNAVAILABLE, and
// RESOURCE_EXHAUSTED after back-off). The channel factory's retry policy uses
// the same set.
bool IsRetryable(absl::StatusCode code);

}  // namespace skinlens
