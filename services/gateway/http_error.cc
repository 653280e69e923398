#include "services/gateway/http_error.h"

#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/grpc/rich_status.h"
#include "common/status/status_mapping.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "skinlens/v1/common.pb.h"

namespace skinlens::gateway {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

bool HasReason(const v1::QualityReport& report, v1::QualityReason reason) {
  for (const v1::QualityIssue& issue : report.issues()) {
    if (issue.reason() == reason) return true;
  }
  return false;
}

std::string ErrorBody(int http_status, absl::StatusCode code, absl::string_view message,
                      const std::vector<google::protobuf::Any>& details) {
  Struct body;
  Struct* error = (*body.mutable_fields())["error"].mutable_struct_value();
  auto& fields = *error->mutable_fields();
  fields["code"].set_number_value(http_status);
  fields["status"].set_string_value(absl::StatusCodeToString(code));
  fields["message"].set_string_value(std::string(message));
  google::protobuf::ListValue* list = fields["details"].mutable_list_value();
  for (const google::protobuf::Any& any : details) {
    // Any -> JSON object with "@type", then into the Struct as a Value; a
    // detail of a type this binary does not know is left out.
    std::string json;
    Value value;
    if (google::protobuf::util::MessageToJsonString(any, &json).ok() &&
        google::protobuf::util::JsonStringToMessage(json, &value).ok()) {
      *list->add_values() = std::move(value);
    }
  }
  std::string out;
  if (!google::protobuf::util::MessageToJsonString(body, &out).ok()) {
    out = R"({"error":{"code":500,"status":"INTERNAL","message":"cannot encode the error"}})";
  }
  return out;
}

}  // namespace

int HttpStatusForError(const absl::Status& status) {
  const std::optional<v1::QualityReport> report = DetailOf<v1::QualityReport>(status);
  if (report.has_value()) {
    if (status.code() == absl::StatusCode::kFailedPrecondition) return 422;
    if (status.code() == absl::StatusCode::kInvalidArgument) {
      if (HasReason(*report, v1::QUALITY_REASON_UNSUPPORTED_FORMAT)) return 415;
      if (HasReason(*report, v1::QUALITY_REASON_IMAGE_TOO_LARGE) ||
          HasReason(*report, v1::QUALITY_REASON_IMAGE_TOO_MANY_PIXELS)) {
        return 413;
      }
    }
  }
  return HttpStatusFor(status.code());
}

HttpError ToHttpError(const absl::Status& status) {
  HttpError error;
  error.http_status = HttpStatusForError(status);
  error.body = ErrorBody(error.http_status, status.code(), status.message(), DetailsOf(status));
  if (error.http_status == 429 || error.http_status == 503) {
    if (std::optional<v1::RetryInfo> retry = DetailOf<v1::RetryInfo>(status)) {
      const double seconds = retry->retry_delay().seconds() + retry->retry_delay().nanos() / 1e9;
      error.retry_after_seconds = std::max(1, static_cast<int>(std::ceil(seconds)));
    } else if (error.http_status == 429) {
      error.retry_after_seconds = 1;
    }
  }
  return error;
}

HttpError HttpErrorWithStatus(int http_status, const absl::Status& status) {
  HttpError error;
  error.http_status = http_status;
  error.body = ErrorBody(http_status, status.code(), status.message(), DetailsOf(status));
  return error;
}

HttpError HttpErrorForStatusCode(int http_status) {
  absl::StatusCode code = absl::StatusCode::kInternal;
  std::string message = "internal error";
  switch (http_status) {
    case 400:
      code = absl::StatusCode::kInvalidArgument;
      message = "malformed HTTP request";
      break;
    case 404:
      code = absl::StatusCode::kNotFound;
      message = "no such route or file";
      break;
    case 405:
      code = absl::StatusCode::kUnimplemented;
      message = "method not allowed";
      break;
    case 413:
      code = absl::StatusCode::kInvalidArgument;
      message = "request body too large";
      break;
    case 414:
    case 431:
      code = absl::StatusCode::kInvalidArgument;
      message = "request line or headers too large";
      break;
    case 503:
      code = absl::StatusCode::kUnavailable;
      message = "the gateway is shutting down";
      break;
    default:
      break;
  }
  HttpError error;
  error.http_status = http_status;
  error.body = ErrorBody(http_status, code, message, {});
  return error;
}

}  // namespace skinlens::gateway
