#include "services/gateway/diagnosis_service.h"

#include <chrono>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "common/grpc/call_context.h"
#include "common/grpc/rich_status.h"
#include "common/logging/request_id.h"
#include "services/gateway/guide_stream.h"
#include "services/gateway/http_request.h"

namespace skinlens::gateway {
namespace {

std::string Metadata(const grpc::ServerContext& context, const char* key) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(key);
  if (it == metadata.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

// The common shape of every handler: scope, caller facts, core, reply.
template <typename Request, typename Response, typename Operation>
grpc::Status Serve(const TrustedProxies& proxies, grpc::ServerContext* context,
                   const Request& request, Response* response, Operation operation) {
  ServerCallScope scope(context);
  absl::StatusOr<CallInfo> call = CallInfoFromContext(*context, proxies);
  if (!call.ok()) return ToGrpcStatus(call.status());
  absl::StatusOr<Response> result = operation(*call, request);
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = *std::move(result);
  return grpc::Status::OK;
}

}  // namespace

std::string PeerAddress(absl::string_view peer) {
  if (absl::ConsumePrefix(&peer, "ipv4:")) return std::string(peer.substr(0, peer.rfind(':')));
  if (absl::ConsumePrefix(&peer, "ipv6:")) {
    peer = peer.substr(0, peer.rfind(':'));
    absl::ConsumePrefix(&peer, "[");
    absl::ConsumeSuffix(&peer, "]");
    return std::string(peer);
  }
  return std::string(peer);
}

absl::StatusOr<CallInfo> CallInfoFromContext(const grpc::ServerContext& context,
                                             const TrustedProxies& proxies) {
  CallInfo call;
  absl::StatusOr<std::string> token = BearerToken(Metadata(context, "authorization"));
  if (!token.ok()) return token.status();
  call.token = *std::move(token);
  call.client_address =
      proxies.ClientAddress(PeerAddress(context.peer()), Metadata(context, "x-forwarded-for"),
                            Metadata(context, "forwarded"));
  call.user_agent = Metadata(context, "user-agent");
  const auto deadline = context.deadline();
  if (deadline != std::chrono::system_clock::time_point::max()) {
    call.deadline = absl::FromChrono(deadline);
  }
  return call;
}

#define SKINLENS_GATEWAY_RPC(Method)                                          \
  grpc::Status DiagnosisService::Method(grpc::ServerContext* context,         \
                                        const v1::Method##Request* request,   \
                                        v1::Method##Response* response) {     \
    return Serve(proxies_, context, *request, response,                       \
                 [this](const CallInfo& call, const v1::Method##Request& r) { \
                   return core_->Method(call, r);                             \
                 });                                                          \
  }

SKINLENS_GATEWAY_RPC(Register)
SKINLENS_GATEWAY_RPC(Login)
SKINLENS_GATEWAY_RPC(Logout)
SKINLENS_GATEWAY_RPC(ChangePassword)
SKINLENS_GATEWAY_RPC(DeleteAccount)
SKINLENS_GATEWAY_RPC(Diagnose)
SKINLENS_GATEWAY_RPC(ListDiagnoses)
SKINLENS_GATEWAY_RPC(GetDiagnosis)
SKINLENS_GATEWAY_RPC(DeleteDiagnosis)
SKINLENS_GATEWAY_RPC(GetTrend)
SKINLENS_GATEWAY_RPC(ExportDiagnoses)
SKINLENS_GATEWAY_RPC(GetModelInfo)

#undef SKINLENS_GATEWAY_RPC

grpc::Status DiagnosisService::GuideCapture(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<v1::GuideCaptureResponse, v1::GuideCaptureRequest>* stream) {
  ServerCallScope scope(context);
  absl::StatusOr<CallInfo> call = CallInfoFromContext(*context, proxies_);
  if (!call.ok()) return ToGrpcStatus(call.status());
  absl::StatusOr<GuidanceSlots::Lease> lease = core_->OpenGuidance(*call);
  if (!lease.ok()) return ToGrpcStatus(lease.status());
  const std::string request_id(CurrentRequestId());
  GuideStreamIo io;
  io.read = [stream](v1::GuideCaptureRequest* frame) { return stream->Read(frame); };
  io.write = [stream](const v1::GuideCaptureResponse& answer) { return stream->Write(answer); };
  io.assess = [this, &call, &request_id](const v1::GuideCaptureRequest& frame) {
    ScopedRequestId id(request_id);  // The worker thread logs as the stream.
    return core_->AssessFrame(*call, frame);
  };
  io.cancel = [context] { context->TryCancel(); };
  GuideStream guide(core_->guidance_options(), std::move(io));
  return ToGrpcStatus(guide.Run());
}

}  // namespace skinlens::gateway
