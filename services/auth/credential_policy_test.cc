#include "services/auth/credential_policy.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skinlens::auth {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::IsEmpty;

auto Reasons(const std::vector<Violation>& v) {
  std::vector<std::string> r;
  for (const Violation& x : v) r.push_back(x.reason);
  return r;
}

TEST(CredentialPolicy, AcceptsPlainUsernames) {
  const CredentialPolicy& policy = CredentialPolicy::Default();
  for (const char* name :
       {"bob", "alice.smith", "a_b-c", "User42", "9lives", "abcdefghijklmnopqrstuvwxyz012345"}) {
    EXPECT_THAT(policy.CheckUsername(name), IsEmpty()) << name;
  }
}

TEST(CredentialPolicy, RejectsBadUsernames) {
  const CredentialPolicy& policy = CredentialPolicy::Default();
  for (const char* name : {"", "ab", ".alice", "_bob", "al ice", "bob'--", "a@b", "ümlaut",
                           "abcdefghijklmnopqrstuvwxyz0123456"}) {
    EXPECT_THAT(Reasons(policy.CheckUsername(name)), ElementsAre("USERNAME_INVALID")) << name;
  }
}

TEST(CredentialPolicy, PasswordNeedsEightCharactersCountedAsCodePoints) {
  const CredentialPolicy policy({});
  EXPECT_THAT(Reasons(policy.CheckPassword("seven77", "")), ElementsAre("PASSWORD_TOO_SHORT"));
  EXPECT_THAT(policy.CheckPassword("eight888", ""), IsEmpty());
  // Seven characters in 14 bytes: still too short.
  EXPECT_THAT(
      Reasons(policy.CheckPassword("\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4", "")),
      ElementsAre("PASSWORD_TOO_SHORT"));
}

TEST(CredentialPolicy, NoCompositionRulesAndLongPassphrasesAllowed) {
  const CredentialPolicy policy({});
  EXPECT_THAT(policy.CheckPassword("alllowercaseletters", ""), IsEmpty());
  EXPECT_THAT(policy.CheckPassword("12345678901234567890x", ""), IsEmpty());
  EXPECT_THAT(policy.CheckPassword(std::string(256, 'x'), ""), IsEmpty());
  EXPECT_THAT(Reasons(policy.CheckPassword(std::string(257, 'x'), "")),
              ElementsAre("PASSWORD_TOO_LONG"));
}

TEST(CredentialPolicy, CommonPasswordsAreRejectedCaseInsensitively) {
  const CredentialPolicy& policy = CredentialPolicy::Default();
  EXPECT_GT(policy.common_count(), 5000u);
  for (const char* pw : {"password", "PASSWORD", "Password1!", "12345678", "qwerty123", "iloveyou",
                         "football2024", "skinlens"}) {
    EXPECT_THAT(Reasons(policy.CheckPassword(pw, "")), ElementsAre("PASSWORD_TOO_COMMON")) << pw;
  }
  EXPECT_THAT(policy.CheckPassword("tangerine quokka umbrella", ""), IsEmpty());
}

TEST(CredentialPolicy, PasswordMustNotContainTheUsername) {
  const CredentialPolicy policy({});
  EXPECT_THAT(policy.CheckPassword("x-ALICE-x-2024", "alice", "new_password"),
              ElementsAre(Field(&Violation::field, "new_password")));
  EXPECT_THAT(Reasons(policy.CheckPassword("x-ALICE-x-2024", "alice")),
              ElementsAre("PASSWORD_CONTAINS_USERNAME"));
}

TEST(CredentialPolicy, DescriptionsNeverEchoThePassword) {
  const CredentialPolicy policy({"hunter2hunter2"});
  const std::vector<Violation> violations = policy.CheckPassword("hunter2hunter2", "hunter2");
  // Both rules that would quote it fired, so there are descriptions to check.
  ASSERT_THAT(Reasons(violations),
              ::testing::UnorderedElementsAre("PASSWORD_TOO_COMMON", "PASSWORD_CONTAINS_USERNAME"));
  for (const Violation& v : violations) {
    EXPECT_EQ(v.description.find("hunter2"), std::string::npos);
  }
}

TEST(CredentialPolicy, UsernameKeyFoldsAsciiCase) {
  EXPECT_EQ(CredentialPolicy::UsernameKey("Alice.Smith"), "alice.smith");
}

}  // namespace
}  // namespace skinlens::auth
