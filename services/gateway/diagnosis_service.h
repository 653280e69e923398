// The public gRPC front: skinlens.v1.DiagnosisService (diagnosis.proto) as a
// thin adapter over GatewayCore. Per call it opens the request scope
// (`x-request-id` in, echoed out, on every log line and downstream call),
// reads `authorization: Bearer <token>`, the peer address, `user-agent` and
// the call's deadline, and returns the core's status with its details in the
// `grpc-status-details-bin` trailer.
//
//   DiagnosisService service(&core);
//   ServerRunner::Start(options, {{DiagnosisService::service_full_name(), &service}});
#pragma once

#include "services/gateway/client_address.h"
#include "services/gateway/gateway_core.h"
#include "skinlens/v1/diagnosis.grpc.pb.h"

namespace skinlens::gateway {

// The caller's facts from a server context (exposed for tests): the bearer
// token (UNAUTHENTICATED for a non-Bearer `authorization`), the client's IP
// address (the peer's, or from `x-forwarded-for` / `forwarded` metadata when
// the peer is one of `proxies`), the user agent and the deadline.
absl::StatusOr<CallInfo> CallInfoFromContext(const grpc::ServerContext& context,
                                             const TrustedProxies& proxies = {});

// "ipv4:127.0.0.1:5000" -> "127.0.0.1"; "ipv6:[::1]:5000" -> "::1"; others as
// they are.
std::string PeerAddress(absl::string_view peer);

// Synchronous gRPC service (the handlers block on downstream calls, so they
// run on gRPC's sync thread pool rather than the callback executor).
// Thread-safe; does not own the core, which must outlive it.
class DiagnosisService final : public v1::DiagnosisService::Service {
 public:
  explicit DiagnosisService(GatewayCore* core, TrustedProxies proxies = {})
      : core_(core), proxies_(std::move(proxies)) {}

  grpc::Status Register(grpc::ServerContext* context, const v1::RegisterRequest* request,
                        v1::RegisterResponse* response) override;
  grpc::Status Login(grpc::ServerContext* context, const v1::LoginRequest* request,
                     v1::LoginResponse* response) override;
  grpc::Status Logout(grpc::ServerContext* context, const v1::LogoutRequest* request,
                      v1::LogoutResponse* response) override;
  grpc::Status ChangePassword(grpc::ServerContext* context,
                              const v1::ChangePasswordRequest* request,
                              v1::ChangePasswordResponse* response) override;
  grpc::Status DeleteAccount(grpc::ServerContext* context, const v1::DeleteAccountRequest* request,
                             v1::DeleteAccountResponse* response) override;
  grpc::Status Diagnose(grpc::ServerContext* context, const v1::DiagnoseRequest* request,
                        v1::DiagnoseResponse* response) override;
  grpc::Status ListDiagnoses(grpc::ServerContext* context, const v1::ListDiagnosesRequest* request,
                             v1::ListDiagnosesResponse* response) override;
  grpc::Status GetDiagnosis(grpc::ServerContext* context, const v1::GetDiagnosisRequest* request,
                            v1::GetDiagnosisResponse* response) override;
  grpc::Status DeleteDiagnosis(grpc::ServerContext* context,
                               const v1::DeleteDiagnosisRequest* request,
                               v1::DeleteDiagnosisResponse* response) override;
  grpc::Status GetTrend(grpc::ServerContext* context, const v1::GetTrendRequest* request,
                        v1::GetTrendResponse* response) override;
  grpc::Status ExportDiagnoses(grpc::ServerContext* context,
                               const v1::ExportDiagnosesRequest* request,
                               v1::ExportDiagnosesResponse* response) override;
  grpc::Status GetModelInfo(grpc::ServerContext* context, const v1::GetModelInfoRequest* request,
                            v1::GetModelInfoResponse* response) override;
  // Runs on its gRPC thread until the stream ends (guide_stream.h); a
  // worker thread of its own judges the frames and writes the answers.
  grpc::Status GuideCapture(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<v1::GuideCaptureResponse, v1::GuideCaptureRequest>* stream) override;

 private:
  GatewayCore* const core_;
  const TrustedProxies proxies_;
};

}  // namespace skinlens::gateway
