#include "services/auth/session_token.h"

#include <sodium.h>

namespace skinlens::auth {
namespace {

std::string Hex(const unsigned char* bytes, size_t n) {
  std::string hex(n * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes, n);
  hex.pop_back();
  return hex;
}

}  // namespace

std::string NewSessionToken() {
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof(bytes));
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string token(sodium_base64_ENCODED_LEN(sizeof(bytes), variant), '\0');
  sodium_bin2base64(token.data(), token.size(), bytes, sizeof(bytes), variant);
  token.resize(kSessionTokenLength);  // Drop the NUL.
  sodium_memzero(bytes, sizeof(bytes));
  return token;
}

std::string HashSessionToken(absl::string_view token) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  return Hex(digest, sizeof(digest));
}

bool LooksLikeSessionToken(absl::string_view token) {
  if (token.size() != kSessionTokenLength) return false;
  for (char c : token) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string NewRandomId() {
  unsigned char bytes[16];
  randombytes_buf(bytes, sizeof(bytes));
  return Hex(bytes, sizeof(bytes));
}

bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace skinlens::auth
