#include "common/time/time_zone_name.h"

#include <string>

#include "gtest/gtest.h"

namespace skinlens {
namespace {

TEST(TimeZoneName, LoadsRealZones) {
  for (const char* name : {"Asia/Seoul", "Europe/Paris", "America/Argentina/Buenos_Aires", "UTC",
                           "Etc/GMT+5", "America/Port-au-Prince"}) {
    absl::StatusOr<absl::TimeZone> zone = LoadIanaTimeZone(name);
    ASSERT_TRUE(zone.ok()) << name << ": " << zone.status();
    EXPECT_EQ(zone->name(), name);
  }
}

// Paths, file-like names, control characters and long names are refused on
// their shape, before the file system or the zone cache sees them.
TEST(TimeZoneName, RefusesMalformedNamesOnTheirShape) {
  for (const std::string& name :
       {std::string(""), std::string("/etc/passwd"), std::string("../../etc/passwd"),
        std::string("Europe/../../etc"), std::string("Europe//Paris"), std::string("Europe/"),
        std::string("Europe/Paris\n"), std::string("Asia/Seoul\0x", 12),
        std::string("Europe Paris"), std::string("Europe/Paris.zi"), std::string(65, 'A'),
        std::string("1Europe/Paris")}) {
    EXPECT_EQ(CheckTimeZoneName(name).code(), absl::StatusCode::kInvalidArgument) << name;
    EXPECT_EQ(LoadIanaTimeZone(name).status().code(), absl::StatusCode::kInvalidArgument) << name;
  }
  EXPECT_NE(CheckTimeZoneName(std::string(65, 'A')).message().find("at most 64"),
            std::string::npos);
}

// Well formed but not installed: refused without loading.
TEST(TimeZoneName, RefusesWellFormedNamesThatAreNoZone) {
  for (const char* name : {"Mars/Olympus_Mons", "Europe/Atlantis", "Asia"}) {
    EXPECT_TRUE(CheckTimeZoneName(name).ok()) << name;
    absl::StatusOr<absl::TimeZone> zone = LoadIanaTimeZone(name);
    EXPECT_EQ(zone.status().code(), absl::StatusCode::kInvalidArgument) << name;
  }
}

}  // namespace
}  // namespace skinlens
