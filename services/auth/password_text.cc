#include "services/auth/password_text.h"

#include <cstdint>

#include "unicode/normalizer2.h"
#include "unicode/uchar.h"
#include "unicode/unistr.h"
#include "unicode/utf8.h"

namespace skinlens::auth {
namespace {

// Calls `visit` with each code point; false at the first invalid sequence.
template <typename Visit>
bool ForEachCodePoint(absl::string_view text, Visit visit) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  const auto length = static_cast<int32_t>(text.size());
  int32_t i = 0;
  while (i < length) {
    UChar32 c = 0;
    U8_NEXT(bytes, i, length, c);
    if (c < 0) return false;
    if (!visit(c)) return true;
  }
  return true;
}

bool IsAscii(absl::string_view text) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

}  // namespace

std::string NormalizePassword(absl::string_view password) {
  if (IsAscii(password)) return std::string(password);  // NFKC leaves ASCII as it is.
  if (!ForEachCodePoint(password, [](UChar32) { return true; })) return std::string(password);
  UErrorCode error = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(error);
  if (U_FAILURE(error) || nfkc == nullptr) return std::string(password);
  const icu::UnicodeString text = icu::UnicodeString::fromUTF8(
      icu::StringPiece(password.data(), static_cast<int32_t>(password.size())));
  const icu::UnicodeString normal = nfkc->normalize(text, error);
  if (U_FAILURE(error)) return std::string(password);
  std::string out;
  normal.toUTF8String(out);
  return out;
}

bool IsAllWhitespace(absl::string_view text) {
  if (text.empty()) return false;
  bool all = true;
  const bool valid = ForEachCodePoint(text, [&all](UChar32 c) {
    all = u_isUWhiteSpace(c) != 0;
    return all;
  });
  return valid && all;
}

}  // namespace skinlens::auth
