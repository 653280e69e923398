#include "services/auth/password_text.h"

#include "gtest/gtest.h"

namespace skinlens::auth {
namespace {

TEST(NormalizePassword, FoldsCompatibilityFormsAndComposes) {
  EXPECT_EQ(NormalizePassword("plain ascii 123"), "plain ascii 123");
  // Full-width "ＡＢＣ１２３" -> "ABC123".
  EXPECT_EQ(
      NormalizePassword("\xef\xbc\xa1\xef\xbc\xa2\xef\xbc\xa3\xef\xbc\x91\xef\xbc\x92\xef\xbc\x93"),
      "ABC123");
  // e + combining acute -> precomposed é.
  EXPECT_EQ(NormalizePassword("cafe\xcc\x81"), "caf\xc3\xa9");
  // Ideographic space -> space; the "ﬁ" ligature -> "fi".
  EXPECT_EQ(NormalizePassword("a\xe3\x80\x80"
                              "b\xef\xac\x81"),
            "a bfi");
  // Hangul stays Hangul (precomposed syllables are NFKC already).
  EXPECT_EQ(NormalizePassword("\xeb\xb9\x84\xeb\xb0\x80"), "\xeb\xb9\x84\xeb\xb0\x80");
}

TEST(NormalizePassword, LeavesInvalidUtf8Alone) {
  const std::string broken(
      "ab\xff\xfe"
      "cd",
      6);
  EXPECT_EQ(NormalizePassword(broken), broken);
}

TEST(IsAllWhitespace, SpacesOfEveryKindButNotEmptyOrMixed) {
  EXPECT_TRUE(IsAllWhitespace("        "));
  EXPECT_TRUE(IsAllWhitespace(" \t\n\xc2\xa0\xe3\x80\x80"));  // NBSP, ideographic space
  EXPECT_FALSE(IsAllWhitespace(""));
  EXPECT_FALSE(IsAllWhitespace("   x   "));
  EXPECT_FALSE(IsAllWhitespace(std::string("  \xff ", 4)));
}

}  // namespace
}  // namespace skinlens::auth
