// What a canonical error code means at the edges, apart from gRPC itself.
//
// Inside SkinLens errors travel as absl::Status; at a gRPC edge they become a
// grpc::Status with their details (common/grpc/rich_status.h). At the gateway's
// HTTP edge they become the HTTP status that google.rpc.Code documents for each
// code (https://github.com/googleapis/googleapis/blob/master/google/rpc/code.proto).
// The whole mapping is the table in status_mapping.cc, tested in one place.
//
//   response.status = HttpStatusFor(status.code());
#pragma once

#include "absl/status/status.h"

namespace skinlens {

// The HTTP status code for a canonical error code (200 for OK).
int HttpStatusFor(absl::StatusCode code);

// True for the codes a client may retry unchanged (UNAVAILABLE, and
// RESOURCE_EXHAUSTED after back-off). The channel factory's retry policy uses
// the same set.
bool IsRetryable(absl::StatusCode code);

}  // namespace skinlens
