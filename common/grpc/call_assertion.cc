#include "common/grpc/call_assertion.h"

#include <sodium.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/logging/request_id.h"

namespace skinlens {
namespace {

// Domain separation: a MAC made for this purpose never verifies for another
// use of the same secret.
constexpr absl::string_view kMacContext = "skinlens call assertion v2";

std::string RawMac(const std::string& secret, const CallClaims& claims) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  // NUL-separated: no field can contain a NUL (metadata values cannot), so
  // no two different claim sets give the same message.
  const absl::string_view nul("\0", 1);
  const std::string message =
      absl::StrCat(kMacContext, nul, claims.method, nul, claims.request_id, nul, claims.user_id,
                   nul, claims.client_address, nul, claims.expiry_unix_seconds);
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()),
                                message.size());
  std::string mac(crypto_auth_hmacsha256_BYTES, '\0');
  crypto_auth_hmacsha256_final(&state, reinterpret_cast<unsigned char*>(mac.data()));
  sodium_memzero(&state, sizeof state);
  return mac;
}

std::string MetadataValue(const grpc::ServerContextBase& context, absl::string_view key) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(grpc::string_ref(key.data(), key.size()));
  if (it == metadata.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

std::string SentValue(const std::multimap<std::string, std::string>& metadata,
                      absl::string_view key) {
  auto it = metadata.find(std::string(key));
  return it == metadata.end() ? "" : it->second;
}

// Signs the claims of one call as its initial metadata leaves.
class CallSigningInterceptor : public grpc::experimental::Interceptor {
 public:
  CallSigningInterceptor(const CallAssertionKey* key, grpc::experimental::ClientRpcInfo* info)
      : key_(key), info_(info) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      std::multimap<std::string, std::string>* sent = methods->GetSendInitialMetadata();
      CallClaims claims;
      claims.method = info_->method() ? info_->method() : "";
      claims.request_id = SentValue(*sent, kRequestIdKey);
      claims.user_id = SentValue(*sent, kUserIdMetadataKey);
      claims.client_address = SentValue(*sent, kClientAddressMetadataKey);
      const absl::Time now = absl::Now();
      absl::Time expiry = absl::FromChrono(info_->client_context()->deadline());
      if (expiry > now + kMaxCallAssertionLifetime) expiry = now + kMaxCallAssertionLifetime;
      // Rounded up, so a deadline a fraction of a second away is still covered.
      claims.expiry_unix_seconds =
          absl::ToUnixSeconds(expiry + absl::Seconds(1) - absl::Nanoseconds(1));
      sent->erase(kCallAssertionMetadataKey);
      sent->emplace(kCallAssertionMetadataKey,
                    absl::StrCat(claims.expiry_unix_seconds, ".", key_->Mac(claims)));
    }
    methods->Proceed();
  }

 private:
  const CallAssertionKey* key_;
  grpc::experimental::ClientRpcInfo* info_;
};

class CallSignerFactory : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit CallSignerFactory(CallAssertionKey key) : key_(std::move(key)) {}
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo* info) override {
    return new CallSigningInterceptor(&key_, info);
  }

 private:
  const CallAssertionKey key_;
};

}  // namespace

absl::StatusOr<CallAssertionKey> CallAssertionKey::FromSecret(absl::string_view secret) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(secret);
  if (trimmed.size() < kMinCallAssertionSecretBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the call assertion secret has ", trimmed.size(), " bytes; at least ",
        kMinCallAssertionSecretBytes, " are needed (e.g. `head -c 32 /dev/urandom | base64`)"));
  }
  if (sodium_init() < 0) return absl::InternalError("libsodium failed to initialise");
  return CallAssertionKey(std::string(trimmed));
}

absl::StatusOr<CallAssertionKey> CallAssertionKey::FromFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("cannot read the call assertion secret file '", path, "'"));
  }
  std::ostringstream content;
  content << in.rdbuf();
  absl::StatusOr<CallAssertionKey> key = FromSecret(content.str());
  if (!key.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", key.status().message()));
  }
  return key;
}

absl::StatusOr<CallAssertionKey> CallAssertionKey::FromFlag(const std::string& path,
                                                            absl::string_view flag,
                                                            absl::string_view peer) {
  if (path.empty()) {
    absl::string_view name = flag;
    absl::ConsumePrefix(&name, "--");
    return absl::InvalidArgumentError(
        absl::StrCat(flag, " (or SKINLENS_", absl::AsciiStrToUpper(name),
                     ") is required: the secret shared with ", peer,
                     ", e.g. `head -c 32 /dev/urandom | base64 > FILE`"));
  }
  return FromFile(path);
}

std::string CallAssertionKey::Mac(const CallClaims& claims) const {
  return absl::WebSafeBase64Escape(RawMac(secret_, claims));
}

bool CallAssertionKey::Verify(const CallClaims& claims, absl::string_view mac) const {
  std::string given;
  if (!absl::WebSafeBase64Unescape(mac, &given) || given.size() != crypto_auth_hmacsha256_BYTES) {
    return false;
  }
  const std::string expected = RawMac(secret_, claims);
  return sodium_memcmp(given.data(), expected.data(), expected.size()) == 0;
}

void ClaimUser(absl::string_view user_id, grpc::ClientContext* context) {
  context->AddMetadata(kUserIdMetadataKey, std::string(user_id));
}

void ClaimClientAddress(absl::string_view address, grpc::ClientContext* context) {
  if (!address.empty()) context->AddMetadata(kClientAddressMetadataKey, std::string(address));
}

void AssertCall(const CallAssertionKey& key, const CallClaims& claims,
                grpc::ClientContext* context) {
  if (!claims.user_id.empty()) ClaimUser(claims.user_id, context);
  ClaimClientAddress(claims.client_address, context);
  context->AddMetadata(kCallAssertionMetadataKey,
                       absl::StrCat(claims.expiry_unix_seconds, ".", key.Mac(claims)));
}

std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface> CallSigner(
    CallAssertionKey key) {
  return std::make_unique<CallSignerFactory>(std::move(key));
}

absl::StatusOr<CallClaims> AssertedCall(const CallAssertionKey& key,
                                        const grpc::ServerContextBase& context,
                                        absl::string_view method, absl::Time now) {
  const std::string assertion = MetadataValue(context, kCallAssertionMetadataKey);
  if (assertion.empty()) {
    return absl::UnauthenticatedError(
        absl::StrCat("this internal call needs the gateway's '", kCallAssertionMetadataKey,
                     "' metadata (only the gateway may call this method)"));
  }
  const std::pair<absl::string_view, absl::string_view> parts =
      absl::StrSplit(assertion, absl::MaxSplits('.', 1));
  CallClaims claims;
  if (!absl::SimpleAtoi(parts.first, &claims.expiry_unix_seconds) || parts.second.empty()) {
    return absl::UnauthenticatedError("the call assertion is malformed");
  }
  claims.method = std::string(method);
  claims.request_id = MetadataValue(context, kRequestIdKey);
  claims.user_id = MetadataValue(context, kUserIdMetadataKey);
  claims.client_address = MetadataValue(context, kClientAddressMetadataKey);
  if (!key.Verify(claims, parts.second)) {
    return absl::UnauthenticatedError(
        "the call assertion does not verify (made with another secret, for another method or "
        "request, or its claims were changed)");
  }
  const absl::Time expires = absl::FromUnixSeconds(claims.expiry_unix_seconds);
  if (now > expires + kCallAssertionClockSkew) {
    return absl::UnauthenticatedError("the call assertion has expired");
  }
  if (expires - now > kMaxCallAssertionLifetime + kCallAssertionClockSkew) {
    return absl::UnauthenticatedError("the call assertion expires too far in the future");
  }
  return claims;
}

}  // namespace skinlens
