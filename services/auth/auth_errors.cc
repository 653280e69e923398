#include "services/auth/auth_errors.h"

#include <cmath>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace skinlens::auth {
namespace {

// Payload keys: private to this process pair (logic -> adapter).
constexpr char kReasonKey[] = "skinlens.auth/reason";
constexpr char kRetryKey[] = "skinlens.auth/retry-after-seconds";
constexpr char kViolationsKey[] = "skinlens.auth/violations";

}  // namespace

absl::Status WithReason(absl::Status status, absl::string_view reason) {
  status.SetPayload(kReasonKey, absl::Cord(reason));
  return status;
}

absl::Status Throttled(absl::Duration retry_after, absl::string_view reason) {
  const int64_t seconds =
      std::max<int64_t>(1, static_cast<int64_t>(std::ceil(absl::ToDoubleSeconds(retry_after))));
  absl::Status status = WithReason(
      absl::ResourceExhaustedError(absl::StrCat("too many attempts; retry in ", seconds, " s")),
      reason);
  status.SetPayload(kRetryKey, absl::Cord(absl::StrCat(seconds)));
  return status;
}

absl::Status PolicyError(const std::vector<Violation>& violations) {
  std::vector<std::string> reasons, lines;
  for (const Violation& v : violations) {
    reasons.push_back(v.reason);
    lines.push_back(absl::StrCat(v.field, "\t", v.reason, "\t", v.description));
  }
  absl::Status status = absl::InvalidArgumentError(
      absl::StrCat("the request breaks these rules: ", absl::StrJoin(reasons, ", ")));
  status.SetPayload(kViolationsKey, absl::Cord(absl::StrJoin(lines, "\n")));
  return status;
}

std::string ErrorReason(const absl::Status& status) {
  auto payload = status.GetPayload(kReasonKey);
  return payload ? std::string(*payload) : std::string();
}

std::optional<absl::Duration> RetryDelay(const absl::Status& status) {
  auto payload = status.GetPayload(kRetryKey);
  int64_t seconds = 0;
  if (!payload || !absl::SimpleAtoi(std::string(*payload), &seconds)) return std::nullopt;
  return absl::Seconds(seconds);
}

std::vector<Violation> Violations(const absl::Status& status) {
  std::vector<Violation> out;
  auto payload = status.GetPayload(kViolationsKey);
  if (!payload) return out;
  for (absl::string_view line : absl::StrSplit(std::string(*payload), '\n', absl::SkipEmpty())) {
    std::vector<std::string> parts = absl::StrSplit(line, absl::MaxSplits('\t', 2));
    parts.resize(3);
    out.push_back({parts[0], parts[1], parts[2]});
  }
  return out;
}

}  // namespace skinlens::auth
