// The user an internal call acts for, asserted by the gateway and checked by
// the service that keeps that user's data.
//
// The gateway authenticates the caller's session token with auth, then puts
// the user id on each call to history in metadata, with an HMAC-SHA-256 over
// it and an expiry, keyed by a secret that only the gateway and history hold.
// History acts for that user only when the MAC checks: a peer without the
// secret (anything that reaches history's port past the network policies)
// cannot read or change any user's records, and a captured assertion expires
// with its call.
//
//   Gateway:  AssertUser(key, user.user_id, absl::Now() + stage, context.get());
//   History:  absl::StatusOr<std::string> user = AssertedUser(key, *context, absl::Now());
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "grpcpp/server_context.h"

namespace skinlens {

// Metadata carrying the asserted user id, and its proof.
inline constexpr char kUserIdMetadataKey[] = "x-skinlens-user-id";
inline constexpr char kUserAssertionMetadataKey[] = "x-skinlens-user-assertion";

// The shortest accepted secret, in bytes (256 bits of a random secret's
// text, e.g. `head -c 32 /dev/urandom | base64`, is 44).
inline constexpr size_t kMinUserAssertionSecretBytes = 32;

// How far an assertion's expiry may lie in the future, and how long after it
// an assertion is still accepted (clock skew between machines).
inline constexpr absl::Duration kMaxUserAssertionLifetime = absl::Minutes(10);
inline constexpr absl::Duration kUserAssertionClockSkew = absl::Seconds(30);

// The shared secret. Copyable; holds the secret bytes in memory.
class UserAssertionKey {
 public:
  // INVALID_ARGUMENT when `secret` (surrounding white space removed) is
  // shorter than kMinUserAssertionSecretBytes.
  static absl::StatusOr<UserAssertionKey> FromSecret(absl::string_view secret);

  // Reads the secret from a file (e.g. a mounted Kubernetes Secret). NOT_FOUND
  // / PERMISSION_DENIED when it cannot be read; as FromSecret otherwise. The
  // message names the file, never its content.
  static absl::StatusOr<UserAssertionKey> FromFile(const std::string& path);

  // For a server's --user_assertion_key_file flag: as FromFile, and when
  // `path` is empty an INVALID_ARGUMENT saying the flag is required, that the
  // secret is shared with `peer`, and how to make one.
  static absl::StatusOr<UserAssertionKey> FromFlag(const std::string& path, absl::string_view peer);

  // The MAC of `user_id` with expiry `expiry_unix_seconds`, URL-safe base64.
  std::string Mac(absl::string_view user_id, int64_t expiry_unix_seconds) const;

  // Constant-time check of `mac` (as Mac() writes it).
  bool Verify(absl::string_view user_id, int64_t expiry_unix_seconds, absl::string_view mac) const;

 private:
  explicit UserAssertionKey(std::string secret) : secret_(std::move(secret)) {}
  std::string secret_;
};

// Puts the assertion "`user_id` until `expiry`" on an outgoing call.
void AssertUser(const UserAssertionKey& key, absl::string_view user_id, absl::Time expiry,
                grpc::ClientContext* context);

// The user id asserted on an incoming call, checked at time `now`.
// UNAUTHENTICATED when the metadata is missing, malformed, forged, expired, or
// expires further than kMaxUserAssertionLifetime ahead. The message says which,
// without echoing the values.
absl::StatusOr<std::string> AssertedUser(const UserAssertionKey& key,
                                         const grpc::ServerContextBase& context, absl::Time now);

}  // namespace skinlens
