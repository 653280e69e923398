#include "services/auth/auth_errors.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/grpc/rich_status.h"
#include "skinlens/v1/common.pb.h"

namespace skinlens::auth {

absl::Status WithReason(absl::Status status, absl::string_view reason) {
  if (reason.empty()) return status;
  return WithErrorInfo(std::move(status), reason, kErrorDomain);
}

absl::Status Throttled(absl::Duration retry_after, absl::string_view reason) {
  const int64_t seconds =
      std::max<int64_t>(1, static_cast<int64_t>(std::ceil(absl::ToDoubleSeconds(retry_after))));
  absl::Status status = WithReason(
      absl::ResourceExhaustedError(absl::StrCat("too many attempts; retry in ", seconds, " s")),
      reason);
  return WithRetryDelay(std::move(status), absl::Seconds(seconds));
}

absl::Status PolicyError(const std::vector<Violation>& violations) {
  std::vector<std::string> reasons;
  v1::BadRequest bad_request;
  for (const Violation& v : violations) {
    reasons.push_back(v.reason);
    v1::BadRequest::FieldViolation* violation = bad_request.add_field_violations();
    violation->set_field(v.field);
    violation->set_description(v.description);
    violation->set_reason(v.reason);
  }
  absl::Status status = absl::InvalidArgumentError(
      absl::StrCat("the request breaks these rules: ", absl::StrJoin(reasons, ", ")));
  if (violations.empty()) return status;
  return WithDetails(std::move(status), {&bad_request});
}

std::string ErrorReason(const absl::Status& status) {
  std::optional<v1::ErrorInfo> info = DetailOf<v1::ErrorInfo>(status);
  return info.has_value() ? info->reason() : std::string();
}

std::optional<absl::Duration> RetryDelay(const absl::Status& status) {
  return RetryDelayOf(status);
}

std::vector<Violation> Violations(const absl::Status& status) {
  std::vector<Violation> out;
  if (std::optional<v1::BadRequest> bad_request = DetailOf<v1::BadRequest>(status)) {
    for (const v1::BadRequest::FieldViolation& v : bad_request->field_violations()) {
      out.push_back({v.field(), v.reason(), v.description()});
    }
  }
  return out;
}

}  // namespace skinlens::auth
