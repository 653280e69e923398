#include "services/gateway/downstream.h"

#include <algorithm>
#include <utility>

#include "common/grpc/call_context.h"
#include "common/grpc/channel_factory.h"
#include "common/grpc/rich_status.h"

namespace skinlens::gateway {

Downstreams ConnectDownstreams(const DownstreamTargets& targets, const DownstreamKeys& keys) {
  auto channel = [](const std::string& target, std::vector<std::string> idempotent,
                    const CallAssertionKey* signer = nullptr) {
    ChannelOptions options;
    options.idempotent_methods = std::move(idempotent);
    return CreateChannel(target, options, signer ? CallSigner(*signer) : nullptr);
  };
  Downstreams d;
  d.auth = v1::AuthService::NewStub(channel(
      targets.auth, {"skinlens.v1.AuthService/ValidateToken", "skinlens.v1.AuthService/Logout"},
      &keys.auth));
  d.preprocess = v1::PreprocessService::NewStub(
      channel(targets.preprocess, {"skinlens.v1.PreprocessService"}));
  d.inference = v1::InferenceService::NewStub(channel(
      targets.inference,
      {"skinlens.v1.InferenceService/Predict", "skinlens.v1.InferenceService/GetModelInfo"}));
  d.explain = v1::ExplainService::NewStub(
      channel(targets.explain,
              {"skinlens.v1.ExplainService/Explain", "skinlens.v1.ExplainService/GetModelInfo"}));
  // Every HistoryService method is idempotent (RecordDiagnosis by its key).
  d.history = v1::HistoryService::NewStub(
      channel(targets.history, {"skinlens.v1.HistoryService"}, &keys.history));
  return d;
}

absl::StatusOr<std::unique_ptr<grpc::ClientContext>> NewStageContext(const CallInfo& call,
                                                                     absl::Duration stage) {
  const absl::Duration left = std::min(stage, call.deadline - absl::Now());
  if (left <= absl::ZeroDuration()) {
    return absl::DeadlineExceededError("the call's deadline passed before the next stage");
  }
  std::unique_ptr<grpc::ClientContext> context = NewClientContext(left);
  ClaimClientAddress(call.client_address, context.get());
  return context;
}

absl::StatusOr<std::unique_ptr<grpc::ClientContext>> NewUserStageContext(
    const CallInfo& call, absl::Duration stage, absl::string_view user_id) {
  absl::StatusOr<std::unique_ptr<grpc::ClientContext>> context = NewStageContext(call, stage);
  if (!context.ok()) return context;
  ClaimUser(user_id, context->get());
  return context;
}

absl::StatusOr<AuthenticatedUser> Authenticate(v1::AuthService::StubInterface& auth,
                                               const CallInfo& call, absl::Duration deadline) {
  if (call.token.empty()) {
    v1::ErrorInfo info;
    info.set_reason("TOKEN_MISSING");
    info.set_domain("gateway.skinlens");
    return WithDetails(absl::UnauthenticatedError(
                           "this call needs 'authorization: Bearer <token>' (log in first)"),
                       {&info});
  }
  auto context = NewStageContext(call, deadline);
  if (!context.ok()) return context.status();
  v1::AuthServiceValidateTokenRequest request;
  request.set_token(call.token);
  v1::AuthServiceValidateTokenResponse response;
  const grpc::Status status = auth.ValidateToken(context->get(), request, &response);
  if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
    return absl::UnauthenticatedError("auth: the token is malformed");
  }
  if (!status.ok()) return FromGrpcStatus(status, "auth");
  return AuthenticatedUser{response.user_id(), response.username()};
}

}  // namespace skinlens::gateway
