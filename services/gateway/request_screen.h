// The checks every HTTP request passes on its head (httplib's pre-routing hook
// runs after the headers, before the body):
//
// - A known path with a method it does not serve: 405 with Allow.
// - A body with Content-Encoding (gzip, br, ...): 415. httplib would inflate it
//   before any size check (about 1,000:1 for gzip), so the body limit would not
//   hold; no client of this API compresses request bodies.
// - A chunked body: 411. Its size is unknown until the last chunk, and httplib
//   reads all chunks before checking the limit; every client sends
//   Content-Length.
// - A POST without Content-Length, or one that is not a decimal number: 411 /
//   400 at once, instead of waiting for a body that never ends.
// - A GET or HEAD with a body: 400. httplib does not read it, so it would be
//   parsed as the next request on the connection (request smuggling).
// - A JSON body over a few KiB on the account and session routes: 413.
//   (A photo over its limit is refused by httplib's payload limit, which answers
//   413 and skips the rest of it.)
// - A JSON route whose body is not `application/json`: 415, so that another
//   site's page cannot post log-ins or sign-ups as a "simple" cross-origin
//   request (text/plain, forms) without a CORS preflight.
//
// When to answer. Closing a connection whose body the client is still sending
// makes the kernel reset it, and a reset client usually loses the answer (an
// HTTP client sees "connection reset", not the 413). So a refusal whose body
// has a declared length that httplib will read (bounded by its payload limit)
// waits for the body and is answered by the route on a clean connection
// (`answer_now` false); requests without a body, and bodies that cannot be read
// safely (compressed, chunked, unknown length, not read by httplib), are
// refused on the head, and that connection is closed.
//
//   if (std::optional<Refusal> no = ScreenRequest(head, limits)) { ...send no->status... }
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace skinlens::gateway {

// What ScreenRequest looks at: the request line and the headers that matter
// (empty when absent, except content_length).
struct RequestHead {
  std::string method;
  std::string path;
  std::optional<std::string> content_length;
  std::string transfer_encoding;
  std::string content_encoding;
  std::string content_type;
};

// Body limits by route kind.
struct BodyLimits {
  size_t max_json_bytes = 8 * 1024;  // accounts, sessions, password, delete account
};

// A request refused on its head.
struct Refusal {
  int http_status = 400;
  absl::Status status;  // the error the JSON body describes
  std::string allow;    // the Allow header of a 405
  // Answer from the pre-routing hook and close the connection (there is no
  // body, or it cannot be read safely); otherwise answer once the body has been
  // read.
  bool answer_now = false;
};

// The value of header `name` (case-insensitive) in the raw head `head` (the
// request line and header lines, CRLF-separated), or nullopt.
std::optional<absl::string_view> HeaderValueIn(absl::string_view head, absl::string_view name);

// The RequestHead of a raw head as it arrived (the path without its query).
RequestHead ParseRequestHead(absl::string_view head);

// The methods `path` is served with ("GET, HEAD", "POST", ...), or nullopt when
// it is not an API route (static files and unknown /v1 paths are answered by
// the routes themselves).
std::optional<std::string> AllowedMethods(const std::string& path);

// nullopt when the request may proceed to its route.
std::optional<Refusal> ScreenRequest(const RequestHead& head, const BodyLimits& limits);

}  // namespace skinlens::gateway
