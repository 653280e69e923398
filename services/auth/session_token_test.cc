#include "services/auth/session_token.h"

#include <set>

#include "gtest/gtest.h"

namespace skinlens::auth {
namespace {

TEST(SessionToken, Has256BitsInBase64Url) {
  const std::string token = NewSessionToken();
  EXPECT_EQ(token.size(), kSessionTokenLength);  // ceil(256 / 6) characters.
  EXPECT_TRUE(LooksLikeSessionToken(token));
}

TEST(SessionToken, NeverRepeats) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(seen.insert(NewSessionToken()).second);
}

TEST(SessionToken, HashIsSha256Hex) {
  // FIPS 180-2 test vector.
  EXPECT_EQ(HashSessionToken("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(SessionToken, ShapeCheckRejectsOtherStrings) {
  EXPECT_FALSE(LooksLikeSessionToken(""));
  EXPECT_FALSE(LooksLikeSessionToken(std::string(42, 'a')));
  EXPECT_FALSE(LooksLikeSessionToken(std::string(42, 'a') + "="));
  EXPECT_FALSE(LooksLikeSessionToken(std::string(42, 'a') + "'"));
}

TEST(ConstantTimeEquals, ComparesContentAndLength) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

TEST(NewRandomId, Is128BitsOfHex) {
  const std::string id = NewRandomId();
  EXPECT_EQ(id.size(), 32u);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(id, NewRandomId());
}

}  // namespace
}  // namespace skinlens::auth
