#include "common/logging/request_id.h"

#include <cstdint>

#include "absl/random/random.h"
#include "absl/strings/str_format.h"

namespace skinlens {
namespace {

// Points at the ScopedRequestId::request_id_ of the innermost scope on this
// thread, or is null.
thread_local const std::string* current_request_id = nullptr;

bool IsRequestIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == ':';
}

}  // namespace

std::string NewRequestId() {
  // absl::BitGen is seeded from the OS per instance; thread_local avoids a lock.
  thread_local absl::BitGen gen;
  return absl::StrFormat("%016x%016x", absl::Uniform<uint64_t>(gen), absl::Uniform<uint64_t>(gen));
}

bool IsValidRequestId(absl::string_view id) {
  if (id.empty() || id.size() > 128) {
    return false;
  }
  for (char c : id) {
    if (!IsRequestIdChar(c)) {
      return false;
    }
  }
  return true;
}

std::string RequestIdOrNew(absl::string_view incoming) {
  return IsValidRequestId(incoming) ? std::string(incoming) : NewRequestId();
}

absl::string_view CurrentRequestId() {
  return current_request_id ? absl::string_view(*current_request_id) : absl::string_view();
}

ScopedRequestId::ScopedRequestId(std::string request_id)
    : request_id_(std::move(request_id)), previous_(current_request_id) {
  current_request_id = &request_id_;
}

ScopedRequestId::~ScopedRequestId() { current_request_id = previous_; }

}  // namespace skinlens
