#include "common/grpc/call_assertion.h"

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skinlens {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSecret[] = "0123456789abcdef0123456789abcdef-test-secret";

CallAssertionKey Key(absl::string_view secret = kSecret) {
  absl::StatusOr<CallAssertionKey> key = CallAssertionKey::FromSecret(secret);
  EXPECT_TRUE(key.ok()) << key.status();
  return *key;
}

TEST(CallAssertionKey, RefusesShortSecretsCountingWithoutSurroundingWhitespace) {
  EXPECT_EQ(CallAssertionKey::FromSecret("short").status().code(),
            absl::StatusCode::kInvalidArgument);
  const std::string padded = "  " + std::string(31, 'x') + "\n\n";
  absl::StatusOr<CallAssertionKey> key = CallAssertionKey::FromSecret(padded);
  ASSERT_FALSE(key.ok());
  EXPECT_THAT(key.status().message(), HasSubstr("31 bytes"));
  EXPECT_TRUE(CallAssertionKey::FromSecret(std::string(32, 'x')).ok());
}

CallClaims Claims() {
  CallClaims claims;
  claims.method = "/skinlens.v1.HistoryService/GetTrend";
  claims.request_id = "req-1";
  claims.user_id = "user-a";
  claims.client_address = "203.0.113.7";
  claims.expiry_unix_seconds = 1700000000;
  return claims;
}

TEST(CallAssertionKey, TrailingNewlineOfASecretFileDoesNotChangeTheKey) {
  const std::string path = ::testing::TempDir() + "/assertion.key";
  {
    std::ofstream out(path);
    out << kSecret << "\n";
  }
  absl::StatusOr<CallAssertionKey> from_file = CallAssertionKey::FromFile(path);
  ASSERT_TRUE(from_file.ok()) << from_file.status();
  EXPECT_TRUE(Key().Verify(Claims(), from_file->Mac(Claims())));
  std::remove(path.c_str());
}

TEST(CallAssertionKey, MissingOrShortFileIsAClearErrorThatNeverShowsTheContent) {
  EXPECT_EQ(CallAssertionKey::FromFile("/nonexistent/key").status().code(),
            absl::StatusCode::kNotFound);
  const std::string path = ::testing::TempDir() + "/short.key";
  {
    std::ofstream out(path);
    out << "tiny-secret-value";
  }
  absl::StatusOr<CallAssertionKey> key = CallAssertionKey::FromFile(path);
  ASSERT_EQ(key.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(key.status().message(), HasSubstr(path));
  EXPECT_THAT(key.status().message(), Not(HasSubstr("tiny-secret-value")));
  std::remove(path.c_str());
}

TEST(CallAssertionKey, AnEmptyFlagSaysItIsRequiredAndHowToMakeOne) {
  absl::StatusOr<CallAssertionKey> key =
      CallAssertionKey::FromFlag("", "--user_assertion_key_file", "skinlens-history");
  ASSERT_EQ(key.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(key.status().message(), HasSubstr("--user_assertion_key_file"));
  EXPECT_THAT(key.status().message(), HasSubstr("SKINLENS_USER_ASSERTION_KEY_FILE"));
  EXPECT_THAT(key.status().message(), HasSubstr("required"));
  EXPECT_THAT(key.status().message(), HasSubstr("skinlens-history"));
  EXPECT_THAT(key.status().message(), HasSubstr("/dev/urandom"));
  EXPECT_EQ(CallAssertionKey::FromFlag("/nonexistent/key", "--x", "y").status().code(),
            absl::StatusCode::kNotFound);
}

// Every claim is covered: changing any one of them, or the secret, fails.
TEST(CallAssertionKey, MacVerifiesOnlyForTheSameClaimsAndSecret) {
  const CallAssertionKey key = Key();
  const std::string mac = key.Mac(Claims());
  EXPECT_TRUE(key.Verify(Claims(), mac));
  std::vector<CallClaims> changed(6, Claims());
  changed[0].method = "/skinlens.v1.HistoryService/DeleteUserData";
  changed[1].request_id = "req-2";
  changed[2].user_id = "user-b";
  changed[3].client_address = "198.51.100.1";
  changed[4].expiry_unix_seconds += 1;
  // A user id that takes the address's first characters cannot borrow them.
  changed[5].user_id = "user-a\x01";
  for (const CallClaims& c : changed) EXPECT_FALSE(key.Verify(c, mac)) << c.method << c.user_id;
  CallClaims shifted = Claims();
  shifted.user_id = "user-a2";
  shifted.client_address = "03.0.113.7";
  EXPECT_FALSE(key.Verify(shifted, mac));
  EXPECT_FALSE(Key("another-secret-of-enough-length-0123456789").Verify(Claims(), mac));
}

TEST(CallAssertionKey, RejectsMalformedOrTruncatedMacs) {
  const CallAssertionKey key = Key();
  std::string mac = key.Mac(Claims());
  EXPECT_FALSE(key.Verify(Claims(), ""));
  EXPECT_FALSE(key.Verify(Claims(), "not base64 !!"));
  EXPECT_FALSE(key.Verify(Claims(), mac.substr(0, mac.size() - 4)));
  mac[3] = mac[3] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(key.Verify(Claims(), mac));
}

}  // namespace
}  // namespace skinlens
