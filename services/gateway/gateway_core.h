// The operations of the public skinlens.v1.DiagnosisService, independent of the
// front that received them: the gRPC front (diagnosis_service.h) and the HTTP
// front (http_gateway.h) are thin adapters over this class, so both behave
// the same and the error each returns is decided here once.
//
// Every operation but Register, Login and GetModelInfo authenticates the
// caller's token with AuthService.ValidateToken first and acts for the user
// it names; history calls carry that user id, never one from the request.
//
//   GatewayCore core(ConnectDownstreams(targets, {history_key, auth_key}), options);
//   ScopedRequestId id(RequestIdOrNew(incoming));
//   absl::StatusOr<v1::ListDiagnosesResponse> page = core.ListDiagnoses(call, request);
#pragma once

#include <atomic>

#include "absl/status/statusor.h"
#include "services/gateway/capture_guide.h"
#include "services/gateway/capture_sessions.h"
#include "services/gateway/diagnose_pipeline.h"
#include "services/gateway/downstream.h"
#include "skinlens/v1/capture_session.pb.h"
#include "skinlens/v1/diagnosis.pb.h"

namespace skinlens::gateway {

// Settings of the core.
struct GatewayOptions {
  DiagnoseOptions diagnose;
  // Most Diagnose calls in progress at once (both fronts together); beyond it
  // Diagnose fails at once with RESOURCE_EXHAUSTED and a RetryInfo (HTTP 429),
  // instead of queueing photos nobody waits for.
  int max_concurrent_diagnoses = 32;
  // How long the model info is cached.
  absl::Duration model_info_ttl = absl::Seconds(30);
  // Live capture guidance (GuideCapture).
  CaptureGuideOptions guidance;

  // INVALID_ARGUMENT naming the first setting out of range (the flags of
  // skinlens-gateway carry the same names).
  absl::Status Validate() const;
};

// DiagnosisService's operations. Thread-safe: every method may run on many
// threads at once. Errors carry their details (rich_status.h); the codes are
// those diagnosis.proto lists per RPC.
class GatewayCore {
 public:
  GatewayCore(Downstreams downstreams, GatewayOptions options);

  absl::StatusOr<v1::RegisterResponse> Register(const CallInfo& call,
                                                const v1::RegisterRequest& request);
  absl::StatusOr<v1::LoginResponse> Login(const CallInfo& call, const v1::LoginRequest& request);
  absl::StatusOr<v1::LogoutResponse> Logout(const CallInfo& call, const v1::LogoutRequest& request);
  absl::StatusOr<v1::ChangePasswordResponse> ChangePassword(
      const CallInfo& call, const v1::ChangePasswordRequest& request);
  // Checks the password (a throttled AuthService.Login whose session is ended
  // at once) before deleting anything, then deletes the history
  // (HistoryService.DeleteUserData) and the account, in that order, so that a
  // failure in between leaves an account that can retry.
  absl::StatusOr<v1::DeleteAccountResponse> DeleteAccount(const CallInfo& call,
                                                          const v1::DeleteAccountRequest& request);
  absl::StatusOr<v1::DiagnoseResponse> Diagnose(const CallInfo& call,
                                                const v1::DiagnoseRequest& request);
  absl::StatusOr<v1::ListDiagnosesResponse> ListDiagnoses(const CallInfo& call,
                                                          const v1::ListDiagnosesRequest& request);
  absl::StatusOr<v1::GetDiagnosisResponse> GetDiagnosis(const CallInfo& call,
                                                        const v1::GetDiagnosisRequest& request);
  absl::StatusOr<v1::DeleteDiagnosisResponse> DeleteDiagnosis(
      const CallInfo& call, const v1::DeleteDiagnosisRequest& request);
  absl::StatusOr<v1::GetTrendResponse> GetTrend(const CallInfo& call,
                                                const v1::GetTrendRequest& request);
  absl::StatusOr<v1::ExportDiagnosesResponse> ExportDiagnoses(
      const CallInfo& call, const v1::ExportDiagnosesRequest& request);
  absl::StatusOr<v1::GetModelInfoResponse> GetModelInfo(const CallInfo& call,
                                                        const v1::GetModelInfoRequest& request);

  // Capture guidance. OpenGuidance authenticates the caller and takes one of
  // the guidance stream slots (RESOURCE_EXHAUSTED with RetryInfo when all
  // are taken), held until the lease is destroyed; AssessFrame judges one
  // frame with preprocess within guidance.frame_deadline.
  absl::StatusOr<GuidanceSlots::Lease> OpenGuidance(const CallInfo& call);
  absl::StatusOr<v1::PreprocessServiceAssessFrameResponse> AssessFrame(
      const CallInfo& call, const v1::GuideCaptureRequest& frame);
  const CaptureGuideOptions& guidance_options() const { return options_.guidance; }

  // Capture guidance for clients that post frames one at a time
  // (capture_session.proto): the per-camera state is kept here between
  // requests. Every call authenticates the caller; a session is its opener's.
  absl::StatusOr<v1::CaptureSession> CreateCaptureSession(
      const CallInfo& call, const v1::CreateCaptureSessionRequest& request);
  absl::StatusOr<v1::GuideCaptureResponse> JudgeCaptureFrame(const CallInfo& call,
                                                             const std::string& capture_session_id,
                                                             const v1::GuideCaptureRequest& frame);
  absl::StatusOr<v1::DeleteCaptureSessionResponse> DeleteCaptureSession(
      const CallInfo& call, const v1::DeleteCaptureSessionRequest& request);

 private:
  const Downstreams downstreams_;
  const GatewayOptions options_;
  ModelInfoCache models_;
  DiagnosePipeline pipeline_;
  std::atomic<int> diagnoses_in_flight_{0};
  GuidanceSlots guidance_slots_;
  CaptureSessions capture_sessions_;  // Holds slots of guidance_slots_.
};

}  // namespace skinlens::gateway
