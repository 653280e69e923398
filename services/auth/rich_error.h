// Auth errors as gRPC's rich error model: the reason, retry delay and policy
// violations an absl::Status carries (auth_errors.h) become ErrorInfo,
// RetryInfo and BadRequest details (common/grpc/error_details.h), as
// auth.proto documents them (AIP-193, https://google.aip.dev/193).
//
//   return ToRichGrpcStatus(manager.Login(...).status());   // server
//   RichError e = ParseRichError(status);                     // client / test
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "grpcpp/support/status.h"
#include "services/auth/credential_policy.h"

namespace skinlens::auth {

// A grpc::Status with the same code and message as `status` and, when the
// status carries them (auth_errors.h), details: ErrorInfo{reason, domain},
// RetryInfo{retry_delay}, BadRequest{field_violations}.
grpc::Status ToRichGrpcStatus(const absl::Status& status);

// The details of a status made by ToRichGrpcStatus.
struct RichError {
  std::string reason;                         // ErrorInfo.reason, empty if none.
  std::string domain;                         // ErrorInfo.domain.
  std::optional<absl::Duration> retry_delay;  // RetryInfo.
  std::vector<Violation> violations;          // BadRequest.
};

// Reads the details of `status` (none when absent or undecodable).
RichError ParseRichError(const grpc::Status& status);

}  // namespace skinlens::auth
