#include "services/auth/rich_error.h"

#include "common/grpc/error_details.h"
#include "services/auth/auth_errors.h"
#include "skinlens/v1/common.pb.h"

namespace skinlens::auth {

grpc::Status ToRichGrpcStatus(const absl::Status& status) {
  v1::ErrorInfo info;
  v1::RetryInfo retry;
  v1::BadRequest bad_request;
  std::vector<const google::protobuf::Message*> details;
  if (const std::string reason = ErrorReason(status); !reason.empty()) {
    info.set_reason(reason);
    info.set_domain(kErrorDomain);
    details.push_back(&info);
  }
  if (const std::optional<absl::Duration> delay = RetryDelay(status); delay.has_value()) {
    retry.mutable_retry_delay()->set_seconds(absl::ToInt64Seconds(*delay));
    details.push_back(&retry);
  }
  for (const Violation& v : Violations(status)) {
    v1::BadRequest::FieldViolation* violation = bad_request.add_field_violations();
    violation->set_field(v.field);
    violation->set_description(v.description);
    violation->set_reason(v.reason);
  }
  if (bad_request.field_violations_size() > 0) details.push_back(&bad_request);
  return StatusWithDetails(status, details);
}

RichError ParseRichError(const grpc::Status& status) {
  RichError error;
  if (auto info = FindDetail<v1::ErrorInfo>(status)) {
    error.reason = info->reason();
    error.domain = info->domain();
  }
  if (auto retry = FindDetail<v1::RetryInfo>(status)) {
    error.retry_delay = absl::Seconds(retry->retry_delay().seconds()) +
                        absl::Nanoseconds(retry->retry_delay().nanos());
  }
  if (auto bad_request = FindDetail<v1::BadRequest>(status)) {
    for (const auto& v : bad_request->field_violations()) {
      error.violations.push_back({v.field(), v.reason(), v.description()});
    }
  }
  return error;
}

}  // namespace skinlens::auth
