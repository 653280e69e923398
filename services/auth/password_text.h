// Passwords as text: the same password typed on another keyboard or input
// method must hash the same. NIST SP 800-63B §5.1.1.2 asks verifiers to
// normalise with NFKC or NFKD before hashing; NFKC (ICU's Normalizer2) folds
// compatibility forms, e.g. full-width "ｐａｓｓ" to "pass", a precomposed
// "é" and "e" + combining accent to one form, and the ideographic space to a
// space.
//
//   const std::string password = NormalizePassword(typed);
//   if (IsAllWhitespace(password)) ...refuse...
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace skinlens::auth {

// `password` in Unicode NFKC. Text that is not valid UTF-8 is returned
// unchanged (it cannot be normalised, and the policy refuses it anyway on
// sign-up; on log-in it simply does not match).
std::string NormalizePassword(absl::string_view password);

// True when `text` is not empty and every character is Unicode White_Space
// (spaces, tabs, no-break and ideographic spaces, ...).
bool IsAllWhitespace(absl::string_view text);

}  // namespace skinlens::auth
