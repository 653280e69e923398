#include "services/gateway/client_address.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skinlens::gateway {
namespace {

using ::testing::HasSubstr;

TrustedProxies Proxies(absl::string_view list) {
  absl::StatusOr<TrustedProxies> p = TrustedProxies::Parse(list);
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? *p : TrustedProxies();
}

TEST(TrustedProxies, ParsesAddressesAndRangesOfBothFamilies) {
  const TrustedProxies p = Proxies("10.0.0.0/8, 192.168.1.7 ,fd00::/8");
  EXPECT_TRUE(p.Contains("10.1.2.3"));
  EXPECT_TRUE(p.Contains("192.168.1.7"));
  EXPECT_FALSE(p.Contains("192.168.1.8"));
  EXPECT_TRUE(p.Contains("fd12::1"));
  EXPECT_FALSE(p.Contains("fe80::1"));
  EXPECT_TRUE(p.Contains("::ffff:10.9.9.9"));  // IPv4-mapped
  EXPECT_FALSE(p.Contains("not an address"));
  EXPECT_TRUE(Proxies("").empty());
}

TEST(TrustedProxies, RefusesWhatIsNotARange) {
  for (const char* bad : {"10.0.0.0/33", "fd00::/129", "proxy.local", "10.0.0.0/x", "10.0.0/8"}) {
    absl::StatusOr<TrustedProxies> p = TrustedProxies::Parse(bad);
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(p.status().message(), HasSubstr(bad));
  }
}

TEST(TrustedProxies, HeadersFromAnUntrustedPeerAreIgnored) {
  const TrustedProxies p = Proxies("10.0.0.0/8");
  EXPECT_EQ(p.ClientAddress("203.0.113.5", "198.51.100.1"), "203.0.113.5");
  EXPECT_EQ(TrustedProxies().ClientAddress("10.0.0.1", "198.51.100.1"), "10.0.0.1");
}

TEST(TrustedProxies, TheFirstUntrustedHopFromTheRightIsTheClient) {
  const TrustedProxies p = Proxies("10.0.0.0/8");
  EXPECT_EQ(p.ClientAddress("10.0.0.2", "198.51.100.1"), "198.51.100.1");
  // A client that writes its own X-Forwarded-For cannot pick its address:
  // the proxy appends what it saw, and that is what counts.
  EXPECT_EQ(p.ClientAddress("10.0.0.2", "1.2.3.4, 198.51.100.1"), "198.51.100.1");
  // Two trusted proxies in a row.
  EXPECT_EQ(p.ClientAddress("10.0.0.2", "198.51.100.1, 10.3.3.3"), "198.51.100.1");
  // All trusted: the leftmost.
  EXPECT_EQ(p.ClientAddress("10.0.0.2", "10.5.5.5, 10.3.3.3"), "10.5.5.5");
  // Garbage stops the walk at the last vouched-for address.
  EXPECT_EQ(p.ClientAddress("10.0.0.2", "198.51.100.1, unknown"), "10.0.0.2");
  EXPECT_EQ(p.ClientAddress("10.0.0.2", ""), "10.0.0.2");
  // Ports and brackets.
  EXPECT_EQ(p.ClientAddress("10.0.0.2", "198.51.100.1:4711"), "198.51.100.1");
  EXPECT_EQ(p.ClientAddress("10.0.0.2", "[2001:db8::1]:4711"), "2001:db8::1");
  EXPECT_EQ(p.ClientAddress("10.0.0.2", "2001:db8::1"), "2001:db8::1");
}

TEST(TrustedProxies, ReadsForwardedWhenThereIsNoXForwardedFor) {
  const TrustedProxies p = Proxies("10.0.0.0/8");
  EXPECT_EQ(p.ClientAddress("10.0.0.2", "", "for=192.0.2.60;proto=http;by=10.0.0.2"), "192.0.2.60");
  EXPECT_EQ(p.ClientAddress("10.0.0.2", "", R"(for="[2001:db8:cafe::17]:4711", for=10.1.1.1)"),
            "2001:db8:cafe::17");
  EXPECT_EQ(p.ClientAddress("10.0.0.2", "", "for=_hidden"), "10.0.0.2");
}

}  // namespace
}  // namespace skinlens::gateway
