#include "services/gateway/gateway_core.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/grpc/rich_status.h"
#include "common/status/status_macros.h"
#include "common/time/time_zone_name.h"
#include "services/gateway/trend_bands.h"
#include "spdlog/spdlog.h"

namespace skinlens::gateway {
namespace {

// Calls `method` of `stub` with a stage context; the downstream error keeps
// its details and is prefixed with `stage`.
template <typename Stub, typename Request, typename Response>
absl::StatusOr<Response> CallStage(Stub& stub,
                                   grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                                const Request&, Response*),
                                   const CallInfo& call, absl::Duration deadline,
                                   const Request& request, absl::string_view stage) {
  SKINLENS_ASSIGN_OR_RETURN(auto context, NewStageContext(call, deadline));
  Response response;
  const grpc::Status status = (stub.*method)(context.get(), request, &response);
  if (!status.ok()) return FromGrpcStatus(status, stage);
  return response;
}

// As CallStage, for a history method: the call acts for `user`, asserted
// with the gateway's secret.
template <typename Request, typename Response>
absl::StatusOr<Response> CallHistory(const Downstreams& downstreams,
                                     grpc::Status (v1::HistoryService::StubInterface::*method)(
                                         grpc::ClientContext*, const Request&, Response*),
                                     const CallInfo& call, absl::Duration deadline,
                                     const AuthenticatedUser& user, const Request& request) {
  SKINLENS_ASSIGN_OR_RETURN(auto context, NewUserStageContext(call, deadline, user.user_id));
  Response response;
  const grpc::Status status = ((*downstreams.history).*method)(context.get(), request, &response);
  if (!status.ok()) return FromGrpcStatus(status, "history");
  return response;
}

}  // namespace

absl::Status GatewayOptions::Validate() const {
  if (diagnose.max_photo_bytes < 1)
    return absl::InvalidArgumentError("max_photo_bytes must be at least 1");
  if (diagnose.preview_max_side < 16) {
    return absl::InvalidArgumentError("preview_max_side must be at least 16");
  }
  if (max_concurrent_diagnoses < 1) {
    return absl::InvalidArgumentError("max_concurrent_diagnoses must be at least 1");
  }
  for (absl::Duration d :
       {diagnose.deadlines.auth, diagnose.deadlines.preprocess, diagnose.deadlines.inference,
        diagnose.deadlines.explain, diagnose.deadlines.history}) {
    if (d <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError(
          "every stage deadline (auth_deadline, ...) must be above 0");
    }
  }
  if (guidance.max_streams < 1) {
    return absl::InvalidArgumentError("guidance_max_streams must be at least 1");
  }
  if (guidance.ready_frames < 1) {
    return absl::InvalidArgumentError("guidance_ready_frames must be at least 1");
  }
  if (guidance.max_face_movement <= 0) {
    return absl::InvalidArgumentError("guidance_max_face_movement must be above 0");
  }
  if (guidance.idle_timeout <= absl::ZeroDuration() ||
      guidance.frame_deadline <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "guidance_idle_timeout and guidance_frame_deadline must be above 0");
  }
  return absl::OkStatus();
}

GatewayCore::GatewayCore(Downstreams downstreams, GatewayOptions options)
    : downstreams_(std::move(downstreams)),
      options_(options),
      models_(downstreams_.inference.get(), options.diagnose.deadlines.inference,
              options.model_info_ttl),
      pipeline_(&downstreams_, &models_, options.diagnose),
      guidance_slots_(options.guidance.max_streams),
      capture_sessions_(options.guidance, &guidance_slots_) {}

absl::StatusOr<GuidanceSlots::Lease> GatewayCore::OpenGuidance(const CallInfo& call) {
  SKINLENS_RETURN_IF_ERROR(
      Authenticate(*downstreams_.auth, call, options_.diagnose.deadlines.auth).status());
  return guidance_slots_.Acquire();
}

absl::StatusOr<v1::PreprocessServiceAssessFrameResponse> GatewayCore::AssessFrame(
    const CallInfo& call, const v1::GuideCaptureRequest& frame) {
  v1::PreprocessServiceAssessFrameRequest request;
  request.set_frame(frame.image());
  request.set_photo_width(frame.photo_width());
  return CallStage(*downstreams_.preprocess, &v1::PreprocessService::StubInterface::AssessFrame,
                   call, options_.guidance.frame_deadline, request, "preprocess");
}

absl::StatusOr<v1::CaptureSession> GatewayCore::CreateCaptureSession(
    const CallInfo& call, const v1::CreateCaptureSessionRequest& /*request*/) {
  SKINLENS_ASSIGN_OR_RETURN(AuthenticatedUser user, Authenticate(*downstreams_.auth, call,
                                                                 options_.diagnose.deadlines.auth));
  return capture_sessions_.Open(user.user_id);
}

absl::StatusOr<v1::GuideCaptureResponse> GatewayCore::JudgeCaptureFrame(
    const CallInfo& call, const std::string& capture_session_id,
    const v1::GuideCaptureRequest& frame) {
  SKINLENS_ASSIGN_OR_RETURN(AuthenticatedUser user, Authenticate(*downstreams_.auth, call,
                                                                 options_.diagnose.deadlines.auth));
  return capture_sessions_.Judge(
      capture_session_id, user.user_id, frame,
      [this, &call](const v1::GuideCaptureRequest& f) { return AssessFrame(call, f); });
}

absl::StatusOr<v1::DeleteCaptureSessionResponse> GatewayCore::DeleteCaptureSession(
    const CallInfo& call, const v1::DeleteCaptureSessionRequest& request) {
  SKINLENS_ASSIGN_OR_RETURN(AuthenticatedUser user, Authenticate(*downstreams_.auth, call,
                                                                 options_.diagnose.deadlines.auth));
  SKINLENS_RETURN_IF_ERROR(capture_sessions_.Close(request.capture_session_id(), user.user_id));
  return v1::DeleteCaptureSessionResponse();
}

absl::StatusOr<v1::RegisterResponse> GatewayCore::Register(const CallInfo& call,
                                                           const v1::RegisterRequest& request) {
  v1::AuthServiceRegisterRequest req;
  req.set_username(request.username());
  req.set_password(request.password());
  SKINLENS_ASSIGN_OR_RETURN(v1::AuthServiceRegisterResponse registered,
                            CallStage(*downstreams_.auth, &v1::AuthService::StubInterface::Register,
                                      call, options_.diagnose.deadlines.auth, req, "auth"));
  v1::RegisterResponse response;
  response.set_user_id(registered.user_id());
  response.set_username(registered.username());
  *response.mutable_create_time() = registered.create_time();
  spdlog::info("registered user {}", registered.user_id());
  return response;
}

absl::StatusOr<v1::LoginResponse> GatewayCore::Login(const CallInfo& call,
                                                     const v1::LoginRequest& request) {
  v1::AuthServiceLoginRequest req;
  req.set_username(request.username());
  req.set_password(request.password());
  req.set_user_agent(call.user_agent);
  SKINLENS_ASSIGN_OR_RETURN(v1::AuthServiceLoginResponse session,
                            CallStage(*downstreams_.auth, &v1::AuthService::StubInterface::Login,
                                      call, options_.diagnose.deadlines.auth, req, "auth"));
  v1::LoginResponse response;
  response.set_token(session.token());
  response.set_user_id(session.user_id());
  response.set_username(session.username());
  *response.mutable_expire_time() = session.expire_time();
  *response.mutable_idle_timeout() = session.idle_timeout();
  response.set_failed_attempts(session.failed_attempts());
  return response;
}

absl::StatusOr<v1::LogoutResponse> GatewayCore::Logout(const CallInfo& call,
                                                       const v1::LogoutRequest& request) {
  if (call.token.empty()) {
    v1::ErrorInfo info;
    info.set_reason("TOKEN_MISSING");
    info.set_domain("gateway.skinlens");
    return WithDetails(absl::UnauthenticatedError("Logout needs 'authorization: Bearer <token>'"),
                       {&info});
  }
  v1::AuthServiceLogoutRequest req;
  req.set_token(call.token);
  SKINLENS_RETURN_IF_ERROR(CallStage(*downstreams_.auth, &v1::AuthService::StubInterface::Logout,
                                     call, options_.diagnose.deadlines.auth, req, "auth")
                               .status());
  return v1::LogoutResponse();
}

absl::StatusOr<v1::ChangePasswordResponse> GatewayCore::ChangePassword(
    const CallInfo& call, const v1::ChangePasswordRequest& request) {
  SKINLENS_RETURN_IF_ERROR(
      Authenticate(*downstreams_.auth, call, options_.diagnose.deadlines.auth).status());
  v1::AuthServiceChangePasswordRequest req;
  req.set_token(call.token);
  req.set_current_password(request.current_password());
  req.set_new_password(request.new_password());
  SKINLENS_ASSIGN_OR_RETURN(
      v1::AuthServiceChangePasswordResponse changed,
      CallStage(*downstreams_.auth, &v1::AuthService::StubInterface::ChangePassword, call,
                options_.diagnose.deadlines.auth, req, "auth"));
  v1::ChangePasswordResponse response;
  response.set_revoked_session_count(changed.revoked_session_count());
  return response;
}

absl::StatusOr<v1::DeleteAccountResponse> GatewayCore::DeleteAccount(
    const CallInfo& call, const v1::DeleteAccountRequest& request) {
  const absl::Duration auth_deadline = options_.diagnose.deadlines.auth;
  SKINLENS_ASSIGN_OR_RETURN(AuthenticatedUser user,
                            Authenticate(*downstreams_.auth, call, auth_deadline));
  // The password is checked before the history goes: a stolen token alone
  // must not be able to wipe it.
  v1::AuthServiceLoginRequest check;
  check.set_username(user.username);
  check.set_password(request.password());
  check.set_user_agent("skinlens-gateway (password check before account deletion)");
  absl::StatusOr<v1::AuthServiceLoginResponse> checked =
      CallStage(*downstreams_.auth, &v1::AuthService::StubInterface::Login, call, auth_deadline,
                check, "auth");
  if (absl::IsUnauthenticated(checked.status()) || absl::IsInvalidArgument(checked.status())) {
    return absl::PermissionDeniedError("wrong password");
  }
  SKINLENS_RETURN_IF_ERROR(checked.status());
  v1::AuthServiceLogoutRequest end_check;
  end_check.set_token(checked->token());
  (void)CallStage(*downstreams_.auth, &v1::AuthService::StubInterface::Logout, call, auth_deadline,
                  end_check, "auth");

  v1::HistoryServiceDeleteUserDataRequest wipe;
  SKINLENS_ASSIGN_OR_RETURN(
      v1::HistoryServiceDeleteUserDataResponse wiped,
      CallHistory(downstreams_, &v1::HistoryService::StubInterface::DeleteUserData, call,
                  options_.diagnose.deadlines.history, user, wipe));
  v1::AuthServiceDeleteAccountRequest req;
  req.set_token(call.token);
  req.set_password(request.password());
  SKINLENS_RETURN_IF_ERROR(CallStage(*downstreams_.auth,
                                     &v1::AuthService::StubInterface::DeleteAccount, call,
                                     auth_deadline, req, "auth")
                               .status());
  spdlog::info("deleted user {} and {} diagnoses", user.user_id, wiped.deleted_count());
  v1::DeleteAccountResponse response;
  response.set_deleted_diagnosis_count(wiped.deleted_count());
  return response;
}

absl::StatusOr<v1::DiagnoseResponse> GatewayCore::Diagnose(const CallInfo& call,
                                                           const v1::DiagnoseRequest& request) {
  // Admission: shed load at once rather than queue photos past their
  // callers' patience.
  if (diagnoses_in_flight_.fetch_add(1) >= options_.max_concurrent_diagnoses) {
    diagnoses_in_flight_.fetch_sub(1);
    v1::RetryInfo retry;
    retry.mutable_retry_delay()->set_seconds(1);
    v1::ErrorInfo info;
    info.set_reason("GATEWAY_BUSY");
    info.set_domain("gateway.skinlens");
    return WithDetails(absl::ResourceExhaustedError(absl::StrCat("too many photos in progress (",
                                                                 options_.max_concurrent_diagnoses,
                                                                 "); retry shortly")),
                       {&info, &retry});
  }
  absl::StatusOr<v1::DiagnoseResponse> response = pipeline_.Run(call, request);
  diagnoses_in_flight_.fetch_sub(1);
  return response;
}

absl::StatusOr<v1::ListDiagnosesResponse> GatewayCore::ListDiagnoses(
    const CallInfo& call, const v1::ListDiagnosesRequest& request) {
  SKINLENS_ASSIGN_OR_RETURN(AuthenticatedUser user, Authenticate(*downstreams_.auth, call,
                                                                 options_.diagnose.deadlines.auth));
  v1::HistoryServiceListDiagnosesRequest req;
  req.set_page_size(request.page_size());
  req.set_page_token(request.page_token());
  if (request.has_start_time()) *req.mutable_start_time() = request.start_time();
  if (request.has_end_time()) *req.mutable_end_time() = request.end_time();
  req.set_view(request.view());
  SKINLENS_ASSIGN_OR_RETURN(
      v1::HistoryServiceListDiagnosesResponse page,
      CallHistory(downstreams_, &v1::HistoryService::StubInterface::ListDiagnoses, call,
                  options_.diagnose.deadlines.history, user, req));
  v1::ListDiagnosesResponse response;
  *response.mutable_diagnoses() = std::move(*page.mutable_diagnoses());
  response.set_next_page_token(page.next_page_token());
  return response;
}

absl::StatusOr<v1::GetDiagnosisResponse> GatewayCore::GetDiagnosis(
    const CallInfo& call, const v1::GetDiagnosisRequest& request) {
  SKINLENS_ASSIGN_OR_RETURN(AuthenticatedUser user, Authenticate(*downstreams_.auth, call,
                                                                 options_.diagnose.deadlines.auth));
  v1::HistoryServiceGetDiagnosisRequest req;
  req.set_diagnosis_id(request.diagnosis_id());
  req.set_view(request.view());
  SKINLENS_ASSIGN_OR_RETURN(
      v1::HistoryServiceGetDiagnosisResponse got,
      CallHistory(downstreams_, &v1::HistoryService::StubInterface::GetDiagnosis, call,
                  options_.diagnose.deadlines.history, user, req));
  v1::GetDiagnosisResponse response;
  *response.mutable_diagnosis() = std::move(*got.mutable_diagnosis());
  return response;
}

absl::StatusOr<v1::DeleteDiagnosisResponse> GatewayCore::DeleteDiagnosis(
    const CallInfo& call, const v1::DeleteDiagnosisRequest& request) {
  SKINLENS_ASSIGN_OR_RETURN(AuthenticatedUser user, Authenticate(*downstreams_.auth, call,
                                                                 options_.diagnose.deadlines.auth));
  v1::HistoryServiceDeleteDiagnosisRequest req;
  req.set_diagnosis_id(request.diagnosis_id());
  req.set_allow_missing(request.allow_missing());
  SKINLENS_RETURN_IF_ERROR(CallHistory(downstreams_,
                                       &v1::HistoryService::StubInterface::DeleteDiagnosis, call,
                                       options_.diagnose.deadlines.history, user, req)
                               .status());
  return v1::DeleteDiagnosisResponse();
}

absl::StatusOr<v1::GetTrendResponse> GatewayCore::GetTrend(const CallInfo& call,
                                                           const v1::GetTrendRequest& request) {
  SKINLENS_ASSIGN_OR_RETURN(AuthenticatedUser user, Authenticate(*downstreams_.auth, call,
                                                                 options_.diagnose.deadlines.auth));
  v1::HistoryServiceGetTrendRequest req;
  *req.mutable_attributes() = request.attributes();
  if (request.has_start_time()) *req.mutable_start_time() = request.start_time();
  if (request.has_end_time()) *req.mutable_end_time() = request.end_time();
  req.set_bucket(request.bucket());
  if (!request.time_zone().empty()) {
    // Only real zone names travel on: history (and absl's zone cache) never
    // sees a made-up one.
    if (absl::Status zone = LoadIanaTimeZone(request.time_zone()).status(); !zone.ok()) {
      v1::BadRequest bad;
      v1::BadRequest::FieldViolation* violation = bad.add_field_violations();
      violation->set_field("timeZone");
      violation->set_description(std::string(zone.message()));
      return WithDetails(absl::InvalidArgumentError(absl::StrCat("timeZone: ", zone.message())),
                         {&bad});
    }
  }
  req.set_time_zone(request.time_zone());
  SKINLENS_ASSIGN_OR_RETURN(v1::HistoryServiceGetTrendResponse trend,
                            CallHistory(downstreams_, &v1::HistoryService::StubInterface::GetTrend,
                                        call, options_.diagnose.deadlines.history, user, req));
  v1::GetTrendResponse response;
  *response.mutable_series() = std::move(*trend.mutable_series());
  response.set_truncated(trend.truncated());
  // Noise bands from the model's repeat-scan figures. Without the model (inference
  // down) the trend is still worth answering: bands then equal the means.
  absl::StatusOr<v1::ModelInfo> info = models_.Get(call);
  AddNoiseBands(info.ok() ? *info : v1::ModelInfo(), response.mutable_series());
  return response;
}

absl::StatusOr<v1::ExportDiagnosesResponse> GatewayCore::ExportDiagnoses(
    const CallInfo& call, const v1::ExportDiagnosesRequest& request) {
  SKINLENS_ASSIGN_OR_RETURN(AuthenticatedUser user, Authenticate(*downstreams_.auth, call,
                                                                 options_.diagnose.deadlines.auth));
  v1::HistoryServiceExportDiagnosesRequest req;
  if (request.has_start_time()) *req.mutable_start_time() = request.start_time();
  if (request.has_end_time()) *req.mutable_end_time() = request.end_time();
  req.set_format(request.format());
  SKINLENS_ASSIGN_OR_RETURN(
      v1::HistoryServiceExportDiagnosesResponse exported,
      CallHistory(downstreams_, &v1::HistoryService::StubInterface::ExportDiagnoses, call,
                  options_.diagnose.deadlines.history, user, req));
  v1::ExportDiagnosesResponse response;
  response.set_content_type(exported.content_type());
  response.set_file_name(exported.file_name());
  response.set_content(std::move(*exported.mutable_content()));
  return response;
}

absl::StatusOr<v1::GetModelInfoResponse> GatewayCore::GetModelInfo(
    const CallInfo& call, const v1::GetModelInfoRequest& request) {
  SKINLENS_ASSIGN_OR_RETURN(v1::ModelInfo info, models_.Get(call));
  v1::GetModelInfoResponse response;
  *response.mutable_model_info() = std::move(info);
  return response;
}

}  // namespace skinlens::gateway
