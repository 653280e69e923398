// Rules for usernames and passwords, in the spirit of NIST SP 800-63B §5.1.1.2
// (https://pages.nist.gov/800-63-3/sp800-63b.html#memsecret): at least 8
// characters, long passphrases allowed, no composition rules (no "one digit,
// one capital"), and refusal of passwords that are common or contain the
// username. The common list is data/common_passwords.txt, embedded at build
// time; it is compared case-insensitively.
//
//   CredentialPolicy policy = CredentialPolicy::Default();
//   std::vector<Violation> v = policy.CheckPassword(password, username);
//   if (!v.empty()) return PolicyError(v);
#pragma once

#include <string>
#include <unordered_set>
#include <vector>

#include "absl/strings/string_view.h"

namespace skinlens::auth {

// One broken rule: the request field and a machine-readable reason such as
// PASSWORD_TOO_SHORT (the reasons auth.proto documents).
struct Violation {
  std::string field;        // "username", "password" or "new_password".
  std::string reason;       // USERNAME_INVALID, PASSWORD_TOO_SHORT, ...
  std::string description;  // For people; never contains the password.
};

// Username and password rules. Immutable after construction; thread-safe.
class CredentialPolicy {
 public:
  static constexpr size_t kMinPasswordLength = 8;    // Characters (code points).
  static constexpr size_t kMaxPasswordLength = 256;  // NIST: allow at least 64.
  // No accepted password has more UTF-8 bytes (four per character at most):
  // log-in refuses longer ones before spending argon2 work on them.
  static constexpr size_t kMaxPasswordBytes = 4 * kMaxPasswordLength;
  static constexpr size_t kMinUsernameLength = 3;
  static constexpr size_t kMaxUsernameLength = 32;

  // The policy with the embedded common-password list.
  static const CredentialPolicy& Default();
  // A policy with `common` (compared case-insensitively) instead, for tests.
  explicit CredentialPolicy(const std::vector<std::string>& common);

  // Usernames: 3 to 32 ASCII letters, digits, '.', '_' or '-', starting with a
  // letter or digit. Returns the violations (empty when valid).
  std::vector<Violation> CheckUsername(absl::string_view username) const;

  // Passwords (already NFKC-normalised, password_text.h): 8 to 256
  // characters of any kind, not only whitespace, not on the common list, not
  // containing `username` (case-insensitively). `field` names the request
  // field in the violations.
  std::vector<Violation> CheckPassword(absl::string_view password, absl::string_view username,
                                       absl::string_view field = "password") const;

  // The key a username is unique under: ASCII lower case.
  static std::string UsernameKey(absl::string_view username);

  size_t common_count() const { return common_.size(); }

 private:
  std::unordered_set<std::string> common_;  // Lower case.
};

}  // namespace skinlens::auth
