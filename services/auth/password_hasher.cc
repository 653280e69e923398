#include "services/auth/password_hasher.h"

#include <sodium.h>

#include <cstdio>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace skinlens::auth {
namespace {

// The argon2 version libsodium writes (v=19, i.e. 0x13).
constexpr unsigned kArgon2Version = 0x13;

}  // namespace

absl::StatusOr<PasswordHasher> PasswordHasher::Create(const Argon2Params& params) {
  if (sodium_init() < 0) return absl::InternalError("cannot initialise libsodium");
  const size_t memory = static_cast<size_t>(params.memory_kib) * 1024;
  if (memory < crypto_pwhash_argon2id_MEMLIMIT_MIN ||
      params.iterations < crypto_pwhash_argon2id_OPSLIMIT_MIN) {
    return absl::InvalidArgumentError(absl::StrCat(
        "argon2id parameters m=", params.memory_kib, " KiB, t=", params.iterations,
        " are below libsodium's minimum (m >= ", crypto_pwhash_argon2id_MEMLIMIT_MIN / 1024,
        " KiB, t >= ", crypto_pwhash_argon2id_OPSLIMIT_MIN, ")"));
  }
  return PasswordHasher(params);
}

absl::StatusOr<std::string> PasswordHasher::Hash(absl::string_view password) const {
  char out[crypto_pwhash_argon2id_STRBYTES];
  if (crypto_pwhash_argon2id_str(out, password.data(), password.size(), params_.iterations,
                                 static_cast<size_t>(params_.memory_kib) * 1024) != 0) {
    return absl::ResourceExhaustedError("argon2id ran out of memory");
  }
  return std::string(out);
}

bool PasswordHasher::Verify(absl::string_view phc, absl::string_view password) const {
  // libsodium wants a NUL-terminated hash no longer than STRBYTES.
  if (phc.size() >= crypto_pwhash_argon2id_STRBYTES) return false;
  const std::string hash(phc);
  return crypto_pwhash_argon2id_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

bool PasswordHasher::NeedsRehash(absl::string_view phc) const {
  // Only when the stored cost is lower: during a roll-out, replicas with old
  // and new settings must not rehash back and forth (libsodium's
  // str_needs_rehash would, as it flags any difference).
  const std::string hash(phc);
  unsigned version = 0, memory = 0, iterations = 0, lanes = 0;
  if (std::sscanf(hash.c_str(), "$argon2id$v=%u$m=%u,t=%u,p=%u$", &version, &memory, &iterations,
                  &lanes) != 4) {
    return true;  // Not argon2id (an older scheme): replace it.
  }
  const std::vector<absl::string_view> parts = absl::StrSplit(hash, '$');
  if (parts.size() != 6 || parts[4].empty() || parts[5].empty()) return true;  // No salt or hash.
  return version < kArgon2Version || memory < params_.memory_kib || iterations < params_.iterations;
}

}  // namespace skinlens::auth
