// The parts of the gRPC adapter that need no server.
#include "services/auth/auth_service.h"

#include "gtest/gtest.h"

namespace skinlens::auth {
namespace {

TEST(ClientAddress, PrefersTheClaimedAddressElseThePeerWithoutPort) {
  EXPECT_EQ(ClientAddress("203.0.113.5", "ipv4:127.0.0.1:4000"), "203.0.113.5");
  EXPECT_EQ(ClientAddress("", "ipv4:127.0.0.1:4000"), "127.0.0.1");
  EXPECT_EQ(ClientAddress("", "ipv6:[::1]:4000"), "::1");
  EXPECT_EQ(ClientAddress("", "ipv6:%5B::1%5D:4000"), "::1");
  EXPECT_EQ(ClientAddress("", "unix:/tmp/s"), "unix:/tmp/s");
}

}  // namespace
}  // namespace skinlens::auth
