// What the gateway vouches for on an internal call, and the check of it by
// the service that acts on it.
//
// The gateway authenticates the end client (its session token with auth),
// then states on each call to auth and to history the facts the callee must
// believe: the user the call acts for, and the client address the gateway
// saw. A channel built with CallSigner() adds an HMAC-SHA-256 over those
// claims, the full method name, the request id and an expiry (the call's
// deadline), keyed by a secret that only the gateway and that callee hold.
// The callee acts only when the MAC checks: a peer without the secret (any
// process that reaches the port past the network policies) cannot log in
// for anyone, throttle anyone's address, read or change any user's records,
// and an assertion captured from one call is good for that method and that
// request only, until its deadline.
//
// Why a shared secret per callee and not mutual TLS: the cluster has no
// certificate authority to issue and rotate per-pod certificates, while a
// Kubernetes Secret mounted in two Deployments is what every environment
// here (scripts/run, compose, the k8s overlays) already provides; the MAC
// also binds the end user and client address, which mTLS alone would not.
//
//   Gateway:  channel = CreateChannel(target, {}, CallSigner(key));
//             ClaimUser(user_id, context); ClaimClientAddress(address, context);
//   Callee:   absl::StatusOr<CallClaims> call =
//                 AssertedCall(key, *context, "/skinlens.v1.HistoryService/GetTrend", absl::Now());
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/client_interceptor.h"

namespace skinlens {

// Metadata carrying the claims, and their proof ("<expiry>.<mac>").
inline constexpr char kUserIdMetadataKey[] = "x-skinlens-user-id";
inline constexpr char kClientAddressMetadataKey[] = "x-skinlens-client-address";
inline constexpr char kCallAssertionMetadataKey[] = "x-skinlens-call-assertion";

// The shortest accepted secret, in bytes (256 bits of a random secret's
// text, e.g. `head -c 32 /dev/urandom | base64`, is 44).
inline constexpr size_t kMinCallAssertionSecretBytes = 32;

// How far an assertion's expiry may lie in the future, and how long after it
// an assertion is still accepted (clock skew between machines).
inline constexpr absl::Duration kMaxCallAssertionLifetime = absl::Minutes(10);
inline constexpr absl::Duration kCallAssertionClockSkew = absl::Seconds(30);

// What one call's assertion covers.
struct CallClaims {
  std::string method;          // "/skinlens.v1.AuthService/Login"
  std::string request_id;      // the call's x-request-id (may be empty)
  std::string user_id;         // the user the call acts for (empty: none)
  std::string client_address;  // the end client's address (empty: unknown)
  int64_t expiry_unix_seconds = 0;
};

// The shared secret. Copyable; holds the secret bytes in memory.
class CallAssertionKey {
 public:
  // INVALID_ARGUMENT when `secret` (surrounding white space removed) is
  // shorter than kMinCallAssertionSecretBytes.
  static absl::StatusOr<CallAssertionKey> FromSecret(absl::string_view secret);

  // Reads the secret from a file (e.g. a mounted Kubernetes Secret). NOT_FOUND
  // / PERMISSION_DENIED when it cannot be read; as FromSecret otherwise. The
  // message names the file, never its content.
  static absl::StatusOr<CallAssertionKey> FromFile(const std::string& path);

  // For a server's key file flag `flag` (e.g. "--user_assertion_key_file"):
  // as FromFile, and when `path` is empty an INVALID_ARGUMENT saying the flag
  // is required, that the secret is shared with `peer`, and how to make one.
  static absl::StatusOr<CallAssertionKey> FromFlag(const std::string& path, absl::string_view flag,
                                                   absl::string_view peer);

  // The MAC of `claims`, URL-safe base64.
  std::string Mac(const CallClaims& claims) const;

  // Constant-time check of `mac` (as Mac() writes it) against `claims`.
  bool Verify(const CallClaims& claims, absl::string_view mac) const;

 private:
  explicit CallAssertionKey(std::string secret) : secret_(std::move(secret)) {}
  std::string secret_;
};

// Client side: the user an outgoing call acts for, and the end client's
// address; a CallSigner on the channel signs them.
void ClaimUser(absl::string_view user_id, grpc::ClientContext* context);
void ClaimClientAddress(absl::string_view address, grpc::ClientContext* context);

// A client interceptor that signs every call of its channel with `key`: the
// claims above, the method, the request id and the deadline (a call without
// a deadline gets kMaxCallAssertionLifetime from now).
std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface> CallSigner(
    CallAssertionKey key);

// Puts `claims` and their proof on an outgoing call, as CallSigner does, for
// a caller that names the method itself (tests, tools). `claims.request_id`
// must be the x-request-id the call carries (empty when it carries none).
void AssertCall(const CallAssertionKey& key, const CallClaims& claims,
                grpc::ClientContext* context);

// The claims of an incoming call of `method` (the full name, as the client's
// stub calls it), checked at time `now`. UNAUTHENTICATED when the assertion
// is missing, malformed, forged, made for another method or request,
// expired, or expires further than kMaxCallAssertionLifetime ahead. The
// message says which, without echoing the values.
absl::StatusOr<CallClaims> AssertedCall(const CallAssertionKey& key,
                                        const grpc::ServerContextBase& context,
                                        absl::string_view method, absl::Time now);

}  // namespace skinlens
