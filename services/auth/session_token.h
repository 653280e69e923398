// Session tokens: 256 random bits shown once to the client, stored only as
// their SHA-256. A hash without a salt is right here because the token has
// full entropy: no dictionary can guess it, so a leaked table of hashes does
// not reveal live tokens.
//
//   std::string token = NewSessionToken();          // 43 characters, base64url
//   std::string key = HashSessionToken(token);      // 64 hex digits, stored
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace skinlens::auth {

// Length of a token: 32 random bytes in unpadded base64url.
inline constexpr size_t kSessionTokenLength = 43;

// A new token from the operating system's CSPRNG (libsodium randombytes).
std::string NewSessionToken();

// SHA-256 of `token`, lower-case hex.
std::string HashSessionToken(absl::string_view token);

// True when `token` has the shape NewSessionToken() produces; cheap to check
// before any lookup.
bool LooksLikeSessionToken(absl::string_view token);

// A new opaque identifier of 128 random bits, lower-case hex.
std::string NewRandomId();

// Compares in time that depends only on the lengths, not on the contents.
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

}  // namespace skinlens::auth
