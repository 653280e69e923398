#include "common/grpc/user_assertion.h"

#include <sodium.h>

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace skinlens {
namespace {

// Domain separation: a MAC made for this purpose never verifies for another
// use of the same secret.
constexpr absl::string_view kMacContext = "skinlens user assertion v1";

std::string RawMac(const std::string& secret, absl::string_view user_id, int64_t expiry) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  const std::string message = absl::StrCat(kMacContext, absl::string_view("\0", 1), user_id,
                                           absl::string_view("\0", 1), expiry);
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()),
                                message.size());
  std::string mac(crypto_auth_hmacsha256_BYTES, '\0');
  crypto_auth_hmacsha256_final(&state, reinterpret_cast<unsigned char*>(mac.data()));
  sodium_memzero(&state, sizeof state);
  return mac;
}

std::string MetadataValue(const grpc::ServerContextBase& context, absl::string_view key) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(grpc::string_ref(key.data(), key.size()));
  if (it == metadata.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

}  // namespace

absl::StatusOr<UserAssertionKey> UserAssertionKey::FromSecret(absl::string_view secret) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(secret);
  if (trimmed.size() < kMinUserAssertionSecretBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the user assertion secret has ", trimmed.size(), " bytes; at least ",
        kMinUserAssertionSecretBytes, " are needed (e.g. `head -c 32 /dev/urandom | base64`)"));
  }
  if (sodium_init() < 0) return absl::InternalError("libsodium failed to initialise");
  return UserAssertionKey(std::string(trimmed));
}

absl::StatusOr<UserAssertionKey> UserAssertionKey::FromFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("cannot read the user assertion secret file '", path, "'"));
  }
  std::ostringstream content;
  content << in.rdbuf();
  absl::StatusOr<UserAssertionKey> key = FromSecret(content.str());
  if (!key.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", key.status().message()));
  }
  return key;
}

absl::StatusOr<UserAssertionKey> UserAssertionKey::FromFlag(const std::string& path,
                                                            absl::string_view peer) {
  if (path.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--user_assertion_key_file (or SKINLENS_USER_ASSERTION_KEY_FILE) is required: the "
        "secret shared with ",
        peer, ", e.g. `head -c 32 /dev/urandom | base64 > FILE`"));
  }
  return FromFile(path);
}

std::string UserAssertionKey::Mac(absl::string_view user_id, int64_t expiry_unix_seconds) const {
  return absl::WebSafeBase64Escape(RawMac(secret_, user_id, expiry_unix_seconds));
}

bool UserAssertionKey::Verify(absl::string_view user_id, int64_t expiry_unix_seconds,
                              absl::string_view mac) const {
  std::string given;
  if (!absl::WebSafeBase64Unescape(mac, &given) || given.size() != crypto_auth_hmacsha256_BYTES) {
    return false;
  }
  const std::string expected = RawMac(secret_, user_id, expiry_unix_seconds);
  return sodium_memcmp(given.data(), expected.data(), expected.size()) == 0;
}

void AssertUser(const UserAssertionKey& key, absl::string_view user_id, absl::Time expiry,
                grpc::ClientContext* context) {
  // Rounded up, so a deadline a fraction of a second away is still covered.
  const int64_t expiry_seconds =
      absl::ToUnixSeconds(expiry + absl::Seconds(1) - absl::Nanoseconds(1));
  context->AddMetadata(kUserIdMetadataKey, std::string(user_id));
  context->AddMetadata(kUserAssertionMetadataKey,
                       absl::StrCat(expiry_seconds, ".", key.Mac(user_id, expiry_seconds)));
}

absl::StatusOr<std::string> AssertedUser(const UserAssertionKey& key,
                                         const grpc::ServerContextBase& context, absl::Time now) {
  const std::string user_id = MetadataValue(context, kUserIdMetadataKey);
  const std::string assertion = MetadataValue(context, kUserAssertionMetadataKey);
  if (user_id.empty() || assertion.empty()) {
    return absl::UnauthenticatedError(
        absl::StrCat("this internal call needs the caller's user in '", kUserIdMetadataKey,
                     "' and '", kUserAssertionMetadataKey, "' metadata (set by the gateway)"));
  }
  const std::pair<absl::string_view, absl::string_view> parts =
      absl::StrSplit(assertion, absl::MaxSplits('.', 1));
  int64_t expiry = 0;
  if (!absl::SimpleAtoi(parts.first, &expiry) || parts.second.empty()) {
    return absl::UnauthenticatedError("the user assertion is malformed");
  }
  if (!key.Verify(user_id, expiry, parts.second)) {
    return absl::UnauthenticatedError(
        "the user assertion does not verify (was it made with another secret?)");
  }
  const absl::Time expires = absl::FromUnixSeconds(expiry);
  if (now > expires + kUserAssertionClockSkew) {
    return absl::UnauthenticatedError("the user assertion has expired");
  }
  if (expires - now > kMaxUserAssertionLifetime + kUserAssertionClockSkew) {
    return absl::UnauthenticatedError("the user assertion expires too far in the future");
  }
  return user_id;
}

}  // namespace skinlens
