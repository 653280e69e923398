// In-process fakes of the five services behind the gateway, for the gateway's
// service tests: each implements the generated base class, keeps its state in
// memory, fails on cue (magic photo bytes or a switch), and records the
// request ids and deadlines it saw.
//
//   FakeDownstreams fakes;                       // all five on one server, port 0
//   GatewayCore core(ConnectDownstreams(fakes.targets(), FakeDownstreamKeys()), options);
//   fakes.explain.fail = true;                   // the next Explain fails
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/grpc/server_runner.h"
#include "services/gateway/downstream.h"

namespace skinlens::gateway::testing {

// What a fake saw of one call. Thread-safe.
class CallLog {
 public:
  void Record(const grpc::ServerContext& context);
  std::vector<std::string> request_ids() const;
  // Time left until the deadline of the last call, when it arrived.
  absl::Duration last_deadline_left() const;

 private:
  mutable absl::Mutex mu_;
  std::vector<std::string> request_ids_ ABSL_GUARDED_BY(mu_);
  absl::Duration last_left_ ABSL_GUARDED_BY(mu_) = absl::InfiniteDuration();
};

// Accounts: Register("taken") -> ALREADY_EXISTS, Register("throttled") ->
// RESOURCE_EXHAUSTED with RetryInfo 7 s; token "expired" -> TOKEN_EXPIRED.
class FakeAuth final : public v1::AuthService::Service {
 public:
  grpc::Status Register(grpc::ServerContext*, const v1::AuthServiceRegisterRequest*,
                        v1::AuthServiceRegisterResponse*) override;
  grpc::Status Login(grpc::ServerContext*, const v1::AuthServiceLoginRequest*,
                     v1::AuthServiceLoginResponse*) override;
  grpc::Status ValidateToken(grpc::ServerContext*, const v1::AuthServiceValidateTokenRequest*,
                             v1::AuthServiceValidateTokenResponse*) override;
  grpc::Status Logout(grpc::ServerContext*, const v1::AuthServiceLogoutRequest*,
                      v1::AuthServiceLogoutResponse*) override;
  grpc::Status ChangePassword(grpc::ServerContext*, const v1::AuthServiceChangePasswordRequest*,
                              v1::AuthServiceChangePasswordResponse*) override;
  grpc::Status DeleteAccount(grpc::ServerContext*, const v1::AuthServiceDeleteAccountRequest*,
                             v1::AuthServiceDeleteAccountResponse*) override;

  CallLog log;
  std::atomic<bool> down{false};  // Every call UNAVAILABLE.
  // The client address the gateway signed on the last Login.
  std::string last_login_address() {
    absl::MutexLock lock(&mu_);
    return last_login_address_;
  }

 private:
  // UNAUTHENTICATED unless the call of `method` carries the gateway's
  // assertion with FakeAuthKey(), as the real auth checks it.
  static grpc::Status CheckCaller(const grpc::ServerContext& context, const char* method);

  struct User {
    std::string id;
    std::string password;
  };
  absl::Mutex mu_;
  std::map<std::string, User> users_ ABSL_GUARDED_BY(mu_);          // By username.
  std::map<std::string, std::string> tokens_ ABSL_GUARDED_BY(mu_);  // Token -> username.
  int next_ ABSL_GUARDED_BY(mu_) = 0;
  std::string last_login_address_ ABSL_GUARDED_BY(mu_);
};

// Photos: "dark" -> FAILED_PRECONDITION (TOO_DARK), "text" ->
// UNSUPPORTED_FORMAT, "broken" -> UNDECODABLE, "bomb" -> TOO_MANY_PIXELS,
// "busy" -> RESOURCE_EXHAUSTED, "slow" -> DEADLINE_EXCEEDED; anything else
// gives two crops of the requested size.
class FakePreprocess final : public v1::PreprocessService::Service {
 public:
  grpc::Status Preprocess(grpc::ServerContext*, const v1::PreprocessServicePreprocessRequest*,
                          v1::PreprocessServicePreprocessResponse*) override;
  // Frames: "dark" -> not accepted (TOO_DARK), "huge" -> INVALID_ARGUMENT
  // (IMAGE_TOO_LARGE); anything else is accepted with a face in the middle
  // of a 640 x 480 frame.
  grpc::Status AssessFrame(grpc::ServerContext*, const v1::PreprocessServiceAssessFrameRequest*,
                           v1::PreprocessServiceAssessFrameResponse*) override;
  CallLog log;
  std::atomic<int> last_crop_width{0};
  std::atomic<int> delay_ms{0};  // Each call answers this much later.
};

// Grades: every attribute grade 2; the model is 8x8 and the demo model.
class FakeInference final : public v1::InferenceService::Service {
 public:
  grpc::Status Predict(grpc::ServerContext*, const v1::InferenceServicePredictRequest*,
                       v1::InferenceServicePredictResponse*) override;
  grpc::Status GetModelInfo(grpc::ServerContext*, const v1::InferenceServiceGetModelInfoRequest*,
                            v1::InferenceServiceGetModelInfoResponse*) override;
  static v1::ModelInfo Model();
  CallLog log;
  std::atomic<bool> down{false};  // Predict and GetModelInfo UNAVAILABLE.
};

// Heatmaps: one per input and attribute, plus photo heatmaps when asked.
class FakeExplain final : public v1::ExplainService::Service {
 public:
  grpc::Status Explain(grpc::ServerContext*, const v1::ExplainServiceExplainRequest*,
                       v1::ExplainServiceExplainResponse*) override;
  CallLog log;
  std::atomic<bool> fail{false};  // Explain INTERNAL.
};

// The secrets FakeHistory and FakeAuth check the gateway's call assertions
// with; give FakeDownstreamKeys() to the gateway under test (ConnectDownstreams).
const CallAssertionKey& FakeHistoryKey();
const CallAssertionKey& FakeAuthKey();
DownstreamKeys FakeDownstreamKeys();

// Diagnoses in memory, per user (from the gateway's user assertion, checked as
// the real history checks it: UNAUTHENTICATED without a valid one).
class FakeHistory final : public v1::HistoryService::Service {
 public:
  grpc::Status RecordDiagnosis(grpc::ServerContext*,
                               const v1::HistoryServiceRecordDiagnosisRequest*,
                               v1::HistoryServiceRecordDiagnosisResponse*) override;
  grpc::Status GetDiagnosis(grpc::ServerContext*, const v1::HistoryServiceGetDiagnosisRequest*,
                            v1::HistoryServiceGetDiagnosisResponse*) override;
  grpc::Status ListDiagnoses(grpc::ServerContext*, const v1::HistoryServiceListDiagnosesRequest*,
                             v1::HistoryServiceListDiagnosesResponse*) override;
  grpc::Status DeleteDiagnosis(grpc::ServerContext*,
                               const v1::HistoryServiceDeleteDiagnosisRequest*,
                               v1::HistoryServiceDeleteDiagnosisResponse*) override;
  grpc::Status GetTrend(grpc::ServerContext*, const v1::HistoryServiceGetTrendRequest*,
                        v1::HistoryServiceGetTrendResponse*) override;
  grpc::Status ExportDiagnoses(grpc::ServerContext*,
                               const v1::HistoryServiceExportDiagnosesRequest*,
                               v1::HistoryServiceExportDiagnosesResponse*) override;
  grpc::Status DeleteUserData(grpc::ServerContext*, const v1::HistoryServiceDeleteUserDataRequest*,
                              v1::HistoryServiceDeleteUserDataResponse*) override;
  CallLog log;
  std::atomic<bool> down{false};  // RecordDiagnosis UNAVAILABLE.

 private:
  // Records the call and checks its user assertion as the real history does:
  // the asserted user, or UNAUTHENTICATED.
  grpc::Status BeginCall(const grpc::ServerContext& context, const char* method, std::string* user);

  absl::Mutex mu_;
  // user -> diagnoses, oldest first.
  std::map<std::string, std::vector<v1::Diagnosis>> diagnoses_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> keys_ ABSL_GUARDED_BY(mu_);  // user/key -> id
  int next_ ABSL_GUARDED_BY(mu_) = 0;
};

// The five fakes on one server on a loopback ephemeral port.
class FakeDownstreams {
 public:
  FakeDownstreams();
  DownstreamTargets targets() const;

  FakeAuth auth;
  FakePreprocess preprocess;
  FakeInference inference;
  FakeExplain explain;
  FakeHistory history;

 private:
  std::unique_ptr<ServerRunner> server_;
};

}  // namespace skinlens::gateway::testing
