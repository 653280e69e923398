#include "services/auth/password_hasher.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skinlens::auth {
namespace {

using ::testing::MatchesRegex;

PasswordHasher Cheap() { return *PasswordHasher::Create(Argon2Params{8, 1}); }

TEST(PasswordHasher, DefaultsMeetOwaspMinimum) {
  const Argon2Params defaults;
  EXPECT_GE(defaults.memory_kib, 19u * 1024);
  EXPECT_GE(defaults.iterations, 2u);
}

TEST(PasswordHasher, ProductionHashIsArgon2idPhcStringWithItsParameters) {
  // One real-cost hash (19 MiB): the only test that pays for it.
  auto hasher = PasswordHasher::Create(kMinimumProductionParams);
  ASSERT_TRUE(hasher.ok()) << hasher.status();
  auto phc = hasher->Hash("correct horse battery staple");
  ASSERT_TRUE(phc.ok()) << phc.status();
  EXPECT_THAT(
      *phc,
      MatchesRegex(R"(\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43})"));
  EXPECT_TRUE(hasher->Verify(*phc, "correct horse battery staple"));
}

TEST(PasswordHasher, VerifiesOnlyTheRightPassword) {
  const PasswordHasher hasher = Cheap();
  const std::string phc = *hasher.Hash("open sesame 123");
  EXPECT_TRUE(hasher.Verify(phc, "open sesame 123"));
  EXPECT_FALSE(hasher.Verify(phc, "open sesame 124"));
  EXPECT_FALSE(hasher.Verify(phc, ""));
}

TEST(PasswordHasher, SaltMakesEveryHashDifferent) {
  const PasswordHasher hasher = Cheap();
  EXPECT_NE(*hasher.Hash("same password"), *hasher.Hash("same password"));
}

TEST(PasswordHasher, MalformedHashesNeverVerify) {
  const PasswordHasher hasher = Cheap();
  for (const char* bad : {"", "plain", "$argon2id$v=19$m=8,t=1,p=1$", "$2b$12$abcdefghijkl",
                          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}) {
    EXPECT_FALSE(hasher.Verify(bad, "")) << bad;
    EXPECT_TRUE(hasher.NeedsRehash(bad)) << bad;
  }
  EXPECT_FALSE(hasher.Verify(std::string(1000, '$'), "x"));
}

TEST(PasswordHasher, NeedsRehashOnlyWhenStoredCostIsLower) {
  const std::string weak = *Cheap().Hash("pw");
  const PasswordHasher stronger = *PasswordHasher::Create(Argon2Params{16, 2});
  EXPECT_TRUE(stronger.NeedsRehash(weak));
  EXPECT_TRUE(stronger.Verify(weak, "pw"));  // Old hashes keep working.
  const std::string strong = *stronger.Hash("pw");
  EXPECT_FALSE(stronger.NeedsRehash(strong));
  EXPECT_FALSE(Cheap().NeedsRehash(strong));  // No downgrade during a roll-out.
}

TEST(PasswordHasher, RefusesParametersBelowLibsodiumMinimum) {
  EXPECT_EQ(PasswordHasher::Create(Argon2Params{4, 1}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(PasswordHasher::Create(Argon2Params{8, 0}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace skinlens::auth
