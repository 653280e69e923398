#include "common/grpc/user_assertion.h"

#include <cstdio>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skinlens {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSecret[] = "0123456789abcdef0123456789abcdef-test-secret";

UserAssertionKey Key(absl::string_view secret = kSecret) {
  absl::StatusOr<UserAssertionKey> key = UserAssertionKey::FromSecret(secret);
  EXPECT_TRUE(key.ok()) << key.status();
  return *key;
}

TEST(UserAssertionKey, RefusesShortSecretsCountingWithoutSurroundingWhitespace) {
  EXPECT_EQ(UserAssertionKey::FromSecret("short").status().code(),
            absl::StatusCode::kInvalidArgument);
  const std::string padded = "  " + std::string(31, 'x') + "\n\n";
  absl::StatusOr<UserAssertionKey> key = UserAssertionKey::FromSecret(padded);
  ASSERT_FALSE(key.ok());
  EXPECT_THAT(key.status().message(), HasSubstr("31 bytes"));
  EXPECT_TRUE(UserAssertionKey::FromSecret(std::string(32, 'x')).ok());
}

TEST(UserAssertionKey, TrailingNewlineOfASecretFileDoesNotChangeTheKey) {
  const std::string path = ::testing::TempDir() + "/assertion.key";
  {
    std::ofstream out(path);
    out << kSecret << "\n";
  }
  absl::StatusOr<UserAssertionKey> from_file = UserAssertionKey::FromFile(path);
  ASSERT_TRUE(from_file.ok()) << from_file.status();
  EXPECT_TRUE(Key().Verify("u1", 100, from_file->Mac("u1", 100)));
  std::remove(path.c_str());
}

TEST(UserAssertionKey, MissingOrShortFileIsAClearErrorThatNeverShowsTheContent) {
  EXPECT_EQ(UserAssertionKey::FromFile("/nonexistent/key").status().code(),
            absl::StatusCode::kNotFound);
  const std::string path = ::testing::TempDir() + "/short.key";
  {
    std::ofstream out(path);
    out << "tiny-secret-value";
  }
  absl::StatusOr<UserAssertionKey> key = UserAssertionKey::FromFile(path);
  ASSERT_EQ(key.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(key.status().message(), HasSubstr(path));
  EXPECT_THAT(key.status().message(), Not(HasSubstr("tiny-secret-value")));
  std::remove(path.c_str());
}

TEST(UserAssertionKey, AnEmptyFlagSaysItIsRequiredAndHowToMakeOne) {
  absl::StatusOr<UserAssertionKey> key = UserAssertionKey::FromFlag("", "skinlens-history");
  ASSERT_EQ(key.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(key.status().message(), HasSubstr("required"));
  EXPECT_THAT(key.status().message(), HasSubstr("skinlens-history"));
  EXPECT_THAT(key.status().message(), HasSubstr("/dev/urandom"));
  EXPECT_EQ(UserAssertionKey::FromFlag("/nonexistent/key", "x").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(UserAssertionKey, MacVerifiesOnlyForTheSameUserExpiryAndSecret) {
  const UserAssertionKey key = Key();
  const std::string mac = key.Mac("user-a", 1700000000);
  EXPECT_TRUE(key.Verify("user-a", 1700000000, mac));
  EXPECT_FALSE(key.Verify("user-b", 1700000000, mac));
  EXPECT_FALSE(key.Verify("user-a", 1700000001, mac));
  EXPECT_FALSE(Key("another-secret-of-enough-length-0123456789").Verify("user-a", 1700000000, mac));
  // A user id that ends in the expiry's digits cannot borrow them.
  EXPECT_FALSE(key.Verify("user-a1", 700000000, mac));
}

TEST(UserAssertionKey, RejectsMalformedOrTruncatedMacs) {
  const UserAssertionKey key = Key();
  std::string mac = key.Mac("user-a", 42);
  EXPECT_FALSE(key.Verify("user-a", 42, ""));
  EXPECT_FALSE(key.Verify("user-a", 42, "not base64 !!"));
  EXPECT_FALSE(key.Verify("user-a", 42, mac.substr(0, mac.size() - 4)));
  mac[3] = mac[3] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(key.Verify("user-a", 42, mac));
}

}  // namespace
}  // namespace skinlens
