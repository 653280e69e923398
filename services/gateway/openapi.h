// The OpenAPI 3 document of the gateway's HTTP API (openapi.json beside this
// file, embedded at build time), served at /v1/openapi.json.
//
//   res.set_content(std::string(OpenApiJson()), "application/json");
#pragma once

#include "absl/strings/string_view.h"

namespace skinlens::gateway {

// The document's text, as checked in.
absl::string_view OpenApiJson();

}  // namespace skinlens::gateway
