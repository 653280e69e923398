#include "services/gateway/request_screen.h"

#include <array>
#include <regex>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "services/gateway/http_request.h"

namespace skinlens::gateway {
namespace {

struct Route {
  const char* pattern;  // ECMAScript regex of the whole path
  const char* allow;
  bool json_body;  // the body, when there is one, is a JSON request message
};

// The API's routes (http_gateway.cc registers the handlers; docs/API.md).
const std::array<Route, 15>& Routes() {
  static const std::array<Route, 15> routes = {{
      {"/v1/accounts", "POST", true},
      {"/v1/sessions", "POST", true},
      {"/v1/sessions/current", "DELETE", true},
      {"/v1/account/password", "POST", true},
      {"/v1/account", "DELETE", true},
      {"/v1/diagnoses", "GET, HEAD, POST", false},
      {"/v1/diagnoses:export", "GET, HEAD", false},
      {"/v1/diagnoses/[^/:]+", "GET, HEAD, DELETE", false},
      {"/v1/trends/[^/]+", "GET, HEAD", false},
      {"/v1/model", "GET, HEAD", false},
      {"/v1/captureSessions", "POST", true},
      {"/v1/captureSessions/[^/:]+/frames", "POST", false},
      {"/v1/captureSessions/[^/:]+", "DELETE", false},
      {"/v1/openapi.json", "GET, HEAD", false},
      {"/healthz", "GET, HEAD", false},
  }};
  return routes;
}

const Route* FindRoute(const std::string& path) {
  static const std::vector<std::regex>* compiled = [] {
    auto* list = new std::vector<std::regex>();
    for (const Route& route : Routes()) list->emplace_back(route.pattern);
    return list;
  }();
  for (size_t i = 0; i < Routes().size(); ++i) {
    if (std::regex_match(path, (*compiled)[i])) return &Routes()[i];
  }
  return nullptr;
}

bool Allows(absl::string_view allow, absl::string_view method) {
  for (absl::string_view m : absl::StrSplit(allow, ", ")) {
    if (m == method) return true;
  }
  return false;
}

Refusal Refuse(int http_status, absl::Status status, bool answer_now) {
  return Refusal{http_status, std::move(status), "", answer_now};
}

// httplib reads the body of these methods before routing; others it leaves
// unread on the connection.
bool BodyIsRead(absl::string_view method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

}  // namespace

std::optional<std::string> AllowedMethods(const std::string& path) {
  if (const Route* route = FindRoute(path)) return std::string(route->allow);
  if (absl::StartsWith(path, "/v1/")) return std::nullopt;  // answered 404 by the routes
  return std::string("GET, HEAD");                          // the web app's files
}

std::optional<Refusal> ScreenRequest(const RequestHead& head, const BodyLimits& limits) {
  const std::string encoding =
      absl::AsciiStrToLower(absl::StripAsciiWhitespace(head.content_encoding));
  if (!encoding.empty() && encoding != "identity") {
    return Refuse(415,
                  absl::InvalidArgumentError(
                      absl::StrCat("request bodies are not accepted with Content-Encoding '",
                                   encoding, "'; send the body uncompressed")),
                  true);
  }
  if (!head.transfer_encoding.empty()) {
    return Refuse(
        411,
        absl::InvalidArgumentError("chunked request bodies are not accepted; send Content-Length"),
        true);
  }
  size_t length = 0;
  if (head.content_length.has_value()) {
    const absl::string_view text = absl::StripAsciiWhitespace(*head.content_length);
    uint64_t parsed = 0;
    // Digits only: SimpleAtoi would take a sign.
    if (text.empty() || text.find_first_not_of("0123456789") != absl::string_view::npos ||
        !absl::SimpleAtoi(text, &parsed)) {
      return Refuse(400,
                    absl::InvalidArgumentError(absl::StrCat(
                        "Content-Length '", *head.content_length, "' is not a byte count")),
                    true);
    }
    length = static_cast<size_t>(parsed);
  } else if (head.method == "POST") {
    return Refuse(411, absl::InvalidArgumentError("a POST needs a Content-Length"), true);
  }
  const bool unread_body = length > 0 && !BodyIsRead(head.method);
  if (unread_body && (head.method == "GET" || head.method == "HEAD")) {
    return Refuse(400, absl::InvalidArgumentError(absl::StrCat("a ", head.method, " has no body")),
                  true);
  }
  if (std::optional<std::string> allow = AllowedMethods(head.path);
      allow.has_value() && !Allows(*allow, head.method)) {
    Refusal refusal = Refuse(405,
                             absl::UnimplementedError(absl::StrCat(
                                 head.path, " does not take ", head.method, "; allowed: ", *allow)),
                             unread_body || length == 0);
    refusal.allow = *allow;
    return refusal;
  }
  const Route* route = FindRoute(head.path);
  if (route == nullptr || !route->json_body) return std::nullopt;
  const size_t limit = limits.max_json_bytes;
  if (length > limit) {
    return Refuse(
        413,
        absl::InvalidArgumentError(absl::StrCat("the request body has ", length, " bytes; ",
                                                head.path, " takes at most ", limit)),
        false);
  }
  if (length > 0 && MediaType(head.content_type) != "application/json") {
    return Refuse(415,
                  absl::InvalidArgumentError(
                      absl::StrCat(head.path, " takes an application/json body, not '",
                                   head.content_type.empty() ? "(none)" : head.content_type, "'")),
                  false);
  }
  return std::nullopt;
}

std::optional<absl::string_view> HeaderValueIn(absl::string_view head, absl::string_view name) {
  bool request_line = true;
  for (absl::string_view line : absl::StrSplit(head, "\r\n")) {
    if (request_line) {
      request_line = false;
      continue;
    }
    const size_t colon = line.find(':');
    if (colon == absl::string_view::npos) continue;
    if (absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(line.substr(0, colon)), name)) {
      return absl::StripAsciiWhitespace(line.substr(colon + 1));
    }
  }
  return std::nullopt;
}

RequestHead ParseRequestHead(absl::string_view head) {
  RequestHead parsed;
  const absl::string_view request_line = head.substr(0, head.find("\r\n"));
  std::vector<absl::string_view> parts = absl::StrSplit(request_line, ' ');
  if (parts.size() >= 2) {
    parsed.method = std::string(parts[0]);
    parsed.path = std::string(parts[1].substr(0, parts[1].find('?')));
  }
  if (auto v = HeaderValueIn(head, "Content-Length")) parsed.content_length = std::string(*v);
  parsed.transfer_encoding = std::string(HeaderValueIn(head, "Transfer-Encoding").value_or(""));
  parsed.content_encoding = std::string(HeaderValueIn(head, "Content-Encoding").value_or(""));
  parsed.content_type = std::string(HeaderValueIn(head, "Content-Type").value_or(""));
  return parsed;
}

}  // namespace skinlens::gateway
