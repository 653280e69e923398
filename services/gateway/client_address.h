// Who the client is when a proxy (the Kubernetes Ingress, a load balancer)
// stands in front of the gateway. Behind it every request comes from the
// proxy's address, so throttling by address would throttle everybody at once.
// The forwarding headers are believed only from configured trusted proxies
// (`--trusted_proxies`): anyone else could write any address into them.
//
// X-Forwarded-For (or RFC 7239 Forwarded's `for=`) lists the addresses each
// proxy saw, the nearest last. Walking from the right, every trusted proxy
// vouches for the entry before it; the first address that is not a trusted
// proxy is the client. An entry that is not an IP address stops the walk at
// the last address a trusted proxy vouched for.
//
//   absl::StatusOr<TrustedProxies> proxies = TrustedProxies::Parse("10.0.0.0/8,fd00::/8");
//   std::string who = proxies->ClientAddress(peer, xff_header, forwarded_header);
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace skinlens::gateway {

class TrustedProxies {
 public:
  TrustedProxies() = default;  // Trusts nobody: the peer is the client.

  // A comma-separated list of addresses and CIDR ranges, IPv4 or IPv6
  // ("10.0.0.0/8, 192.168.1.7, fd00::/8"); empty trusts nobody.
  // INVALID_ARGUMENT naming the entry that is not one.
  static absl::StatusOr<TrustedProxies> Parse(absl::string_view list);

  bool empty() const { return ranges_.empty(); }
  // Whether `address` (an IP address as text) is a trusted proxy.
  bool Contains(absl::string_view address) const;

  // The client's address for a request from `peer` with these header values
  // (empty when absent). `peer` itself unless it is a trusted proxy.
  std::string ClientAddress(absl::string_view peer, absl::string_view x_forwarded_for,
                            absl::string_view forwarded = "") const;

 private:
  struct Range {
    int family;                   // AF_INET or AF_INET6
    std::array<uint8_t, 16> net;  // 4 or 16 bytes used
    int prefix_bits;
  };
  std::vector<Range> ranges_;
};

}  // namespace skinlens::gateway
