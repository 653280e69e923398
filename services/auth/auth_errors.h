// The structured parts of auth errors: the logic attaches them to its
// absl::Status as the rich error details (ErrorInfo, RetryInfo, BadRequest) of
// common/grpc/rich_status.h, whose ToGrpcStatus() the adapter sends as
// auth.proto documents; a client reads them back with FromGrpcStatus() and the
// readers below.
//
//   absl::Status s = Throttled(absl::Seconds(4), "LOGIN_THROTTLED");
//   ErrorReason(s);   // "LOGIN_THROTTLED"
//   RetryDelay(s);    // 4s
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/auth/credential_policy.h"

namespace skinlens::auth {

// The domain of every ErrorInfo the auth service sends.
inline constexpr char kErrorDomain[] = "auth.skinlens.v1";

// `status` with an ErrorInfo reason (USERNAME_TAKEN, TOKEN_EXPIRED, ...).
absl::Status WithReason(absl::Status status, absl::string_view reason);
// RESOURCE_EXHAUSTED with `reason` and the back-off (rounded up to a second).
absl::Status Throttled(absl::Duration retry_after, absl::string_view reason);
// INVALID_ARGUMENT listing each violated rule.
absl::Status PolicyError(const std::vector<Violation>& violations);

// The reason, retry delay and violations a status carries (empty if none); for a
// received call status: ErrorReason(FromGrpcStatus(status)).
std::string ErrorReason(const absl::Status& status);
std::optional<absl::Duration> RetryDelay(const absl::Status& status);
std::vector<Violation> Violations(const absl::Status& status);

}  // namespace skinlens::auth
