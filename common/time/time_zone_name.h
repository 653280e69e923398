// Time zone names from requests, checked before anything loads them.
//
// absl::LoadTimeZone() remembers every name it was asked for, found or not,
// for the life of the process, and tries each as a path under the zone
// database: an unchecked name from a request lets a client grow the memory
// of the service without bound (one entry per distinct name) and probe the
// file system. Only a well-formed IANA name (Area/Location, letters, digits,
// "_", "+", "-"; at most 64 characters) whose file the zone database holds is
// loaded, so the cache stays within the few hundred real zones.
//
//   absl::StatusOr<absl::TimeZone> zone = LoadIanaTimeZone("Asia/Seoul");
//   if (!zone.ok()) return zone.status();  // INVALID_ARGUMENT, says why
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace skinlens {

// The longest name accepted; the longest IANA name has 32 characters.
inline constexpr size_t kMaxTimeZoneNameLength = 64;

// OK when `name` has the shape of an IANA zone name; INVALID_ARGUMENT saying
// what is wrong otherwise. Looks at nothing but the text.
absl::Status CheckTimeZoneName(absl::string_view name);

// The zone `name` from the zone database ($TZDIR, else /usr/share/zoneinfo).
// INVALID_ARGUMENT when the name is malformed (CheckTimeZoneName) or no such
// zone is installed. Thread-safe.
absl::StatusOr<absl::TimeZone> LoadIanaTimeZone(absl::string_view name);

}  // namespace skinlens
