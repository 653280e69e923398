// The gRPC face of the auth service: skinlens.v1.AuthService (auth.proto) on
// the callback API, translating between protos and AccountManager, and
// errors into gRPC statuses with google.rpc details (common/grpc/rich_status.h).
//
//   AuthService service(manager.get());
//   return RunServer(ServerOptionsFromFlags("auth"),
//                    {{AuthService::service_full_name(), &service}});
#pragma once

#include "absl/status/statusor.h"
#include "common/grpc/call_assertion.h"
#include "services/auth/account_manager.h"
#include "skinlens/v1/auth.grpc.pb.h"

namespace skinlens::auth {

// Answers each call on the gRPC callback thread (argon2id work included: a
// few tens of milliseconds per password check). Only calls the gateway signed
// with `caller_key` (common/grpc/call_assertion.h) are answered; any other
// caller gets UNAUTHENTICATED before anything is read, and the address
// throttled on is the one the gateway saw. Thread-safe; does not own the
// manager, which must outlive it.
class AuthService final : public v1::AuthService::CallbackService {
 public:
  AuthService(AccountManager* manager, CallAssertionKey caller_key)
      : manager_(manager), caller_key_(std::move(caller_key)) {}

  grpc::ServerUnaryReactor* Register(grpc::CallbackServerContext* context,
                                     const v1::AuthServiceRegisterRequest* request,
                                     v1::AuthServiceRegisterResponse* response) override;
  grpc::ServerUnaryReactor* Login(grpc::CallbackServerContext* context,
                                  const v1::AuthServiceLoginRequest* request,
                                  v1::AuthServiceLoginResponse* response) override;
  grpc::ServerUnaryReactor* ValidateToken(grpc::CallbackServerContext* context,
                                          const v1::AuthServiceValidateTokenRequest* request,
                                          v1::AuthServiceValidateTokenResponse* response) override;
  grpc::ServerUnaryReactor* Logout(grpc::CallbackServerContext* context,
                                   const v1::AuthServiceLogoutRequest* request,
                                   v1::AuthServiceLogoutResponse* response) override;
  grpc::ServerUnaryReactor* ChangePassword(
      grpc::CallbackServerContext* context, const v1::AuthServiceChangePasswordRequest* request,
      v1::AuthServiceChangePasswordResponse* response) override;
  grpc::ServerUnaryReactor* DeleteAccount(grpc::CallbackServerContext* context,
                                          const v1::AuthServiceDeleteAccountRequest* request,
                                          v1::AuthServiceDeleteAccountResponse* response) override;

 private:
  // The end client's address the gateway signed for this call of `method`
  // (its name in this service, e.g. "Login"); UNAUTHENTICATED when the call
  // is not the gateway's.
  absl::StatusOr<std::string> CallerAddress(const grpc::CallbackServerContext& context,
                                            absl::string_view method) const;

  AccountManager* const manager_;
  const CallAssertionKey caller_key_;
};

// The client address of a call: `claimed` (what the gateway saw and signed)
// when set, otherwise the peer's IP without port ("ipv4:10.0.0.1:5000" ->
// "10.0.0.1").
std::string ClientAddress(absl::string_view claimed, absl::string_view peer);

}  // namespace skinlens::auth
