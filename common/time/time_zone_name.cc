#include "common/time/time_zone_name.h"

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace skinlens {

absl::Status CheckTimeZoneName(absl::string_view name) {
  if (name.empty()) return absl::InvalidArgumentError("the time zone name is empty");
  if (name.size() > kMaxTimeZoneNameLength) {
    return absl::InvalidArgumentError(absl::StrCat("the time zone name has ", name.size(),
                                                   " characters, at most ", kMaxTimeZoneNameLength,
                                                   " allowed"));
  }
  for (absl::string_view part : absl::StrSplit(name, '/')) {
    // Each part starts with a letter: no "", ".", ".." nor a leading "/".
    if (part.empty() || !absl::ascii_isalpha(static_cast<unsigned char>(part.front()))) {
      return absl::InvalidArgumentError(
          "is not an IANA time zone name (e.g. \"Europe/Paris\", \"Asia/Seoul\", \"UTC\")");
    }
    for (const char c : part) {
      if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '+' && c != '-') {
        return absl::InvalidArgumentError(
            "is not an IANA time zone name (letters, digits, \"_\", \"+\", \"-\" and \"/\" only)");
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::TimeZone> LoadIanaTimeZone(absl::string_view name) {
  if (absl::Status shape = CheckTimeZoneName(name); !shape.ok()) return shape;
  const char* tzdir = std::getenv("TZDIR");
  const std::filesystem::path file =
      std::filesystem::path(tzdir != nullptr && *tzdir != '\0' ? tzdir : "/usr/share/zoneinfo") /
      std::string(name);
  std::error_code error;
  absl::TimeZone zone;
  if (!std::filesystem::is_regular_file(file, error) ||
      !absl::LoadTimeZone(std::string(name), &zone)) {
    return absl::InvalidArgumentError("is not a known IANA time zone");
  }
  return zone;
}

}  // namespace skinlens
