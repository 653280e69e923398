#include "services/gateway/http_request.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/grpc/rich_status.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace skinlens::gateway {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Value;

absl::Status BadParameter(absl::string_view field, std::string description) {
  v1::BadRequest bad;
  v1::BadRequest::FieldViolation* violation = bad.add_field_violations();
  violation->set_field(std::string(field));
  violation->set_description(description);
  return WithDetails(absl::InvalidArgumentError(absl::StrCat(field, ": ", description)), {&bad});
}

// "ATTRIBUTE_UNSPECIFIED" -> "ATTRIBUTE_": the prefix every value of a
// buf-linted enum carries.
std::string EnumPrefix(const google::protobuf::EnumDescriptor& type) {
  if (type.value_count() == 0) return "";
  absl::string_view first = type.value(0)->name();
  if (!absl::ConsumeSuffix(&first, "UNSPECIFIED")) return "";
  return std::string(first);
}

absl::StatusOr<Value> ScalarValue(const FieldDescriptor& field, absl::string_view text) {
  Value value;
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_BOOL:
      if (text == "true" || text == "1") {
        value.set_bool_value(true);
      } else if (text == "false" || text == "0") {
        value.set_bool_value(false);
      } else {
        return BadParameter(field.json_name(), "must be true or false");
      }
      return value;
    case FieldDescriptor::CPPTYPE_ENUM: {
      absl::StatusOr<int> number = ParseEnumName(*field.enum_type(), text);
      if (!number.ok())
        return BadParameter(field.json_name(), std::string(number.status().message()));
      value.set_string_value(field.enum_type()->FindValueByNumber(*number)->name());
      return value;
    }
    default:
      // Numbers, strings, Timestamps and Durations: the JSON mapping reads
      // each from a JSON string.
      value.set_string_value(std::string(text));
      return value;
  }
}

}  // namespace

absl::StatusOr<std::string> BearerToken(absl::string_view authorization) {
  authorization = absl::StripAsciiWhitespace(authorization);
  if (authorization.empty()) return std::string();
  constexpr absl::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size() ||
      !absl::EqualsIgnoreCase(authorization.substr(0, kScheme.size()), kScheme)) {
    v1::ErrorInfo info;
    info.set_reason("TOKEN_INVALID");
    info.set_domain("gateway.skinlens");
    return WithDetails(
        absl::UnauthenticatedError("the Authorization header must be 'Bearer <token>'"), {&info});
  }
  return std::string(absl::StripAsciiWhitespace(authorization.substr(kScheme.size())));
}

absl::Status ParseJsonBody(absl::string_view body, google::protobuf::Message* message) {
  message->Clear();
  if (absl::StripAsciiWhitespace(body).empty()) return absl::OkStatus();
  auto parsed = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(body.data(), body.size()), message);
  if (!parsed.ok()) {
    return BadParameter("body", absl::StrCat("is not a valid ", message->GetDescriptor()->name(),
                                             " JSON object: ", parsed.message().as_string()));
  }
  return absl::OkStatus();
}

absl::Status ParseQuery(const QueryParams& params, google::protobuf::Message* message,
                        const std::vector<std::string>& excluded) {
  message->Clear();
  const google::protobuf::Descriptor& type = *message->GetDescriptor();
  google::protobuf::Struct json;
  for (const auto& [name, text] : params) {
    const FieldDescriptor* field = type.FindFieldByName(name);
    for (int i = 0; field == nullptr && i < type.field_count(); ++i) {
      if (type.field(i)->json_name() == name) field = type.field(i);
    }
    bool refused = field == nullptr;
    for (const std::string& e : excluded) {
      if (field != nullptr && (field->name() == e || field->json_name() == e)) refused = true;
    }
    if (refused) return BadParameter(name, "is not a parameter of this request");
    Value& slot = (*json.mutable_fields())[field->json_name()];
    if (field->is_repeated()) {
      for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipEmpty())) {
        absl::StatusOr<Value> value = ScalarValue(*field, part);
        if (!value.ok()) return value.status();
        *slot.mutable_list_value()->add_values() = *std::move(value);
      }
      continue;
    }
    if (slot.kind_case() != Value::KIND_NOT_SET) {
      return BadParameter(name, "is given more than once");
    }
    absl::StatusOr<Value> value = ScalarValue(*field, text);
    if (!value.ok()) return value.status();
    slot = *std::move(value);
  }
  std::string text;
  if (!google::protobuf::util::MessageToJsonString(json, &text).ok()) {
    return absl::InternalError("cannot encode query parameters");
  }
  auto parsed = google::protobuf::util::JsonStringToMessage(text, message);
  if (!parsed.ok()) {
    return BadParameter(
        "query", absl::StrCat("has a value of the wrong type: ", parsed.message().as_string()));
  }
  return absl::OkStatus();
}

absl::StatusOr<int> ParseEnumName(const google::protobuf::EnumDescriptor& type,
                                  absl::string_view text) {
  const std::string upper = absl::AsciiStrToUpper(text);
  const google::protobuf::EnumValueDescriptor* value = type.FindValueByName(upper);
  if (value == nullptr) value = type.FindValueByName(EnumPrefix(type) + upper);
  if (value == nullptr || text.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "' is not a ", type.name(), " (e.g. ",
                     absl::AsciiStrToLower(absl::StripPrefix(
                         type.value(type.value_count() - 1)->name(), EnumPrefix(type))),
                     ")"));
  }
  return value->number();
}

absl::StatusOr<v1::Attribute> ParseAttribute(absl::string_view text) {
  absl::StatusOr<int> number = ParseEnumName(*v1::Attribute_descriptor(), text);
  if (!number.ok()) return BadParameter("attribute", std::string(number.status().message()));
  if (*number == v1::ATTRIBUTE_UNSPECIFIED) {
    return BadParameter("attribute", "must name an attribute");
  }
  return static_cast<v1::Attribute>(*number);
}

absl::Status ValidateDiagnosisId(absl::string_view id) {
  const bool ok_length = !id.empty() && id.size() <= 128;
  bool ok_chars = true;
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '~' &&
        c != '-') {
      ok_chars = false;
    }
  }
  if (!ok_length || !ok_chars || id == "." || id == "..") {
    return BadParameter("diagnosisId", "must be 1 to 128 characters of A-Z a-z 0-9 . _ ~ -");
  }
  return absl::OkStatus();
}

std::string MediaType(absl::string_view content_type) {
  absl::string_view type = content_type.substr(0, content_type.find(';'));
  return absl::AsciiStrToLower(absl::StripAsciiWhitespace(type));
}

bool IsPhotoMediaType(absl::string_view media_type) {
  return media_type == "image/jpeg" || media_type == "image/png" || media_type == "image/webp";
}

bool AcceptsCsv(absl::string_view accept) {
  for (absl::string_view part : absl::StrSplit(accept, ',')) {
    if (MediaType(part) == "text/csv") return true;
  }
  return false;
}

std::string ToJson(const google::protobuf::Message& message) {
  std::string out;
  if (!google::protobuf::util::MessageToJsonString(message, &out).ok()) return "{}";
  return out;
}

}  // namespace skinlens::gateway
