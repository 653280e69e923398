#include "common/status/status_mapping.h"

namespace skinlens {
namespace {

struct CodeMapping {
  absl::StatusCode code;
  int http_status;
};

// google.rpc.Code's documented HTTP mapping. 499 is the de-facto
// "client closed request" status the same document uses for CANCELLED.
constexpr CodeMapping kCodeTable[] = {
    {absl::StatusCode::kOk, 200},
    {absl::StatusCode::kCancelled, 499},
    {absl::StatusCode::kUnknown, 500},
    {absl::StatusCode::kInvalidArgument, 400},
    {absl::StatusCode::kDeadlineExceeded, 504},
    {absl::StatusCode::kNotFound, 404},
    {absl::StatusCode::kAlreadyExists, 409},
    {absl::StatusCode::kPermissionDenied, 403},
    {absl::StatusCode::kResourceExhausted, 429},
    {absl::StatusCode::kFailedPrecondition, 400},
    {absl::StatusCode::kAborted, 409},
    {absl::StatusCode::kOutOfRange, 400},
    {absl::StatusCode::kUnimplemented, 501},
    {absl::StatusCode::kInternal, 500},
    {absl::StatusCode::kUnavailable, 503},
    {absl::StatusCode::kDataLoss, 500},
    {absl::StatusCode::kUnauthenticated, 401},
};

}  // namespace

int HttpStatusFor(absl::StatusCode code) {
  for (const CodeMapping& m : kCodeTable) {
    if (m.code == code) {
      return m.http_status;
    }
  }
  return 500;  // A code outside the canonical set is a bug somewhere.
}

bool IsRetryable(absl::StatusCode code) {
  return code == absl::StatusCode::kUnavailable || code == absl::StatusCode::kResourceExhausted;
}

}  // namespace skinlens
