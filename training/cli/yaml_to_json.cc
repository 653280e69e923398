#include "training/cli/yaml_to_json.h"

#include <cmath>
#include <limits>
#include <regex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "yaml-cpp/yaml.h"

namespace skinlens::training {
namespace {

using nlohmann::json;

std::string Where(absl::string_view source, const YAML::Mark& mark) {
  if (mark.is_null()) return std::string(source);
  return absl::StrCat(source, ":", mark.line + 1, ":", mark.column + 1);
}

// The YAML 1.2 core schema's resolution of a plain (unquoted, untagged) scalar.
json ResolvePlainScalar(const std::string& text) {
  static const std::regex kNull("^(~|null|Null|NULL|)$");
  static const std::regex kTrue("^(true|True|TRUE)$");
  static const std::regex kFalse("^(false|False|FALSE)$");
  static const std::regex kDecimal("^[-+]?[0-9]+$");
  static const std::regex kOctal("^0o[0-7]+$");
  static const std::regex kHex("^0x[0-9a-fA-F]+$");
  static const std::regex kFloat("^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$");
  static const std::regex kInfinity("^[-+]?\\.(inf|Inf|INF)$");
  static const std::regex kNan("^\\.(nan|NaN|NAN)$");

  if (std::regex_match(text, kNull)) return nullptr;
  if (std::regex_match(text, kTrue)) return true;
  if (std::regex_match(text, kFalse)) return false;
  try {
    if (std::regex_match(text, kDecimal)) {
      if (text[0] == '-') return static_cast<int64_t>(std::stoll(text));
      return static_cast<uint64_t>(std::stoull(text[0] == '+' ? text.substr(1) : text));
    }
    if (std::regex_match(text, kOctal))
      return static_cast<uint64_t>(std::stoull(text.substr(2), nullptr, 8));
    if (std::regex_match(text, kHex))
      return static_cast<uint64_t>(std::stoull(text.substr(2), nullptr, 16));
  } catch (const std::out_of_range&) {
    // Too large for 64 bits: falls through to a float, as JSON's parser does.
  }
  if (std::regex_match(text, kFloat)) return std::stod(text);
  if (std::regex_match(text, kInfinity)) {
    return text[0] == '-' ? -std::numeric_limits<double>::infinity()
                          : std::numeric_limits<double>::infinity();
  }
  if (std::regex_match(text, kNan)) return std::numeric_limits<double>::quiet_NaN();
  return text;
}

absl::StatusOr<json> Convert(const YAML::Node& node, absl::string_view source) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return json(nullptr);
    case YAML::NodeType::Scalar: {
      // "?" is a plain scalar's non-specific tag; "!" a quoted one's; an explicit
      // !!str keeps the text as well.
      const std::string& tag = node.Tag();
      if (tag == "?") return ResolvePlainScalar(node.Scalar());
      return json(node.Scalar());
    }
    case YAML::NodeType::Sequence: {
      json array = json::array();
      for (const YAML::Node& item : node) {
        SKINLENS_ASSIGN_OR_RETURN(json value, Convert(item, source));
        array.push_back(std::move(value));
      }
      return array;
    }
    case YAML::NodeType::Map: {
      json object = json::object();
      for (const auto& entry : node) {
        if (!entry.first.IsScalar()) {
          return absl::InvalidArgumentError(
              absl::StrCat(Where(source, entry.first.Mark()), ": a mapping key must be a scalar"));
        }
        const std::string key = entry.first.Scalar();
        if (object.contains(key)) {
          return absl::InvalidArgumentError(
              absl::StrCat(Where(source, entry.first.Mark()), ": key '", key, "' appears twice"));
        }
        SKINLENS_ASSIGN_OR_RETURN(json value, Convert(entry.second, source));
        object[key] = std::move(value);
      }
      return object;
    }
  }
  return absl::InternalError("unknown YAML node type");
}

}  // namespace

absl::StatusOr<json> YamlToJson(absl::string_view text, absl::string_view source) {
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& error) {
    return absl::InvalidArgumentError(
        absl::StrCat(Where(source, error.mark), ": not valid YAML: ", error.msg));
  }
  if (documents.empty() || documents.front().IsNull()) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": the YAML document is empty"));
  }
  if (documents.size() > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": holds ", documents.size(), " YAML documents; a recipe is one"));
  }
  return Convert(documents.front(), source);
}

}  // namespace skinlens::training
