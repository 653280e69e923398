// Request ids: one id per user request, carried through every service it
// touches so that one photo's log lines can be found in every service's log.
//
// The id travels between processes in the `x-request-id` gRPC metadata (and the
// HTTP header of the same name at the gateway). Inside a process the id of the
// request a thread is working on is thread-local state, set for the duration of
// a handler by ScopedRequestId; the logger stamps it on every line.
//
//   ScopedRequestId scope(RequestIdOrNew(incoming));
//   spdlog::info("decoded photo");  // ... "request_id":"3f9c..."
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace skinlens {

// The metadata key (gRPC) and header name (HTTP) that carry the request id.
inline constexpr char kRequestIdKey[] = "x-request-id";

// A fresh random id: 32 lower-case hex digits (128 bits).
std::string NewRequestId();

// True when `id` is acceptable from a caller: 1 to 128 characters from
// [A-Za-z0-9._:-]. Anything else is replaced, so an id can never inject text
// into a log line or a header.
bool IsValidRequestId(absl::string_view id);

// `incoming` when valid, otherwise a new id.
std::string RequestIdOrNew(absl::string_view incoming);

// The request id of the current thread's request; empty outside one.
absl::string_view CurrentRequestId();

// Sets the current thread's request id until destroyed, then restores the
// previous one. Not movable: it must live on the stack of the handler.
class ScopedRequestId {
 public:
  explicit ScopedRequestId(std::string request_id);
  ~ScopedRequestId();
  ScopedRequestId(const ScopedRequestId&) = delete;
  ScopedRequestId& operator=(const ScopedRequestId&) = delete;

  const std::string& request_id() const { return request_id_; }

 private:
  std::string request_id_;
  const std::string* previous_;
};

}  // namespace skinlens
