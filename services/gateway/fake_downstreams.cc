#include "services/gateway/fake_downstreams.h"

#include <chrono>
#include <cstdlib>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/grpc/call_context.h"
#include "common/grpc/rich_status.h"

namespace skinlens::gateway::testing {
namespace {

constexpr v1::Attribute kAttributes[] = {v1::ATTRIBUTE_OIL, v1::ATTRIBUTE_HYDRATION,
                                         v1::ATTRIBUTE_WRINKLE, v1::ATTRIBUTE_PIGMENTATION,
                                         v1::ATTRIBUTE_SENSITIVITY};

grpc::Status Unavailable() {
  v1::RetryInfo retry;
  retry.mutable_retry_delay()->set_seconds(2);
  return StatusWithDetails(absl::UnavailableError("fake is down"), {&retry});
}

grpc::Status Quality(absl::Status status, v1::QualityReason reason) {
  v1::QualityReport report;
  v1::QualityIssue* issue = report.add_issues();
  issue->set_reason(reason);
  issue->set_severity(v1::QUALITY_SEVERITY_BLOCKING);
  issue->set_message(absl::StrCat("fake says ", v1::QualityReason_Name(reason)));
  return StatusWithDetails(status, {&report});
}

v1::AttributeResult Result(v1::Attribute attribute) {
  v1::AttributeResult r;
  r.set_attribute(attribute);
  for (float p : {0.1f, 0.2f, 0.4f, 0.2f, 0.1f}) r.mutable_distribution()->add_probabilities(p);
  r.mutable_distribution()->set_grade(2);
  r.mutable_distribution()->set_expected_score(2.0f);
  return r;
}

}  // namespace

void CallLog::Record(const grpc::ServerContext& context) {
  absl::MutexLock lock(&mu_);
  request_ids_.push_back(IncomingRequestId(context));
  const auto deadline = context.deadline();
  last_left_ = deadline == std::chrono::system_clock::time_point::max()
                   ? absl::InfiniteDuration()
                   : absl::FromChrono(deadline) - absl::Now();
}

std::vector<std::string> CallLog::request_ids() const {
  absl::MutexLock lock(&mu_);
  return request_ids_;
}

absl::Duration CallLog::last_deadline_left() const {
  absl::MutexLock lock(&mu_);
  return last_left_;
}

// --- auth ---

const CallAssertionKey& FakeAuthKey() {
  static const CallAssertionKey* key =
      new CallAssertionKey(*CallAssertionKey::FromSecret("fake-downstreams-auth-caller-secret!!"));
  return *key;
}

grpc::Status FakeAuth::CheckCaller(const grpc::ServerContext& context, const char* method) {
  absl::StatusOr<CallClaims> call = AssertedCall(
      FakeAuthKey(), context, absl::StrCat("/skinlens.v1.AuthService/", method), absl::Now());
  if (!call.ok()) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, std::string(call.status().message()));
  }
  return grpc::Status::OK;
}

grpc::Status FakeAuth::Register(grpc::ServerContext* context,
                                const v1::AuthServiceRegisterRequest* request,
                                v1::AuthServiceRegisterResponse* response) {
  log.Record(*context);
  if (grpc::Status s = CheckCaller(*context, "Register"); !s.ok()) return s;
  if (down) return Unavailable();
  if (request->username() == "throttled") {
    v1::RetryInfo retry;
    retry.mutable_retry_delay()->set_seconds(7);
    return StatusWithDetails(absl::ResourceExhaustedError("too many sign-ups"), {&retry});
  }
  if (request->password().size() < 8) {
    v1::BadRequest bad;
    auto* v = bad.add_field_violations();
    v->set_field("password");
    v->set_reason("PASSWORD_TOO_SHORT");
    return StatusWithDetails(absl::InvalidArgumentError("password too short"), {&bad});
  }
  absl::MutexLock lock(&mu_);
  if (request->username() == "taken" || users_.count(request->username()) > 0) {
    v1::ErrorInfo info;
    info.set_reason("USERNAME_TAKEN");
    info.set_domain("auth.skinlens");
    return StatusWithDetails(absl::AlreadyExistsError("username taken"), {&info});
  }
  const std::string id = absl::StrCat("user-", ++next_);
  users_[request->username()] = {id, request->password()};
  response->set_user_id(id);
  response->set_username(request->username());
  response->mutable_create_time()->set_seconds(1717200000);
  return grpc::Status::OK;
}

grpc::Status FakeAuth::Login(grpc::ServerContext* context,
                             const v1::AuthServiceLoginRequest* request,
                             v1::AuthServiceLoginResponse* response) {
  log.Record(*context);
  if (grpc::Status s = CheckCaller(*context, "Login"); !s.ok()) return s;
  if (down) return Unavailable();
  absl::MutexLock lock(&mu_);
  const auto address = context->client_metadata().find(kClientAddressMetadataKey);
  last_login_address_ = address == context->client_metadata().end()
                            ? ""
                            : std::string(address->second.data(), address->second.size());
  auto it = users_.find(request->username());
  if (it == users_.end() || it->second.password != request->password()) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "wrong username or password");
  }
  const std::string token = absl::StrCat("token-", request->username(), "-", ++next_);
  tokens_[token] = request->username();
  response->set_token(token);
  response->set_user_id(it->second.id);
  response->set_username(request->username());
  return grpc::Status::OK;
}

grpc::Status FakeAuth::ValidateToken(grpc::ServerContext* context,
                                     const v1::AuthServiceValidateTokenRequest* request,
                                     v1::AuthServiceValidateTokenResponse* response) {
  log.Record(*context);
  if (grpc::Status s = CheckCaller(*context, "ValidateToken"); !s.ok()) return s;
  if (down) return Unavailable();
  if (request->token().empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "empty token");
  }
  v1::ErrorInfo info;
  info.set_domain("auth.skinlens");
  absl::MutexLock lock(&mu_);
  auto it = tokens_.find(request->token());
  if (it == tokens_.end()) {
    info.set_reason(request->token() == "expired" ? "TOKEN_EXPIRED" : "TOKEN_INVALID");
    return StatusWithDetails(absl::UnauthenticatedError("session ended"), {&info});
  }
  response->set_user_id(users_[it->second].id);
  response->set_username(it->second);
  return grpc::Status::OK;
}

grpc::Status FakeAuth::Logout(grpc::ServerContext* context,
                              const v1::AuthServiceLogoutRequest* request,
                              v1::AuthServiceLogoutResponse*) {
  log.Record(*context);
  if (grpc::Status s = CheckCaller(*context, "Logout"); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  tokens_.erase(request->token());
  return grpc::Status::OK;
}

grpc::Status FakeAuth::ChangePassword(grpc::ServerContext* context,
                                      const v1::AuthServiceChangePasswordRequest* request,
                                      v1::AuthServiceChangePasswordResponse* response) {
  log.Record(*context);
  if (grpc::Status s = CheckCaller(*context, "ChangePassword"); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  auto token = tokens_.find(request->token());
  if (token == tokens_.end()) return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "bad token");
  User& user = users_[token->second];
  if (user.password != request->current_password()) {
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "wrong current password");
  }
  user.password = request->new_password();
  response->set_revoked_session_count(0);
  return grpc::Status::OK;
}

grpc::Status FakeAuth::DeleteAccount(grpc::ServerContext* context,
                                     const v1::AuthServiceDeleteAccountRequest* request,
                                     v1::AuthServiceDeleteAccountResponse* response) {
  log.Record(*context);
  if (grpc::Status s = CheckCaller(*context, "DeleteAccount"); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  auto token = tokens_.find(request->token());
  if (token == tokens_.end()) return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "bad token");
  const std::string username = token->second;
  if (users_[username].password != request->password()) {
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "wrong password");
  }
  response->set_user_id(users_[username].id);
  users_.erase(username);
  for (auto it = tokens_.begin(); it != tokens_.end();) {
    it = it->second == username ? tokens_.erase(it) : std::next(it);
  }
  return grpc::Status::OK;
}

// --- preprocess ---

grpc::Status FakePreprocess::AssessFrame(grpc::ServerContext* context,
                                         const v1::PreprocessServiceAssessFrameRequest* request,
                                         v1::PreprocessServiceAssessFrameResponse* response) {
  log.Record(*context);
  if (request->frame() == "huge") {
    return Quality(absl::InvalidArgumentError("frame too large"),
                   v1::QUALITY_REASON_IMAGE_TOO_LARGE);
  }
  response->set_frame_width(640);
  response->set_frame_height(480);
  v1::RegionBox* box = response->mutable_face()->mutable_box();
  box->set_center_x(320);
  box->set_center_y(240);
  box->set_width(200);
  box->set_height(200);
  const bool dark = request->frame() == "dark";
  response->mutable_quality()->set_accepted(!dark);
  if (dark) {
    v1::QualityIssue* issue = response->mutable_quality()->add_issues();
    issue->set_reason(v1::QUALITY_REASON_TOO_DARK);
    issue->set_severity(v1::QUALITY_SEVERITY_BLOCKING);
    issue->set_measured_value(20);
    issue->set_threshold(60);
  }
  return grpc::Status::OK;
}

grpc::Status FakePreprocess::Preprocess(grpc::ServerContext* context,
                                        const v1::PreprocessServicePreprocessRequest* request,
                                        v1::PreprocessServicePreprocessResponse* response) {
  log.Record(*context);
  last_crop_width = request->crop_width();
  if (delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms.load()));
  const std::string& photo = request->photo();
  if (photo == "dark")
    return Quality(absl::FailedPreconditionError("photo refused"), v1::QUALITY_REASON_TOO_DARK);
  if (photo == "text")
    return Quality(absl::InvalidArgumentError("not an image"),
                   v1::QUALITY_REASON_UNSUPPORTED_FORMAT);
  if (photo == "broken")
    return Quality(absl::InvalidArgumentError("cannot decode"), v1::QUALITY_REASON_UNDECODABLE);
  if (photo == "bomb")
    return Quality(absl::InvalidArgumentError("too many pixels"),
                   v1::QUALITY_REASON_IMAGE_TOO_MANY_PIXELS);
  if (photo == "busy") {
    v1::RetryInfo retry;
    retry.mutable_retry_delay()->set_seconds(3);
    return StatusWithDetails(absl::ResourceExhaustedError("at the concurrency limit"), {&retry});
  }
  if (photo == "slow") return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "took too long");
  response->set_photo_width(640);
  response->set_photo_height(480);
  response->mutable_quality()->set_accepted(true);
  response->mutable_face()->set_detector("fake");
  for (v1::FaceRegion region : {v1::FACE_REGION_FULL_FACE, v1::FACE_REGION_FOREHEAD}) {
    v1::RegionCrop* crop = response->add_crops();
    crop->set_region(region);
    crop->mutable_box()->set_width(100);
    crop->mutable_box()->set_height(100);
    crop->set_width(request->crop_width());
    crop->set_height(request->crop_height());
    crop->set_pixels(std::string(
        static_cast<size_t>(request->crop_width()) * request->crop_height() * 3, '\x80'));
  }
  if (request->preview_max_side() > 0) {
    response->mutable_preview()->set_width(64);
    response->mutable_preview()->set_height(48);
    response->mutable_preview()->set_scale(0.1f);
    response->mutable_preview()->set_pixels(std::string(64 * 48 * 3, '\x40'));
  }
  return grpc::Status::OK;
}

// --- inference ---

v1::ModelInfo FakeInference::Model() {
  v1::ModelInfo info;
  info.set_version("fake-1");
  info.set_architecture("efficientnet-fake");
  info.set_input_width(8);
  info.set_input_height(8);
  info.set_demo_model(true);
  for (v1::Attribute a : kAttributes) info.add_attributes(a);
  return info;
}

grpc::Status FakeInference::Predict(grpc::ServerContext* context,
                                    const v1::InferenceServicePredictRequest* request,
                                    v1::InferenceServicePredictResponse* response) {
  log.Record(*context);
  if (down) return Unavailable();
  for (const v1::RegionCrop& crop : request->crops()) {
    v1::CropPrediction* p = response->add_predictions();
    p->set_region(crop.region());
    for (v1::Attribute a : kAttributes) *p->add_attributes() = Result(a);
    if (request->include_feature_maps()) {
      p->mutable_feature_map()->set_channels(1);
      p->mutable_feature_map()->set_height(1);
      p->mutable_feature_map()->set_width(1);
      p->mutable_feature_map()->set_data(std::string(2, '\0'));
      p->mutable_feature_map()->set_model_version("fake-1");
    }
  }
  for (v1::Attribute a : kAttributes) *response->add_photo_results() = Result(a);
  *response->mutable_model_info() = Model();
  return grpc::Status::OK;
}

grpc::Status FakeInference::GetModelInfo(grpc::ServerContext* context,
                                         const v1::InferenceServiceGetModelInfoRequest*,
                                         v1::InferenceServiceGetModelInfoResponse* response) {
  log.Record(*context);
  if (down) return Unavailable();
  *response->mutable_model_info() = Model();
  return grpc::Status::OK;
}

// --- explain ---

grpc::Status FakeExplain::Explain(grpc::ServerContext* context,
                                  const v1::ExplainServiceExplainRequest* request,
                                  v1::ExplainServiceExplainResponse* response) {
  log.Record(*context);
  if (fail) return grpc::Status(grpc::StatusCode::INTERNAL, "explain blew up");
  for (const v1::ExplainInput& input : request->inputs()) {
    v1::CropExplanation* e = response->add_explanations();
    e->set_region(input.crop().region());
    for (v1::Attribute a : kAttributes) {
      v1::Heatmap* h = e->add_heatmaps();
      h->set_attribute(a);
      h->set_grade(2);
      h->set_width(input.crop().width());
      h->set_height(input.crop().height());
      h->set_values(std::string(static_cast<size_t>(h->width()) * h->height(), '\x7f'));
      if (request->include_crop_overlays()) h->set_overlay("PNG-ish");
    }
  }
  if (request->include_photo_heatmaps()) {
    for (v1::Attribute a : kAttributes) {
      v1::PhotoHeatmap* h = response->add_photo_heatmaps();
      h->set_attribute(a);
      h->set_width(request->photo().width());
      h->set_height(request->photo().height());
      h->set_values(std::string(static_cast<size_t>(h->width()) * h->height(), '\x10'));
      if (request->include_photo_overlays()) h->set_overlay("PNG-ish");
    }
  }
  response->set_model_version("fake-1");
  return grpc::Status::OK;
}

// --- history ---

const CallAssertionKey& FakeHistoryKey() {
  static const CallAssertionKey* key = new CallAssertionKey(
      *CallAssertionKey::FromSecret("fake-downstreams-user-assertion-secret!"));
  return *key;
}

DownstreamKeys FakeDownstreamKeys() { return {FakeHistoryKey(), FakeAuthKey()}; }

grpc::Status FakeHistory::BeginCall(const grpc::ServerContext& context, const char* method,
                                    std::string* user) {
  log.Record(context);
  absl::StatusOr<CallClaims> call = AssertedCall(
      FakeHistoryKey(), context, absl::StrCat("/skinlens.v1.HistoryService/", method), absl::Now());
  if (call.ok() && call->user_id.empty()) call = absl::UnauthenticatedError("no user");
  if (!call.ok()) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, std::string(call.status().message()));
  }
  *user = std::move(call->user_id);
  return grpc::Status::OK;
}

grpc::Status FakeHistory::RecordDiagnosis(grpc::ServerContext* context,
                                          const v1::HistoryServiceRecordDiagnosisRequest* request,
                                          v1::HistoryServiceRecordDiagnosisResponse* response) {
  std::string user;
  if (grpc::Status s = BeginCall(*context, "RecordDiagnosis", &user); !s.ok()) return s;
  if (down) return Unavailable();
  absl::MutexLock lock(&mu_);
  const std::string key = absl::StrCat(user, "/", request->idempotency_key());
  if (auto it = keys_.find(key); it != keys_.end()) {
    for (const v1::Diagnosis& d : diagnoses_[user]) {
      if (d.id() == it->second) *response->mutable_diagnosis() = d;
    }
    response->set_created(false);
    return grpc::Status::OK;
  }
  v1::Diagnosis d = request->diagnosis();
  d.set_id(absl::StrCat("diag-", ++next_));
  d.mutable_create_time()->set_seconds(1717200000 + next_);
  keys_[key] = d.id();
  diagnoses_[user].push_back(d);
  *response->mutable_diagnosis() = d;
  response->set_created(true);
  return grpc::Status::OK;
}

grpc::Status FakeHistory::GetDiagnosis(grpc::ServerContext* context,
                                       const v1::HistoryServiceGetDiagnosisRequest* request,
                                       v1::HistoryServiceGetDiagnosisResponse* response) {
  std::string user;
  if (grpc::Status s = BeginCall(*context, "GetDiagnosis", &user); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  for (const v1::Diagnosis& d : diagnoses_[user]) {
    if (d.id() == request->diagnosis_id()) {
      *response->mutable_diagnosis() = d;
      return grpc::Status::OK;
    }
  }
  return grpc::Status(grpc::StatusCode::NOT_FOUND, "no such diagnosis");
}

grpc::Status FakeHistory::ListDiagnoses(grpc::ServerContext* context,
                                        const v1::HistoryServiceListDiagnosesRequest* request,
                                        v1::HistoryServiceListDiagnosesResponse* response) {
  std::string user;
  if (grpc::Status s = BeginCall(*context, "ListDiagnoses", &user); !s.ok()) return s;
  if (request->page_size() < 0) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "negative page_size");
  }
  absl::MutexLock lock(&mu_);
  const auto& all = diagnoses_[user];
  for (auto it = all.rbegin(); it != all.rend(); ++it) *response->add_diagnoses() = *it;
  return grpc::Status::OK;
}

grpc::Status FakeHistory::DeleteDiagnosis(grpc::ServerContext* context,
                                          const v1::HistoryServiceDeleteDiagnosisRequest* request,
                                          v1::HistoryServiceDeleteDiagnosisResponse*) {
  std::string user;
  if (grpc::Status s = BeginCall(*context, "DeleteDiagnosis", &user); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  auto& all = diagnoses_[user];
  for (auto it = all.begin(); it != all.end(); ++it) {
    if (it->id() == request->diagnosis_id()) {
      all.erase(it);
      return grpc::Status::OK;
    }
  }
  if (request->allow_missing()) return grpc::Status::OK;
  return grpc::Status(grpc::StatusCode::NOT_FOUND, "no such diagnosis");
}

grpc::Status FakeHistory::GetTrend(grpc::ServerContext* context,
                                   const v1::HistoryServiceGetTrendRequest* request,
                                   v1::HistoryServiceGetTrendResponse* response) {
  std::string user;
  if (grpc::Status s = BeginCall(*context, "GetTrend", &user); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  for (int a : request->attributes()) {
    v1::TrendSeries* series = response->add_series();
    series->set_attribute(static_cast<v1::Attribute>(a));
    for (const v1::Diagnosis& d : diagnoses_[user]) {
      v1::TrendPoint* p = series->add_points();
      *p->mutable_start_time() = d.create_time();
      p->set_count(1);
      p->set_mean_expected_score(2.0);
      p->set_diagnosis_id(d.id());
    }
  }
  return grpc::Status::OK;
}

grpc::Status FakeHistory::ExportDiagnoses(grpc::ServerContext* context,
                                          const v1::HistoryServiceExportDiagnosesRequest* request,
                                          v1::HistoryServiceExportDiagnosesResponse* response) {
  std::string user;
  if (grpc::Status s = BeginCall(*context, "ExportDiagnoses", &user); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  std::string csv = "diagnosis_id,attribute,grade\r\n";
  for (const v1::Diagnosis& d : diagnoses_[user]) {
    absl::StrAppend(&csv, d.id(), ",oil,2\r\n");
  }
  response->set_content_type("text/csv; charset=utf-8");
  response->set_file_name("skinlens-history.csv");
  response->set_content(csv);
  return grpc::Status::OK;
}

grpc::Status FakeHistory::DeleteUserData(grpc::ServerContext* context,
                                         const v1::HistoryServiceDeleteUserDataRequest* /*request*/,
                                         v1::HistoryServiceDeleteUserDataResponse* response) {
  std::string user;
  if (grpc::Status s = BeginCall(*context, "DeleteUserData", &user); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  response->set_deleted_count(static_cast<int64_t>(diagnoses_[user].size()));
  diagnoses_.erase(user);
  return grpc::Status::OK;
}

// --- all five ---

FakeDownstreams::FakeDownstreams() {
  ServerOptions options;
  options.service_name = "fakes";
  options.port = 0;
  options.admin_port = -1;
  options.shutdown_grace = absl::Milliseconds(100);
  auto server =
      ServerRunner::Start(options, {{v1::AuthService::service_full_name(), &auth},
                                    {v1::PreprocessService::service_full_name(), &preprocess},
                                    {v1::InferenceService::service_full_name(), &inference},
                                    {v1::ExplainService::service_full_name(), &explain},
                                    {v1::HistoryService::service_full_name(), &history}});
  if (!server.ok()) std::abort();
  server_ = *std::move(server);
}

DownstreamTargets FakeDownstreams::targets() const {
  const std::string address = absl::StrCat("127.0.0.1:", server_->port());
  return {address, address, address, address, address};
}

}  // namespace skinlens::gateway::testing
