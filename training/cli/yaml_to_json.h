// Reads YAML into the same JSON tree that the JSON recipe reader produces, so a
// recipe written in YAML goes through one validator (ParseRecipe) and refuses
// the same typos.
//
//   SKINLENS_ASSIGN_OR_RETURN(nlohmann::json tree, YamlToJson(text, "seed.yaml"));
//
// Plain scalars are typed by the YAML 1.2 core schema: null/~, true/false,
// integers (decimal, 0x, 0o), floats (incl. .inf/.nan); anything else, and every
// quoted or explicitly tagged scalar, is a string ("10" stays a string, so a
// quoted number is refused where the recipe wants a number, as in JSON).
#pragma once

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace skinlens::training {

// INVALID_ARGUMENT naming `source`, the line and the column for a syntax error,
// for a document that is empty or holds more than one document, and for a
// mapping key that is not a scalar or appears twice.
absl::StatusOr<nlohmann::json> YamlToJson(absl::string_view text, absl::string_view source);

}  // namespace skinlens::training
