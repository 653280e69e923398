#include "services/auth/auth_service.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/grpc/call_context.h"
#include "common/grpc/rich_status.h"
#include "common/time/proto_time.h"
#include "spdlog/spdlog.h"

namespace skinlens::auth {
namespace {

grpc::ServerUnaryReactor* Finish(grpc::CallbackServerContext* context, const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

}  // namespace

absl::StatusOr<std::string> AuthService::CallerAddress(const grpc::CallbackServerContext& context,
                                                       absl::string_view method) const {
  absl::StatusOr<CallClaims> call = AssertedCall(
      caller_key_, context, absl::StrCat("/", v1::AuthService::service_full_name(), "/", method),
      absl::Now());
  if (!call.ok()) {
    spdlog::warn("refused a {} call from {}: {}", std::string(method), context.peer(),
                 std::string(call.status().message()));
    return call.status();
  }
  return ClientAddress(call->client_address, context.peer());
}

std::string ClientAddress(absl::string_view claimed, absl::string_view peer) {
  if (!claimed.empty()) return std::string(claimed);
  absl::string_view p = peer;
  if (absl::ConsumePrefix(&p, "ipv4:")) {
    return std::string(p.substr(0, p.rfind(':')));
  }
  if (absl::ConsumePrefix(&p, "ipv6:")) {
    absl::ConsumePrefix(&p, "%5B");
    absl::ConsumePrefix(&p, "[");
    const size_t end = p.find(']') != absl::string_view::npos ? p.find(']') : p.find("%5D");
    return std::string(p.substr(0, end));
  }
  return std::string(peer);  // unix: and others, as they are.
}

grpc::ServerUnaryReactor* AuthService::Register(grpc::CallbackServerContext* context,
                                                const v1::AuthServiceRegisterRequest* request,
                                                v1::AuthServiceRegisterResponse* response) {
  ServerCallScope scope(context);
  absl::StatusOr<std::string> address = CallerAddress(*context, "Register");
  if (!address.ok()) return Finish(context, address.status());
  auto user = manager_->Register({request->username(), request->password(), *address, ""});
  if (user.ok()) {
    response->set_user_id(user->user_id);
    response->set_username(user->username);
    SetTimestamp(user->create_time, response->mutable_create_time());
  }
  return Finish(context, user.status());
}

grpc::ServerUnaryReactor* AuthService::Login(grpc::CallbackServerContext* context,
                                             const v1::AuthServiceLoginRequest* request,
                                             v1::AuthServiceLoginResponse* response) {
  ServerCallScope scope(context);
  absl::StatusOr<std::string> address = CallerAddress(*context, "Login");
  if (!address.ok()) return Finish(context, address.status());
  auto login =
      manager_->Login({request->username(), request->password(), *address, request->user_agent()});
  if (login.ok()) {
    response->set_token(login->token);
    response->set_user_id(login->user_id);
    response->set_username(login->username);
    SetTimestamp(login->expire_time, response->mutable_expire_time());
    response->mutable_idle_timeout()->set_seconds(absl::ToInt64Seconds(login->idle_timeout));
    response->set_failed_attempts(login->failed_attempts);
  }
  return Finish(context, login.status());
}

grpc::ServerUnaryReactor* AuthService::ValidateToken(
    grpc::CallbackServerContext* context, const v1::AuthServiceValidateTokenRequest* request,
    v1::AuthServiceValidateTokenResponse* response) {
  ServerCallScope scope(context);
  absl::StatusOr<std::string> address = CallerAddress(*context, "ValidateToken");
  if (!address.ok()) return Finish(context, address.status());
  auto session = manager_->ValidateToken(request->token());
  if (session.ok()) {
    response->set_user_id(session->user_id);
    response->set_username(session->username);
    SetTimestamp(session->expire_time, response->mutable_expire_time());
    SetTimestamp(session->idle_expire_time, response->mutable_idle_expire_time());
  }
  return Finish(context, session.status());
}

grpc::ServerUnaryReactor* AuthService::Logout(grpc::CallbackServerContext* context,
                                              const v1::AuthServiceLogoutRequest* request,
                                              v1::AuthServiceLogoutResponse* response) {
  ServerCallScope scope(context);
  absl::StatusOr<std::string> address = CallerAddress(*context, "Logout");
  if (!address.ok()) return Finish(context, address.status());
  return Finish(context, manager_->Logout(request->token()));
}

grpc::ServerUnaryReactor* AuthService::ChangePassword(
    grpc::CallbackServerContext* context, const v1::AuthServiceChangePasswordRequest* request,
    v1::AuthServiceChangePasswordResponse* response) {
  ServerCallScope scope(context);
  absl::StatusOr<std::string> address = CallerAddress(*context, "ChangePassword");
  if (!address.ok()) return Finish(context, address.status());
  auto revoked = manager_->ChangePassword(request->token(), request->current_password(),
                                          request->new_password(), *address);
  if (revoked.ok()) response->set_revoked_session_count(*revoked);
  return Finish(context, revoked.status());
}

grpc::ServerUnaryReactor* AuthService::DeleteAccount(
    grpc::CallbackServerContext* context, const v1::AuthServiceDeleteAccountRequest* request,
    v1::AuthServiceDeleteAccountResponse* response) {
  ServerCallScope scope(context);
  absl::StatusOr<std::string> address = CallerAddress(*context, "DeleteAccount");
  if (!address.ok()) return Finish(context, address.status());
  auto deleted = manager_->DeleteAccount(request->token(), request->password(), *address);
  if (deleted.ok()) {
    response->set_user_id(*deleted);
    SetTimestamp(manager_->Now(), response->mutable_delete_time());
  }
  return Finish(context, deleted.status());
}

}  // namespace skinlens::auth
