#include "services/auth/credential_policy.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "services/auth/password_text.h"

namespace skinlens::auth {

// Defined in the generated common_passwords.cc (see CMakeLists.txt).
extern const char kCommonPasswordsText[];

namespace {

// Code points in UTF-8 text: every byte that is not a continuation byte.
size_t CountCharacters(absl::string_view text) {
  size_t n = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

std::vector<std::string> EmbeddedList() {
  std::vector<std::string> words;
  for (absl::string_view line : absl::StrSplit(kCommonPasswordsText, '\n', absl::SkipEmpty())) {
    words.emplace_back(absl::StripTrailingAsciiWhitespace(line));
  }
  return words;
}

}  // namespace

const CredentialPolicy& CredentialPolicy::Default() {
  static const auto* policy = new CredentialPolicy(EmbeddedList());
  return *policy;
}

CredentialPolicy::CredentialPolicy(const std::vector<std::string>& common) {
  for (const std::string& word : common) common_.insert(absl::AsciiStrToLower(word));
}

std::string CredentialPolicy::UsernameKey(absl::string_view username) {
  return absl::AsciiStrToLower(username);
}

std::vector<Violation> CredentialPolicy::CheckUsername(absl::string_view username) const {
  std::vector<Violation> violations;
  bool valid = username.size() >= kMinUsernameLength && username.size() <= kMaxUsernameLength &&
               absl::ascii_isalnum(static_cast<unsigned char>(username.front()));
  for (char c : username) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      valid = false;
    }
  }
  if (!valid) {
    violations.push_back(
        {"username", "USERNAME_INVALID",
         absl::StrCat("a username has ", kMinUsernameLength, " to ", kMaxUsernameLength,
                      " letters, digits, '.', '_' or '-' and starts with a "
                      "letter or digit")});
  }
  return violations;
}

std::vector<Violation> CredentialPolicy::CheckPassword(absl::string_view password,
                                                       absl::string_view username,
                                                       absl::string_view field) const {
  std::vector<Violation> violations;
  const std::string f(field);
  const size_t length = CountCharacters(password);
  if (length < kMinPasswordLength) {
    violations.push_back(
        {f, "PASSWORD_TOO_SHORT",
         absl::StrCat("a password has at least ", kMinPasswordLength, " characters")});
  }
  if (length > kMaxPasswordLength) {
    violations.push_back(
        {f, "PASSWORD_TOO_LONG",
         absl::StrCat("a password has at most ", kMaxPasswordLength, " characters")});
  }
  if (IsAllWhitespace(password)) {
    violations.push_back({f, "PASSWORD_BLANK", "a password must not be only spaces"});
  }
  const std::string lower = absl::AsciiStrToLower(password);
  if (common_.count(lower) > 0) {
    violations.push_back(
        {f, "PASSWORD_TOO_COMMON", "this password is on the list of commonly used passwords"});
  }
  const std::string user = absl::AsciiStrToLower(username);
  if (!user.empty() && lower.find(user) != std::string::npos) {
    violations.push_back(
        {f, "PASSWORD_CONTAINS_USERNAME", "a password must not contain the username"});
  }
  return violations;
}

}  // namespace skinlens::auth
