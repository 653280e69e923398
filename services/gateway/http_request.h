// Reading HTTP requests of the gateway's API into the DiagnosisService protos:
// bearer tokens, JSON bodies and query strings (both through protobuf's JSON
// mapping), enum names as users type them, diagnosis ids, media types.
// Pure functions without httplib types, so each rule is unit-tested.
//
//   v1::ListDiagnosesRequest request;
//   SKINLENS_RETURN_IF_ERROR(ParseQuery({{"pageSize", "5"}, {"view", "full"}}, &request));
//   SKINLENS_ASSIGN_OR_RETURN(v1::Attribute a, ParseAttribute("wrinkle"));
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "skinlens/v1/common.pb.h"

namespace skinlens::gateway {

// Query parameters as httplib gives them (httplib::Params): decoded, in order,
// a name may repeat.
using QueryParams = std::multimap<std::string, std::string>;

// The token of an `Authorization: Bearer <token>` header value. An empty
// header gives an empty token (the caller decides whether one is needed);
// another scheme or an empty token is UNAUTHENTICATED (ErrorInfo
// TOKEN_INVALID).
absl::StatusOr<std::string> BearerToken(absl::string_view authorization);

// Parses a JSON request body into `message` (protobuf JSON mapping: lowerCamel
// or proto field names, enums by name, unknown fields refused). An empty body
// is an empty message. INVALID_ARGUMENT with the parser's reason otherwise.
absl::Status ParseJsonBody(absl::string_view body, google::protobuf::Message* message);

// Sets the fields of `message` named by `params` (JSON or proto field names).
// Values are read as the field's type: booleans "true"/"false"/"1"/"0";
// enums by full name or by the short name in any case ("full" for
// DIAGNOSIS_VIEW_FULL); Timestamps RFC 3339; Durations "1.5s"; numbers as
// decimal text. A repeated field takes repeated parameters or a comma-separated
// list. Fields in `excluded` and unknown names are refused: INVALID_ARGUMENT
// with a BadRequest detail naming the parameter. Clears `message` first.
absl::Status ParseQuery(const QueryParams& params, google::protobuf::Message* message,
                        const std::vector<std::string>& excluded = {});

// The enum value of `type` that `text` names: the full name
// ("ATTRIBUTE_WRINKLE"), or the name without the enum's prefix in any case
// ("wrinkle", "Wrinkle"). INVALID_ARGUMENT otherwise.
absl::StatusOr<int> ParseEnumName(const google::protobuf::EnumDescriptor& type,
                                  absl::string_view text);

// An attribute from a URL path segment ("wrinkle" or "ATTRIBUTE_WRINKLE");
// UNSPECIFIED and unknown names are INVALID_ARGUMENT (BadRequest "attribute").
absl::StatusOr<v1::Attribute> ParseAttribute(absl::string_view text);

// A diagnosis id from a URL path: 1 to 128 characters of [A-Za-z0-9._~-]
// (history's ids are opaque but URL-safe). INVALID_ARGUMENT otherwise.
absl::Status ValidateDiagnosisId(absl::string_view id);

// The media type of a Content-Type value, lower case, without parameters:
// "image/jpeg; q=1" -> "image/jpeg".
std::string MediaType(absl::string_view content_type);

// True for the photo media types a raw upload may declare: image/jpeg,
// image/png, image/webp.
bool IsPhotoMediaType(absl::string_view media_type);

// True when an Accept header value asks for text/csv.
bool AcceptsCsv(absl::string_view accept);

// `message` as JSON (protobuf JSON mapping, default options).
std::string ToJson(const google::protobuf::Message& message);

}  // namespace skinlens::gateway
