// The HTTP face of an error: status code, Retry-After and the JSON body of the
// gateway's HTTP API (docs/API.md).
//
// The code follows google.rpc.Code's HTTP mapping (common/status), refined
// where the API promises more than the canonical code says:
//   FAILED_PRECONDITION with a QualityReport (quality gate refusal) -> 422;
//   INVALID_ARGUMENT with QualityReport UNSUPPORTED_FORMAT           -> 415;
//   INVALID_ARGUMENT with QualityReport IMAGE_TOO_LARGE/TOO_MANY_PIXELS -> 413.
// The body is Google's JSON error shape, written by protobuf's JSON mapping:
//   {"error": {"code": 422, "status": "FAILED_PRECONDITION", "message": "...",
//              "details": [{"@type": "type.googleapis.com/skinlens.v1.QualityReport", ...}]}}
//
//   HttpError e = ToHttpError(status);
//   res.status = e.http_status; res.set_content(e.body, "application/json");
#pragma once

#include <optional>
#include <string>

#include "absl/status/status.h"

namespace skinlens::gateway {

// An error response ready to send.
struct HttpError {
  int http_status = 500;
  // The JSON body described above.
  std::string body;
  // Seconds for the Retry-After header (429 and 503 only: from the RetryInfo
  // detail, rounded up, at least 1; a 429 always has one).
  std::optional<int> retry_after_seconds;
};

// The HTTP status for a failed `status` (see the table above). Precondition:
// !status.ok().
int HttpStatusForError(const absl::Status& status);

// The full error response for a failed `status`. Precondition: !status.ok().
HttpError ToHttpError(const absl::Status& status);

// The error response for `status` sent with a given HTTP status (the gateway's
// own refusals before routing: 405, 411, 413, 415); the body's "code" is
// `http_status`. Precondition: !status.ok().
HttpError HttpErrorWithStatus(int http_status, const absl::Status& status);

// The error response httplib produced itself (no handler ran, or the body was
// refused): 404 route not found, 413 body too large, 400 malformed request, ...
HttpError HttpErrorForStatusCode(int http_status);

}  // namespace skinlens::gateway
