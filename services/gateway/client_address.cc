#include "services/gateway/client_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace skinlens::gateway {
namespace {

struct Address {
  int family = AF_INET;
  std::array<uint8_t, 16> bytes{};
};

int AddressBits(int family) { return family == AF_INET ? 32 : 128; }

// An IPv4 or IPv6 address as text; IPv4-mapped IPv6 (::ffff:a.b.c.d) counts
// as the IPv4 address.
std::optional<Address> ParseAddress(absl::string_view text) {
  const std::string s(absl::StripAsciiWhitespace(text));
  Address a;
  in_addr v4{};
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    a.family = AF_INET;
    std::memcpy(a.bytes.data(), &v4, 4);
    return a;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(&v6, kMapped, 12) == 0) {
      a.family = AF_INET;
      std::memcpy(a.bytes.data(), reinterpret_cast<const uint8_t*>(&v6) + 12, 4);
      return a;
    }
    a.family = AF_INET6;
    std::memcpy(a.bytes.data(), &v6, 16);
    return a;
  }
  return std::nullopt;
}

bool InPrefix(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& net, int bits) {
  for (int i = 0; bits > 0; ++i, bits -= 8) {
    const uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
    if ((a[i] & mask) != (net[i] & mask)) return false;
  }
  return true;
}

// One X-Forwarded-For entry or Forwarded `for=` value: an address, maybe
// quoted, bracketed or with a port ("[2001:db8::1]:4711", "192.0.2.1:80").
std::string Unwrap(absl::string_view value) {
  value = absl::StripAsciiWhitespace(value);
  absl::ConsumePrefix(&value, "\"");
  absl::ConsumeSuffix(&value, "\"");
  if (absl::ConsumePrefix(&value, "[")) {
    return std::string(value.substr(0, value.find(']')));
  }
  // One colon: IPv4 with a port. More: a bare IPv6 address.
  if (std::count(value.begin(), value.end(), ':') == 1) value = value.substr(0, value.find(':'));
  return std::string(value);
}

// The `for=` values of a Forwarded header, in order.
std::vector<std::string> ForwardedFor(absl::string_view header) {
  std::vector<std::string> out;
  for (absl::string_view element : absl::StrSplit(header, ',')) {
    for (absl::string_view pair : absl::StrSplit(element, ';')) {
      pair = absl::StripAsciiWhitespace(pair);
      if (pair.size() > 4 && absl::EqualsIgnoreCase(pair.substr(0, 4), "for=")) {
        out.push_back(Unwrap(pair.substr(4)));
      }
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<TrustedProxies> TrustedProxies::Parse(absl::string_view list) {
  TrustedProxies proxies;
  for (absl::string_view entry : absl::StrSplit(list, ',', absl::SkipWhitespace())) {
    entry = absl::StripAsciiWhitespace(entry);
    absl::string_view address = entry;
    std::optional<int> bits;
    if (const size_t slash = entry.find('/'); slash != absl::string_view::npos) {
      address = entry.substr(0, slash);
      int parsed = -1;
      if (!absl::SimpleAtoi(entry.substr(slash + 1), &parsed)) parsed = -1;
      bits = parsed;
    }
    std::optional<Address> a = ParseAddress(address);
    const int max_bits = a ? AddressBits(a->family) : 0;
    if (!a || (bits && (*bits < 0 || *bits > max_bits))) {
      return absl::InvalidArgumentError(absl::StrCat(
          "trusted proxy '", entry, "' is not an IP address or CIDR range (10.0.0.0/8, fd00::/8)"));
    }
    proxies.ranges_.push_back({a->family, a->bytes, bits.value_or(max_bits)});
  }
  return proxies;
}

bool TrustedProxies::Contains(absl::string_view address) const {
  std::optional<Address> a = ParseAddress(address);
  if (!a) return false;
  for (const Range& r : ranges_) {
    if (r.family == a->family && InPrefix(a->bytes, r.net, r.prefix_bits)) return true;
  }
  return false;
}

std::string TrustedProxies::ClientAddress(absl::string_view peer, absl::string_view x_forwarded_for,
                                          absl::string_view forwarded) const {
  std::string client(peer);
  if (!Contains(client)) return client;
  std::vector<std::string> hops;
  if (!absl::StripAsciiWhitespace(x_forwarded_for).empty()) {
    for (absl::string_view hop : absl::StrSplit(x_forwarded_for, ',')) hops.push_back(Unwrap(hop));
  } else {
    hops = ForwardedFor(forwarded);
  }
  // Each trusted hop vouches for the one before it.
  for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
    if (!ParseAddress(*hop)) break;  // "unknown", an obfuscated name, garbage
    client = *hop;
    if (!Contains(client)) break;
  }
  return client;
}

}  // namespace skinlens::gateway
