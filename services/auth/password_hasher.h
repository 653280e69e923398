// Password hashing with argon2id (libsodium's crypto_pwhash), in the PHC
// string format, so the parameters travel with each hash and can be raised
// later: a login that verifies a hash made with weaker parameters rehashes it.
//
//   PasswordHasher hasher(Argon2Params{});  // OWASP: m=19 MiB, t=2, p=1.
//   SKINLENS_ASSIGN_OR_RETURN(std::string phc, hasher.Hash(password));
//   // "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>"
//   if (hasher.Verify(phc, attempt) && hasher.NeedsRehash(phc)) { ... }
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace skinlens::auth {

// argon2id cost parameters. libsodium's argon2id always uses one lane (p=1).
struct Argon2Params {
  // Memory in KiB: OWASP's minimum for argon2id is 19 MiB (19456 KiB).
  uint32_t memory_kib = 19456;
  // Passes over the memory: OWASP's minimum with 19 MiB is 2.
  uint32_t iterations = 2;
};

// The OWASP Password Storage Cheat Sheet minimum; production refuses less.
inline constexpr Argon2Params kMinimumProductionParams{19456, 2};

// Hashes and verifies passwords. Stateless after construction; thread-safe.
class PasswordHasher {
 public:
  // Fails with INVALID_ARGUMENT when libsodium cannot honour `params`
  // (memory below 8 KiB, zero iterations) or cannot initialise.
  static absl::StatusOr<PasswordHasher> Create(const Argon2Params& params);

  // A new PHC string with a fresh random 128-bit salt. RESOURCE_EXHAUSTED when
  // the memory cannot be allocated.
  absl::StatusOr<std::string> Hash(absl::string_view password) const;

  // True when `password` matches `phc` (any argon2 parameters). False for a
  // wrong password or a malformed hash. The comparison is constant-time.
  bool Verify(absl::string_view phc, absl::string_view password) const;

  // True when `phc` was made with a lower memory or iteration count than this
  // hasher's, an older argon2 version, or is not an argon2id hash at all.
  bool NeedsRehash(absl::string_view phc) const;

  const Argon2Params& params() const { return params_; }

 private:
  explicit PasswordHasher(const Argon2Params& params) : params_(params) {}
  Argon2Params params_;
};

}  // namespace skinlens::auth
