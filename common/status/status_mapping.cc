#include "common/status/status_mapping.h"

#include <string>

#include "absl/strings/str_cat.h"

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

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) {
    return grpc::Status::OK;
  }
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

absl::Status ToAbslStatus(const grpc::Status& status, absl::string_view context) {
  if (status.ok()) {
    return absl::OkStatus();
  }
  auto code = static_cast<absl::StatusCode>(status.error_code());
  if (context.empty()) {
    return absl::Status(code, status.error_message());
  }
  return absl::Status(code, absl::StrCat(context, ": ", status.error_message()));
}

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
