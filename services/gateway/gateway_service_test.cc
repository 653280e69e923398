// The gateway's core and both fronts in-process against fake downstream
// services (fake_downstreams.h): the whole HTTP flow, every HTTP error
// mapping of the contract, stage failures and deadlines, request-id
// propagation, security headers, static files, every route of openapi.json,
// and the gRPC front's rich errors.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/grpc/rich_status.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "services/gateway/diagnosis_service.h"
#include "services/gateway/fake_downstreams.h"
#include "services/gateway/http_gateway.h"
#include "services/gateway/openapi.h"
#include "services/gateway/response_encoding.h"
#include "skinlens/v1/diagnosis.grpc.pb.h"

namespace skinlens::gateway {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

constexpr int64_t kMaxPhotoBytes = 4096;

class GatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    web_root_ = fs::path(::testing::TempDir()) /
                ("skinlens_gateway_web_" +
                 std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::create_directories(web_root_ / "dist");
    std::ofstream(web_root_ / "dist" / "index.html") << "<html>app</html>";
    std::ofstream(web_root_ / "secret.txt") << "secret";

    GatewayOptions options;
    options.diagnose.deadlines.preprocess = absl::Seconds(3);
    options.diagnose.deadlines.explain = absl::Seconds(4);
    options.diagnose.max_photo_bytes = kMaxPhotoBytes;
    core_ = std::make_unique<GatewayCore>(
        ConnectDownstreams(fakes_.targets(), testing::FakeDownstreamKeys()), options);
    HttpOptions http;
    http.port = 0;
    http.web_root = web_root_ / "dist";
    http.openapi_json = std::string(OpenApiJson());
    http.max_photo_bytes = kMaxPhotoBytes;
    http.worker_threads = 4;
    auto started = HttpGateway::Start(core_.get(), http);
    ASSERT_TRUE(started.ok()) << started.status();
    http_ = *std::move(started);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", http_->port());
    client_->set_read_timeout(std::chrono::seconds(20));
  }
  void TearDown() override {
    http_->Stop();
    fs::remove_all(web_root_);
  }

  // Registers and logs in `user`; returns the Authorization headers.
  httplib::Headers LogIn(const std::string& user = "alice") {
    auto r =
        client_->Post("/v1/accounts", Json({{"username", user}, {"password", "password-1"}}).dump(),
                      "application/json");
    EXPECT_EQ(r->status, 201) << r->body;
    r = client_->Post("/v1/sessions", Json({{"username", user}, {"password", "password-1"}}).dump(),
                      "application/json");
    EXPECT_EQ(r->status, 200) << r->body;
    return {{"Authorization", "Bearer " + Json::parse(r->body)["token"].get<std::string>()}};
  }

  httplib::Result Diagnose(const httplib::Headers& auth, const std::string& photo,
                           const std::string& query = "?includeHeatmaps=true") {
    return client_->Post(("/v1/diagnoses" + query).c_str(), auth, photo, "image/jpeg");
  }

  // The error body's "status" and the first detail's "@type".
  static Json Error(const httplib::Result& r) { return Json::parse(r->body)["error"]; }

  testing::FakeDownstreams fakes_;
  fs::path web_root_;
  std::unique_ptr<GatewayCore> core_;
  std::unique_ptr<HttpGateway> http_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(GatewayTest, WholeFlowOverHttp) {
  const httplib::Headers auth = LogIn();
  auto r = Diagnose(auth, "a face");
  ASSERT_EQ(r->status, 200) << r->body;
  const Json diagnosed = Json::parse(r->body);
  const Json& d = diagnosed["diagnosis"];
  EXPECT_TRUE(diagnosed["saved"].get<bool>());
  EXPECT_EQ(d["results"].size(), 5u);
  EXPECT_EQ(d["regions"].size(), 2u);
  EXPECT_EQ(d["heatmaps"].size(), 10u);
  EXPECT_EQ(d["photoHeatmaps"].size(), 5u);
  // Overlays only when asked for (they are most of explain's work).
  EXPECT_FALSE(d["photoHeatmaps"][0].contains("overlay"));
  EXPECT_FALSE(d["heatmaps"][0].contains("overlay"));
  EXPECT_EQ(d["explanationStatus"], "EXPLANATION_STATUS_COMPLETE");
  EXPECT_TRUE(d["demoModel"].get<bool>());
  {
    auto with_overlays = Diagnose(auth, "a face", "?includeHeatmaps=true&includeOverlays=true");
    ASSERT_EQ(with_overlays->status, 200) << with_overlays->body;
    const Json o = Json::parse(with_overlays->body)["diagnosis"];
    EXPECT_TRUE(o["photoHeatmaps"][0].contains("overlay"));
    EXPECT_TRUE(o["heatmaps"][0].contains("overlay"));
    // Keep one diagnosis for the checks below.
    const std::string second = o["id"];
    ASSERT_EQ(client_->Delete(("/v1/diagnoses/" + second).c_str(), auth)->status, 200);
  }
  EXPECT_EQ(d["heatmaps"][0]["region"], "FACE_REGION_FULL_FACE");  // filled from the crop
  EXPECT_EQ(fakes_.preprocess.last_crop_width.load(), 8);          // the model's input size
  const std::string id = d["id"];

  r = client_->Get("/v1/diagnoses?pageSize=10&view=basic", auth);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Json::parse(r->body)["diagnoses"][0]["id"], id);

  r = client_->Get(("/v1/diagnoses/" + id).c_str(), auth);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Json::parse(r->body)["diagnosis"]["id"], id);

  r = client_->Get("/v1/trends/wrinkle?bucket=day&timeZone=Asia/Seoul", auth);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Json::parse(r->body)["series"][0]["attribute"], "ATTRIBUTE_WRINKLE");
  EXPECT_EQ(Json::parse(r->body)["series"][0]["points"].size(), 1u);
  // A made-up or file-like zone never reaches history (nor absl's zone cache).
  for (const char* zone : {"..%2F..%2Fetc%2Fpasswd", "Mars%2FOlympus_Mons", "Asia%2FSeoul%0A"}) {
    r = client_->Get(absl::StrCat("/v1/trends/wrinkle?bucket=day&timeZone=", zone).c_str(), auth);
    ASSERT_EQ(r->status, 400) << zone;
    EXPECT_THAT(r->body, HasSubstr("timeZone")) << r->body;
  }

  r = client_->Get("/v1/diagnoses:export", auth);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Json::parse(r->body)["fileName"], "skinlens-history.csv");
  httplib::Headers csv = auth;
  csv.emplace("Accept", "text/csv");
  r = client_->Get("/v1/diagnoses:export", csv);
  ASSERT_EQ(r->status, 200);
  EXPECT_THAT(r->get_header_value("Content-Type"), HasSubstr("text/csv"));
  EXPECT_THAT(r->get_header_value("Content-Disposition"), HasSubstr("skinlens-history.csv"));
  EXPECT_THAT(r->body, HasSubstr(id + ",oil,2"));

  r = client_->Delete(("/v1/diagnoses/" + id).c_str(), auth);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->body, "{}");
  r = client_->Get(("/v1/diagnoses/" + id).c_str(), auth);
  EXPECT_EQ(r->status, 404);

  r = client_->Delete("/v1/sessions/current", auth);
  ASSERT_EQ(r->status, 200) << r->body;
  r = client_->Get("/v1/diagnoses", auth);
  EXPECT_EQ(r->status, 401);
}

TEST_F(GatewayTest, MultipartUploadWithOptionsAsFormFields) {
  const httplib::Headers auth = LogIn();
  httplib::MultipartFormDataItems items = {{"photo", "a face", "face.jpg", "image/jpeg"},
                                           {"includeHeatmaps", "true", "", ""},
                                           {"includeOverlays", "true", "", ""}};
  auto r = client_->Post("/v1/diagnoses", auth, items);
  ASSERT_EQ(r->status, 200) << r->body;
  const Json d = Json::parse(r->body)["diagnosis"];
  EXPECT_EQ(d["explanationStatus"], "EXPLANATION_STATUS_COMPLETE");
  EXPECT_TRUE(d["heatmaps"][0].contains("overlay"));

  r = client_->Post("/v1/diagnoses", auth,
                    httplib::MultipartFormDataItems{{"file", "x", "a.jpg", "image/jpeg"}});
  EXPECT_EQ(r->status, 400);
  EXPECT_THAT(r->body, HasSubstr("photo"));
}

TEST_F(GatewayTest, ExplainFailureStillReturnsGradesMarkedFailed) {
  const httplib::Headers auth = LogIn();
  fakes_.explain.fail = true;
  auto r = Diagnose(auth, "a face");
  ASSERT_EQ(r->status, 200) << r->body;
  const Json d = Json::parse(r->body)["diagnosis"];
  EXPECT_EQ(d["results"].size(), 5u);
  EXPECT_EQ(d["explanationStatus"], "EXPLANATION_STATUS_FAILED");
  EXPECT_THAT(d["explanationError"].get<std::string>(), HasSubstr("explain blew up"));
  EXPECT_FALSE(d.contains("heatmaps"));
  EXPECT_TRUE(Json::parse(r->body)["saved"].get<bool>());
}

TEST_F(GatewayTest, HistoryFailureReturnsTheResultUnsaved) {
  const httplib::Headers auth = LogIn();
  fakes_.history.down = true;
  auto r = Diagnose(auth, "a face", "");
  ASSERT_EQ(r->status, 200) << r->body;
  const Json body = Json::parse(r->body);
  EXPECT_FALSE(body.value("saved", false));
  EXPECT_FALSE(body["diagnosis"].contains("id"));
  EXPECT_EQ(body["diagnosis"]["explanationStatus"], "EXPLANATION_STATUS_NOT_REQUESTED");
}

TEST_F(GatewayTest, EachStageGetsItsOwnDeadline) {
  const httplib::Headers auth = LogIn();
  ASSERT_EQ(Diagnose(auth, "a face")->status, 200);
  const absl::Duration preprocess = fakes_.preprocess.log.last_deadline_left();
  const absl::Duration explain = fakes_.explain.log.last_deadline_left();
  EXPECT_GT(preprocess, absl::ZeroDuration());
  // gRPC sends the deadline as a timeout rounded up to its wire unit: allow that.
  const absl::Duration rounding = absl::Milliseconds(100);
  EXPECT_LE(preprocess, absl::Seconds(3) + rounding);
  EXPECT_GT(explain, absl::Seconds(3) + rounding);  // not preprocess's: its own deadline
  EXPECT_LE(explain, absl::Seconds(4) + rounding);
}

TEST_F(GatewayTest, RequestIdReachesEveryServiceAndComesBack) {
  httplib::Headers auth = LogIn();
  auth.emplace("X-Request-Id", "photo-42");
  auto r = Diagnose(auth, "a face");
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("X-Request-Id"), "photo-42");
  EXPECT_EQ(Json::parse(r->body)["diagnosis"]["requestId"], "photo-42");
  for (const testing::CallLog* log :
       {&fakes_.auth.log, &fakes_.preprocess.log, &fakes_.inference.log, &fakes_.explain.log,
        &fakes_.history.log}) {
    EXPECT_EQ(log->request_ids().back(), "photo-42");
  }
  // A malformed id is replaced, never echoed.
  r = client_->Get("/healthz", {{"X-Request-Id", "bad id\twith tab"}});
  EXPECT_THAT(r->get_header_value("X-Request-Id"), Not(HasSubstr(" ")));
  EXPECT_EQ(r->get_header_value("X-Request-Id").size(), 32u);
}

// Every HTTP status of the contract, produced through the real front.
TEST_F(GatewayTest, EveryErrorMappingOverHttp) {
  const httplib::Headers auth = LogIn();
  struct Case {
    const char* name;
    httplib::Result result;
    int status;
    const char* body_has;
  };
  std::vector<Case> cases;
  cases.push_back({"400 bad json", client_->Post("/v1/sessions", "{", "application/json"), 400,
                   "INVALID_ARGUMENT"});
  cases.push_back(
      {"400 unknown query", client_->Get("/v1/diagnoses?size=3", auth), 400, "fieldViolations"});
  cases.push_back({"400 undecodable", Diagnose(auth, "broken"), 400, "QUALITY_REASON_UNDECODABLE"});
  cases.push_back({"401 no token", client_->Get("/v1/diagnoses"), 401, "TOKEN_MISSING"});
  cases.push_back({"401 expired",
                   client_->Get("/v1/diagnoses", {{"Authorization", "Bearer expired"}}), 401,
                   "TOKEN_EXPIRED"});
  cases.push_back({"401 basic auth",
                   client_->Get("/v1/diagnoses", {{"Authorization", "Basic eDp5"}}), 401,
                   "TOKEN_INVALID"});
  cases.push_back({"401 wrong password",
                   client_->Post("/v1/sessions", R"({"username":"alice","password":"nope-nope"})",
                                 "application/json"),
                   401, "UNAUTHENTICATED"});
  cases.push_back({"403 wrong current password",
                   client_->Post("/v1/account/password", auth,
                                 R"({"currentPassword":"wrong-one","newPassword":"password-2"})",
                                 "application/json"),
                   403, "PERMISSION_DENIED"});
  cases.push_back(
      {"404 no diagnosis", client_->Get("/v1/diagnoses/diag-999", auth), 404, "NOT_FOUND"});
  cases.push_back({"404 no route", client_->Get("/v1/nothing", auth), 404, "no such API route"});
  cases.push_back({"409 taken",
                   client_->Post("/v1/accounts", R"({"username":"taken","password":"password-1"})",
                                 "application/json"),
                   409, "USERNAME_TAKEN"});
  cases.push_back({"413 photo over the limit", Diagnose(auth, std::string(kMaxPhotoBytes + 1, 'x')),
                   413, "QUALITY_REASON_IMAGE_TOO_LARGE"});
  cases.push_back({"413 body over the limit",
                   Diagnose(auth, std::string(kMaxPhotoBytes + (2 << 20), 'x')), 413,
                   "request body too large"});
  cases.push_back({"413 decompression bomb", Diagnose(auth, "bomb"), 413, "TOO_MANY_PIXELS"});
  cases.push_back({"415 not an image (bytes)", Diagnose(auth, "text"), 415, "UNSUPPORTED_FORMAT"});
  cases.push_back({"415 not an image (type)",
                   client_->Post("/v1/diagnoses", auth, "hello", "text/plain"), 415,
                   "UNSUPPORTED_FORMAT"});
  cases.push_back(
      {"422 quality gate", Diagnose(auth, "dark"), 422, "fake says QUALITY_REASON_TOO_DARK"});
  cases.push_back({"429 busy", Diagnose(auth, "busy"), 429, "RetryInfo"});
  cases.push_back(
      {"429 throttled",
       client_->Post("/v1/accounts", R"({"username":"throttled","password":"password-1"})",
                     "application/json"),
       429, "RetryInfo"});
  cases.push_back({"504 too slow", Diagnose(auth, "slow"), 504, "DEADLINE_EXCEEDED"});
  for (const Case& c : cases) {
    ASSERT_TRUE(c.result) << c.name;
    EXPECT_EQ(c.result->status, c.status) << c.name << ": " << c.result->body;
    EXPECT_THAT(c.result->body, HasSubstr(c.body_has)) << c.name;
    EXPECT_EQ(c.result->get_header_value("Content-Type"), "application/json") << c.name;
    EXPECT_EQ(Error(c.result)["code"], c.status) << c.name;
  }
  // Retry-After from the RetryInfo.
  EXPECT_EQ(cases[18].result->get_header_value("Retry-After"), "7");
  EXPECT_EQ(cases[17].result->get_header_value("Retry-After"), "3");

  fakes_.inference.down = true;
  auto r = Diagnose(auth, "a face");
  EXPECT_EQ(r->status, 503) << r->body;
  EXPECT_EQ(r->get_header_value("Retry-After"), "2");
  r = client_->Get("/v1/model");
  EXPECT_EQ(r->status, 200) << "model info is cached";
}

TEST_F(GatewayTest, SecurityHeadersOnEveryKindOfResponse) {
  for (const char* path : {"/healthz", "/", "/v1/model", "/v1/nothing", "/no-such.js"}) {
    auto r = client_->Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_THAT(r->get_header_value("Content-Security-Policy"), HasSubstr("default-src 'self'"))
        << path;
    EXPECT_EQ(r->get_header_value("X-Content-Type-Options"), "nosniff") << path;
    EXPECT_EQ(r->get_header_value("X-Frame-Options"), "DENY") << path;
    EXPECT_EQ(r->get_header_value("Referrer-Policy"), "no-referrer") << path;
    EXPECT_FALSE(r->get_header_value("X-Request-Id").empty()) << path;
  }
}

// Large JSON goes out compressed at the fast settings of response_encoding.h,
// whatever the client accepts; small bodies and clients that accept nothing
// get it as it is. httplib's client undoes the encoding, so the body must
// equal the document and Content-Length must be the smaller wire size.
TEST_F(GatewayTest, ResponsesAreCompressedAsTheClientAccepts) {
  const std::string openapi(OpenApiJson());
  ASSERT_GT(openapi.size(), kMinCompressedBytes);
  struct Case {
    const char* accept;
    const char* encoding;
  };
  for (const Case& c : {Case{"gzip, deflate, br", "br"}, Case{"gzip, deflate", "gzip"},
                        Case{"br;q=0, gzip", "gzip"}, Case{"identity", ""}}) {
    auto r = client_->Get("/v1/openapi.json", {{"Accept-Encoding", c.accept}});
    ASSERT_TRUE(r) << c.accept;
    EXPECT_EQ(r->status, 200) << c.accept;
    EXPECT_EQ(r->get_header_value("Content-Encoding"), c.encoding) << c.accept;
    EXPECT_EQ(r->get_header_value("Vary"), "Accept-Encoding") << c.accept;
    EXPECT_EQ(r->body, openapi) << c.accept;
    const size_t wire = std::stoul(r->get_header_value("Content-Length"));
    if (*c.encoding != '\0') {
      EXPECT_LT(wire, openapi.size() / 3) << c.accept;
    } else {
      EXPECT_EQ(wire, openapi.size()) << c.accept;
    }
  }
  // A tiny body is not worth a compressor.
  auto r = client_->Get("/healthz", {{"Accept-Encoding", "gzip, deflate, br"}});
  EXPECT_EQ(r->get_header_value("Content-Encoding"), "");
  // API errors keep their JSON body and status through the encoding.
  r = client_->Get("/v1/diagnoses", {{"Accept-Encoding", "gzip, deflate, br"}});
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(Error(r)["status"], "UNAUTHENTICATED");
}

TEST_F(GatewayTest, DiagnosisWithHeatmapsComesBackCompressed) {
  httplib::Headers auth = LogIn();
  auth.emplace("Accept-Encoding", "gzip, deflate, br");
  auto r = Diagnose(auth, "a face");
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Encoding"), "br");
  EXPECT_LT(std::stoul(r->get_header_value("Content-Length")), r->body.size());
  EXPECT_TRUE(Json::parse(r->body)["diagnosis"].contains("heatmaps"));
}

TEST_F(GatewayTest, StaticFilesOnlyFromTheWebRoot) {
  auto r = client_->Get("/");
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "<html>app</html>");
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(client_->Get("/history")->body, "<html>app</html>");  // a client-side route
  for (const char* path :
       {"/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/%2E%2E%2Fsecret.txt",
        "/%252e%252e/secret.txt", "/a/..%5c..%5csecret.txt"}) {
    r = client_->Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 404) << path;
    EXPECT_THAT(r->body, Not(HasSubstr("secret"))) << path;
  }
}

// openapi.json lists every route, and every route it lists answers (no
// "no such route" 404).
TEST_F(GatewayTest, EveryOpenApiRouteAnswers) {
  std::ifstream in(SKINLENS_GATEWAY_OPENAPI);
  const Json doc = Json::parse(in);
  EXPECT_EQ(Json::parse(std::string(OpenApiJson())), doc) << "the embedded copy is stale";
  const httplib::Headers auth = LogIn();
  const std::string id =
      Json::parse(Diagnose(auth, "a face")->body)["diagnosis"]["id"].get<std::string>();
  int routes = 0;
  for (const auto& [path_template, operations] : doc["paths"].items()) {
    std::string path = path_template;
    if (auto p = path.find("{diagnosisId}"); p != std::string::npos) path.replace(p, 13, id);
    if (auto p = path.find("{attribute}"); p != std::string::npos) path.replace(p, 11, "oil");
    if (auto p = path.find("{captureSessionId}"); p != std::string::npos) {
      path.replace(p, 18, "cs-none");
    }
    for (const auto& [method, operation] : operations.items()) {
      if (method == "parameters") continue;
      httplib::Result r = method == "get" ? client_->Get(path.c_str(), auth)
                          : method == "post"
                              ? client_->Post(path.c_str(), auth, "{}", "application/json")
                              : client_->Delete(path.c_str(), auth, "{}", "application/json");
      ASSERT_TRUE(r) << method << " " << path;
      EXPECT_THAT(r->body, Not(HasSubstr("no such route"))) << method << " " << path;
      EXPECT_THAT(r->body, Not(HasSubstr("no such API route"))) << method << " " << path;
      EXPECT_TRUE(operation["responses"].contains(std::to_string(r->status)) || r->status == 400)
          << method << " " << path << " answered " << r->status << " " << r->body;
      ++routes;
    }
  }
  EXPECT_EQ(routes, 17);
}

TEST_F(GatewayTest, GrpcFrontCarriesRichErrorsAndRequestIds) {
  DiagnosisService service(core_.get());
  ServerOptions options;
  options.service_name = "gateway";
  options.admin_port = -1;
  auto server =
      ServerRunner::Start(options, {{v1::DiagnosisService::service_full_name(), &service}});
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = v1::DiagnosisService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", (*server)->port()), grpc::InsecureChannelCredentials()));

  grpc::ClientContext register_context;
  v1::RegisterRequest reg;
  reg.set_username("bob");
  reg.set_password("password-1");
  v1::RegisterResponse registered;
  ASSERT_TRUE(stub->Register(&register_context, reg, &registered).ok());
  grpc::ClientContext login_context;
  v1::LoginRequest login;
  login.set_username("bob");
  login.set_password("password-1");
  v1::LoginResponse session;
  ASSERT_TRUE(stub->Login(&login_context, login, &session).ok());

  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + session.token());
  context.AddMetadata("x-request-id", "grpc-photo-1");
  v1::DiagnoseRequest request;
  request.set_photo("dark");
  v1::DiagnoseResponse response;
  const grpc::Status refused = stub->Diagnose(&context, request, &response);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  ASSERT_TRUE(FindDetail<v1::QualityReport>(refused).has_value());
  EXPECT_EQ(FindDetail<v1::QualityReport>(refused)->issues(0).reason(),
            v1::QUALITY_REASON_TOO_DARK);
  auto echoed = context.GetServerInitialMetadata().find("x-request-id");
  ASSERT_NE(echoed, context.GetServerInitialMetadata().end());
  EXPECT_EQ(std::string(echoed->second.data(), echoed->second.size()), "grpc-photo-1");

  grpc::ClientContext ok_context;
  ok_context.AddMetadata("authorization", "Bearer " + session.token());
  request.set_photo("a face");
  request.set_include_heatmaps(true);
  ASSERT_TRUE(stub->Diagnose(&ok_context, request, &response).ok());
  EXPECT_EQ(response.diagnosis().heatmaps_size(), 10);
  EXPECT_TRUE(response.saved());
  EXPECT_TRUE(response.timings().has_total());

  grpc::ClientContext anonymous;
  v1::ListDiagnosesResponse page;
  const grpc::Status no_token = stub->ListDiagnoses(&anonymous, v1::ListDiagnosesRequest(), &page);
  EXPECT_EQ(no_token.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(FindDetail<v1::ErrorInfo>(no_token)->reason(), "TOKEN_MISSING");
  (*server)->Shutdown();
}

// The gRPC front serving `core`, and a logged-in caller's token.
struct GrpcFront {
  explicit GrpcFront(GatewayCore* core) : service(core) {
    ServerOptions options;
    options.service_name = "gateway";
    options.admin_port = -1;
    auto started =
        ServerRunner::Start(options, {{v1::DiagnosisService::service_full_name(), &service}});
    EXPECT_TRUE(started.ok()) << started.status();
    server = *std::move(started);
    stub = v1::DiagnosisService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", server->port()), grpc::InsecureChannelCredentials()));
  }
  std::string LogIn(const std::string& user) {
    grpc::ClientContext register_context, login_context;
    v1::RegisterRequest reg;
    reg.set_username(user);
    reg.set_password("password-1");
    v1::RegisterResponse registered;
    EXPECT_TRUE(stub->Register(&register_context, reg, &registered).ok());
    v1::LoginRequest login;
    login.set_username(user);
    login.set_password("password-1");
    v1::LoginResponse session;
    EXPECT_TRUE(stub->Login(&login_context, login, &session).ok());
    return session.token();
  }

  DiagnosisService service;
  std::unique_ptr<ServerRunner> server;
  std::unique_ptr<v1::DiagnosisService::Stub> stub;
};

v1::GuideCaptureRequest Frame(const std::string& image, int64_t second) {
  v1::GuideCaptureRequest frame;
  frame.set_image(image);
  frame.mutable_capture_time()->set_seconds(second);
  return frame;
}

TEST_F(GatewayTest, GuideCaptureAnswersEachFrameInOrderUntilCaptureNow) {
  GrpcFront front(core_.get());
  const std::string token = front.LogIn("carol");
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + token);
  auto stream = front.stub->GuideCapture(&context);
  // One frame at a time, each answer read before the next frame: none is skipped.
  const char* frames[] = {"dark", "good", "huge", "good", "good", "good"};
  std::vector<v1::GuideCaptureResponse> answers;
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(stream->Write(Frame(frames[i], 1000 + i)));
    v1::GuideCaptureResponse answer;
    ASSERT_TRUE(stream->Read(&answer)) << "frame " << i;
    answers.push_back(answer);
  }
  ASSERT_TRUE(stream->WritesDone());
  const grpc::Status end = stream->Finish();
  ASSERT_TRUE(end.ok()) << end.error_message();

  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(answers[i].frame_index(), i);
    EXPECT_EQ(answers[i].capture_time().seconds(), 1000 + i);
    EXPECT_FALSE(answers[i].skipped());
  }
  EXPECT_FALSE(answers[0].ready());
  ASSERT_EQ(answers[0].issues_size(), 1);
  EXPECT_EQ(answers[0].issues(0).reason(), v1::QUALITY_REASON_TOO_DARK);
  EXPECT_EQ(answers[0].issues(0).threshold(), 60);
  EXPECT_TRUE(answers[1].ready());
  EXPECT_EQ(answers[1].face().box().center_x(), 320);
  // The unreadable frame is answered with its error, and the stream goes on.
  EXPECT_EQ(answers[2].error().code(), grpc::StatusCode::INVALID_ARGUMENT);
  v1::QualityReport why;
  ASSERT_EQ(answers[2].error().details_size(), 1);
  ASSERT_TRUE(answers[2].error().details(0).UnpackTo(&why));
  EXPECT_EQ(why.issues(0).reason(), v1::QUALITY_REASON_IMAGE_TOO_LARGE);
  // Three ready frames in a row after it, with the face still: capture now.
  EXPECT_EQ(answers[3].ready_streak(), 1);
  EXPECT_EQ(answers[4].ready_streak(), 2);
  EXPECT_FALSE(answers[4].capture_now());
  EXPECT_TRUE(answers[5].capture_now());
}

TEST_F(GatewayTest, GuideCaptureNeedsATokenAndIsLimitedInStreams) {
  GatewayOptions options;
  options.guidance.max_streams = 1;
  GatewayCore core(ConnectDownstreams(fakes_.targets(), testing::FakeDownstreamKeys()), options);
  GrpcFront front(&core);
  {
    grpc::ClientContext anonymous;
    auto stream = front.stub->GuideCapture(&anonymous);
    stream->Write(Frame("good", 1));
    stream->WritesDone();
    EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  const std::string token = front.LogIn("dave");
  grpc::ClientContext first_context;
  first_context.AddMetadata("authorization", "Bearer " + token);
  auto first = front.stub->GuideCapture(&first_context);
  ASSERT_TRUE(first->Write(Frame("good", 1)));
  v1::GuideCaptureResponse answer;
  ASSERT_TRUE(first->Read(&answer));  // The first stream holds the only slot.

  grpc::ClientContext second_context;
  second_context.AddMetadata("authorization", "Bearer " + token);
  auto second = front.stub->GuideCapture(&second_context);
  second->Write(Frame("good", 1));
  second->WritesDone();
  const grpc::Status refused = second->Finish();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  ASSERT_TRUE(FindDetail<v1::RetryInfo>(refused).has_value());
  EXPECT_EQ(FindDetail<v1::ErrorInfo>(refused)->reason(), "GUIDANCE_STREAMS_EXHAUSTED");

  first->WritesDone();
  EXPECT_TRUE(first->Finish().ok());
  // The slot is free again.
  grpc::ClientContext third_context;
  third_context.AddMetadata("authorization", "Bearer " + token);
  auto third = front.stub->GuideCapture(&third_context);
  ASSERT_TRUE(third->Write(Frame("good", 1)));
  ASSERT_TRUE(third->Read(&answer));
  third->WritesDone();
  EXPECT_TRUE(third->Finish().ok());
}

// The web app's form of GuideCapture: a capture session and one POST per frame
// get the stream's answers, with the same codes.
TEST_F(GatewayTest, CaptureSessionOverHttpAnswersFramesUntilCaptureNow) {
  const httplib::Headers auth = LogIn();
  auto r = client_->Post("/v1/captureSessions", auth, "{}", "application/json");
  ASSERT_EQ(r->status, 201) << r->body;
  const Json opened = Json::parse(r->body);
  EXPECT_EQ(opened["readyFrames"], 3);
  EXPECT_EQ(opened["idleTimeout"], "30s");
  const std::string id = opened["captureSessionId"];
  const std::string frames = "/v1/captureSessions/" + id + "/frames";
  auto post = [&](const std::string& image, const std::string& type = "image/jpeg") {
    return client_->Post((frames + "?captureTime=2026-12-07T10:00:00Z&photoWidth=1280").c_str(),
                         auth, image, type.c_str());
  };
  const char* images[] = {"dark", "good", "huge", "good", "good", "good"};
  std::vector<Json> answers;
  for (const char* image : images) {
    r = post(image);
    ASSERT_EQ(r->status, 200) << image << ": " << r->body;
    answers.push_back(Json::parse(r->body));
  }
  for (int i = 0; i < 6; ++i) {
    // int64 as a string; 0, the default, is left out by the JSON mapping.
    EXPECT_EQ(answers[i].value("frameIndex", "0"), std::to_string(i));
    EXPECT_EQ(answers[i]["captureTime"], "2026-12-07T10:00:00Z");
  }
  EXPECT_EQ(answers[0]["issues"][0]["reason"], "QUALITY_REASON_TOO_DARK");
  EXPECT_EQ(answers[0]["issues"][0]["threshold"], 60);
  EXPECT_FALSE(answers[0].value("ready", false));
  EXPECT_TRUE(answers[1]["ready"].get<bool>());
  EXPECT_EQ(answers[1]["face"]["box"]["centerX"], 320);
  // An unreadable frame: its answer carries the error, the session goes on.
  EXPECT_EQ(answers[2]["error"]["code"], 3);
  EXPECT_EQ(answers[2]["error"]["details"][0]["issues"][0]["reason"],
            "QUALITY_REASON_IMAGE_TOO_LARGE");
  EXPECT_FALSE(answers[4].value("captureNow", false));
  EXPECT_TRUE(answers[5]["captureNow"].get<bool>());
  EXPECT_EQ(answers[5]["readyStreak"], 3);
  // Each frame was judged by preprocess, once.
  EXPECT_EQ(fakes_.preprocess.log.request_ids().size(), 6u);

  // Not an image: 415, and the session is unchanged.
  r = post("{}", "application/json");
  EXPECT_EQ(r->status, 415) << r->body;
  // Another user's session does not exist for them.
  const httplib::Headers bob = LogIn("bob");
  EXPECT_EQ(client_->Post(frames.c_str(), bob, "good", "image/jpeg")->status, 404);
  EXPECT_EQ(client_->Delete(("/v1/captureSessions/" + id).c_str(), bob)->status, 404);
  // Without a token: 401.
  EXPECT_EQ(client_->Post(frames.c_str(), "good", "image/jpeg")->status, 401);
  r = post("good");
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Json::parse(r->body)["frameIndex"], "6");

  ASSERT_EQ(client_->Delete(("/v1/captureSessions/" + id).c_str(), auth)->status, 200);
  r = post("good");
  EXPECT_EQ(r->status, 404) << r->body;
}

// Capture sessions and GuideCapture streams share the gateway's slots.
TEST_F(GatewayTest, CaptureSessionsShareTheGuidanceSlotsWithStreams) {
  GatewayOptions options;
  options.guidance.max_streams = 1;
  GatewayCore core(ConnectDownstreams(fakes_.targets(), testing::FakeDownstreamKeys()), options);
  GrpcFront front(&core);
  const std::string token = front.LogIn("erin");
  CallInfo call;
  call.token = token;
  absl::StatusOr<v1::CaptureSession> opened = core.CreateCaptureSession(call, {});
  ASSERT_TRUE(opened.ok()) << opened.status();

  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + token);
  auto stream = front.stub->GuideCapture(&context);
  stream->Write(Frame("good", 1));
  stream->WritesDone();
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);

  v1::DeleteCaptureSessionRequest end;
  end.set_capture_session_id(opened->capture_session_id());
  ASSERT_TRUE(core.DeleteCaptureSession(call, end).ok());
  grpc::ClientContext again;
  again.AddMetadata("authorization", "Bearer " + token);
  auto second = front.stub->GuideCapture(&again);
  ASSERT_TRUE(second->Write(Frame("good", 1)));
  v1::GuideCaptureResponse answer;
  ASSERT_TRUE(second->Read(&answer));
  second->WritesDone();
  EXPECT_TRUE(second->Finish().ok());
}

TEST_F(GatewayTest, DeleteAccountChecksThePasswordBeforeWipingHistory) {
  const httplib::Headers auth = LogIn();
  ASSERT_EQ(Diagnose(auth, "a face", "")->status, 200);
  auto r = client_->Delete("/v1/account", auth, R"({"password":"wrong-one"})", "application/json");
  EXPECT_EQ(r->status, 403) << r->body;
  EXPECT_EQ(Json::parse(client_->Get("/v1/diagnoses", auth)->body)["diagnoses"].size(), 1u);
  r = client_->Delete("/v1/account", auth, R"({"password":"password-1"})", "application/json");
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Json::parse(r->body)["deletedDiagnosisCount"], "1");
  EXPECT_EQ(client_->Get("/v1/diagnoses", auth)->status, 401);
}

// A loopback TCP connection to `port`; -1 when it cannot connect.
int ConnectTo(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// What arrives on `fd` within `wait`, until the peer closes or, with
// `head_only`, until the answer's head is complete.
std::string ReadAnswer(int fd, std::chrono::milliseconds wait, bool head_only) {
  std::string answer;
  const auto give_up = std::chrono::steady_clock::now() + wait;
  char buffer[4096];
  while (!head_only || answer.find("\r\n\r\n") == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        give_up - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) break;
    answer.append(buffer, static_cast<size_t>(n));
  }
  return answer;
}

std::string ReadUntilClosed(int fd, std::chrono::milliseconds wait) {
  return ReadAnswer(fd, wait, /*head_only=*/false);
}

// Sends `head` (request line and headers, no body) on a fresh connection and
// returns what the server answers within `wait` (empty when nothing came).
std::string AnswerToHeadOnly(int port, const std::string& head,
                             std::chrono::milliseconds wait = std::chrono::milliseconds(3000)) {
  const int fd = ConnectTo(port);
  if (fd < 0) return "";
  (void)::send(fd, head.data(), head.size(), MSG_NOSIGNAL);
  std::string answer = ReadAnswer(fd, wait, /*head_only=*/true);
  ::close(fd);
  return answer;
}

// Bodies whose size cannot be known from Content-Length, or that would grow
// when decoded, are refused from the headers alone: the answer comes while
// the body has not been sent at all.
TEST_F(GatewayTest, UnboundedBodiesAreRefusedBeforeAnyByteOfThemIsRead) {
  const int port = http_->port();
  std::string answer =
      AnswerToHeadOnly(port,
                       "POST /v1/diagnoses HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\n"
                       "Content-Encoding: gzip\r\nContent-Length: 19000\r\n\r\n");
  EXPECT_THAT(answer, HasSubstr("HTTP/1.1 415"));
  EXPECT_THAT(answer, HasSubstr("Connection: close"));
  answer = AnswerToHeadOnly(port,
                            "POST /v1/diagnoses HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\n"
                            "Transfer-Encoding: chunked\r\n\r\n");
  EXPECT_THAT(answer, HasSubstr("HTTP/1.1 411"));
  answer = AnswerToHeadOnly(port,
                            "GET /v1/diagnoses HTTP/1.1\r\nHost: x\r\n"
                            "Content-Length: 40\r\n\r\n");
  EXPECT_THAT(answer, HasSubstr("HTTP/1.1 400"));
  answer = AnswerToHeadOnly(port, "POST /v1/sessions HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_THAT(answer, HasSubstr("HTTP/1.1 411"));
  answer = AnswerToHeadOnly(port,
                            "POST /v1/diagnoses HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\n"
                            "Content-Length: -1\r\n\r\n");
  EXPECT_THAT(answer, HasSubstr("HTTP/1.1 4"));
  // The gateway still serves normal requests.
  EXPECT_EQ(client_->Get("/healthz")->status, 200);
}

// Behind a trusted proxy the client is the address the proxy forwarded; from
// anyone else the forwarding headers are ignored.
TEST_F(GatewayTest, TheClientAddressComesFromForwardingHeadersOfTrustedProxiesOnly) {
  LogIn("dora");
  const std::string credentials = R"({"username":"dora","password":"password-1"})";
  httplib::Headers forwarded = {{"X-Forwarded-For", "198.51.100.7"}};
  ASSERT_EQ(client_->Post("/v1/sessions", forwarded, credentials, "application/json")->status, 200);
  EXPECT_EQ(fakes_.auth.last_login_address(), "127.0.0.1") << "nobody is trusted by default";

  HttpOptions http;
  http.port = 0;
  http.openapi_json = std::string(OpenApiJson());
  http.trusted_proxies = *TrustedProxies::Parse("127.0.0.0/8");
  auto behind_proxy = HttpGateway::Start(core_.get(), http);
  ASSERT_TRUE(behind_proxy.ok()) << behind_proxy.status();
  httplib::Client via_proxy("127.0.0.1", (*behind_proxy)->port());
  ASSERT_EQ(via_proxy.Post("/v1/sessions", forwarded, credentials, "application/json")->status,
            200);
  EXPECT_EQ(fakes_.auth.last_login_address(), "198.51.100.7");
  // A client's own header is to the left of what the proxy appended.
  forwarded = {{"X-Forwarded-For", "1.2.3.4, 198.51.100.8"}};
  ASSERT_EQ(via_proxy.Post("/v1/sessions", forwarded, credentials, "application/json")->status,
            200);
  EXPECT_EQ(fakes_.auth.last_login_address(), "198.51.100.8");
  (*behind_proxy)->Stop();
}

// A client that sends the whole body anyway (as httplib and browsers do)
// still gets the early answer, and the connection after it is not reused.
TEST_F(GatewayTest, AnOversizedJsonBodySentInFullGetsItsEarlyAnswer) {
  client_->set_read_timeout(std::chrono::seconds(10));
  client_->set_write_timeout(std::chrono::seconds(10));
  auto r = client_->Post("/v1/accounts", std::string(1 << 20, '{'), "application/json");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(Error(r)["status"], "INVALID_ARGUMENT");
  EXPECT_EQ(client_->Get("/healthz")->status, 200);
}

TEST_F(GatewayTest, WrongMethodIs405AndJsonRoutesWantJson) {
  auto r = client_->Get("/v1/sessions");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->get_header_value("Allow"), "POST");
  EXPECT_EQ(Error(r)["status"], "UNIMPLEMENTED");
  r = client_->Put("/v1/diagnoses", "", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->get_header_value("Allow"), "GET, HEAD, POST");

  // A cross-site form or text/plain post of credentials is refused.
  LogIn("carol");
  const std::string credentials = R"({"username":"carol","password":"password-1"})";
  r = client_->Post("/v1/sessions", credentials, "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 415);
  EXPECT_THAT(Error(r)["message"].get<std::string>(), HasSubstr("application/json"));
  r = client_->Post("/v1/sessions", credentials, "application/json");
  EXPECT_EQ(r->status, 200);
}

// --- the connection guard in front of the HTTP workers (connection_guard.h) ---

// Forty clients that send a log-in body a byte at a time hold no worker (the
// gateway has four here): health and a normal log-in are answered while they
// trickle, each within the client's 2 s timeout.
TEST_F(GatewayTest, SlowClientsCannotStallHealthOrALogIn) {
  LogIn("erin");
  HttpOptions http;
  http.port = 0;
  http.openapi_json = std::string(OpenApiJson());
  http.worker_threads = 4;
  http.max_connections_per_address = 0;  // All the test's sockets share 127.0.0.1.
  auto guarded = HttpGateway::Start(core_.get(), http);
  ASSERT_TRUE(guarded.ok()) << guarded.status();
  const int port = (*guarded)->port();
  std::vector<int> slow;
  for (int i = 0; i < 40; ++i) {
    const int fd = ConnectTo(port);
    ASSERT_GE(fd, 0);
    const std::string head =
        "POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: 1000\r\n\r\n";
    ASSERT_EQ(::send(fd, head.data(), head.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(head.size()));
    slow.push_back(fd);
  }
  std::atomic<bool> done{false};
  std::thread trickle([&] {
    while (!done.load()) {
      for (int fd : slow) (void)::send(fd, "{", 1, MSG_NOSIGNAL);
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  });
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(std::chrono::seconds(2));
  client.set_read_timeout(std::chrono::seconds(2));
  for (int round = 0; round < 3; ++round) {
    auto health = client.Get("/healthz");
    ASSERT_TRUE(health) << httplib::to_string(health.error());
    EXPECT_EQ(health->status, 200);
    auto login = client.Post("/v1/sessions", R"({"username":"erin","password":"password-1"})",
                             "application/json");
    ASSERT_TRUE(login) << httplib::to_string(login.error());
    EXPECT_EQ(login->status, 200);
  }
  done.store(true);
  trickle.join();
  for (int fd : slow) ::close(fd);
  (*guarded)->Stop();
}

// A request that has not arrived whole within the deadline is answered 408
// and its connection closed, however steadily its bytes trickle in.
TEST_F(GatewayTest, ARequestNotWholeInTimeIs408AndDropped) {
  HttpOptions http;
  http.port = 0;
  http.openapi_json = std::string(OpenApiJson());
  http.request_deadline = absl::Milliseconds(800);
  auto guarded = HttpGateway::Start(core_.get(), http);
  ASSERT_TRUE(guarded.ok()) << guarded.status();
  const int fd = ConnectTo((*guarded)->port());
  ASSERT_GE(fd, 0);
  const std::string head = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ";
  std::atomic<bool> done{false};
  std::thread trickle([&] {
    for (char c : head) {
      if (done.load()) return;
      (void)::send(fd, &c, 1, MSG_NOSIGNAL);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  const std::string answer = ReadUntilClosed(fd, std::chrono::seconds(6));
  done.store(true);
  trickle.join();
  ::close(fd);
  EXPECT_THAT(answer, HasSubstr("HTTP/1.1 408"));
  EXPECT_THAT(answer, HasSubstr("DEADLINE_EXCEEDED"));
  (*guarded)->Stop();
}

// One address holds at most the cap of connections; the next is answered 429
// at once, and a slot freed is usable again.
TEST_F(GatewayTest, ConnectionsPerAddressAreCapped) {
  HttpOptions http;
  http.port = 0;
  http.openapi_json = std::string(OpenApiJson());
  http.max_connections_per_address = 3;
  auto guarded = HttpGateway::Start(core_.get(), http);
  ASSERT_TRUE(guarded.ok()) << guarded.status();
  const int port = (*guarded)->port();
  std::vector<int> idle;
  for (int i = 0; i < 3; ++i) idle.push_back(ConnectTo(port));
  const int fourth = ConnectTo(port);
  ASSERT_GE(fourth, 0);
  const std::string refused = ReadUntilClosed(fourth, std::chrono::seconds(5));
  EXPECT_THAT(refused, HasSubstr("HTTP/1.1 429"));
  EXPECT_THAT(refused, HasSubstr("RESOURCE_EXHAUSTED"));
  ::close(fourth);
  ::close(idle.back());
  idle.pop_back();
  // The closes reach the guard asynchronously; a fresh client retries once.
  httplib::Client client("127.0.0.1", port);
  auto health = client.Get("/healthz");
  if (!health || health->status == 429) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    health = client.Get("/healthz");
  }
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  for (int fd : idle) ::close(fd);
  (*guarded)->Stop();
}

// The address the server sees is the connection's: a client's own
// X-SkinLens-Peer header is replaced.
TEST_F(GatewayTest, ThePeerAddressCannotBeClaimedByAHeader) {
  LogIn("faye");
  const httplib::Headers forged = {{"X-SkinLens-Peer", "203.0.113.9"}};
  ASSERT_EQ(client_
                ->Post("/v1/sessions", forged, R"({"username":"faye","password":"password-1"})",
                       "application/json")
                ->status,
            200);
  EXPECT_EQ(fakes_.auth.last_login_address(), "127.0.0.1");
}

// A client that asks for 100-continue (curl does for bodies over 1 KiB) gets
// it from the guard, sends the body, and gets the real answer.
TEST_F(GatewayTest, ExpectContinueIsAnsweredBeforeTheBody) {
  LogIn("gus");
  const int fd = ConnectTo(http_->port());
  ASSERT_GE(fd, 0);
  const std::string body = R"({"username":"gus","password":"password-1"})";
  const std::string head = absl::StrCat(
      "POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Expect: 100-continue\r\nContent-Length: ",
      body.size(), "\r\n\r\n");
  ASSERT_EQ(::send(fd, head.data(), head.size(), MSG_NOSIGNAL), static_cast<ssize_t>(head.size()));
  char buffer[256];
  pollfd p{fd, POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 3000), 1);
  const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
  ASSERT_GT(n, 0);
  EXPECT_THAT(std::string(buffer, static_cast<size_t>(n)), HasSubstr("HTTP/1.1 100 Continue"));
  ASSERT_EQ(::send(fd, body.data(), body.size(), MSG_NOSIGNAL), static_cast<ssize_t>(body.size()));
  const std::string answer = ReadUntilClosed(fd, std::chrono::seconds(5));
  ::close(fd);
  EXPECT_THAT(answer, HasSubstr("HTTP/1.1 200"));
  EXPECT_THAT(answer, HasSubstr("\"token\""));
}

// Many requests completing at once wait for the server's small accept backlog
// instead of being refused: every one of a burst of 48 is answered 200.
TEST_F(GatewayTest, ABurstOfWholeRequestsIsQueuedNotRefused) {
  HttpOptions http;
  http.port = 0;
  http.openapi_json = std::string(OpenApiJson());
  http.worker_threads = 2;
  http.max_connections_per_address = 0;
  auto guarded = HttpGateway::Start(core_.get(), http);
  ASSERT_TRUE(guarded.ok()) << guarded.status();
  const int port = (*guarded)->port();
  // Whole requests written on 48 connections before any answer is read, so
  // the guard forwards them all in one go.
  std::vector<int> sockets;
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  for (int i = 0; i < 48; ++i) {
    const int fd = ConnectTo(port);
    ASSERT_GE(fd, 0);
    sockets.push_back(fd);
  }
  for (int fd : sockets) {
    ASSERT_EQ(::send(fd, request.data(), request.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(request.size()));
  }
  int ok = 0;
  for (int fd : sockets) {
    const std::string answer = ReadUntilClosed(fd, std::chrono::seconds(10));
    ok += answer.rfind("HTTP/1.1 200", 0) == 0;
    ::close(fd);
  }
  EXPECT_EQ(ok, 48);
  (*guarded)->Stop();
}

// Stopping lets a request already with the server be answered: the client
// gets its whole result, not a closed connection.
TEST_F(GatewayTest, StopAnswersTheRequestsInProgress) {
  const httplib::Headers auth = LogIn("hana");
  HttpOptions http;
  http.port = 0;
  http.openapi_json = std::string(OpenApiJson());
  http.max_photo_bytes = kMaxPhotoBytes;
  auto stopping = HttpGateway::Start(core_.get(), http);
  ASSERT_TRUE(stopping.ok()) << stopping.status();
  fakes_.preprocess.delay_ms = 1000;
  const size_t before = fakes_.preprocess.log.request_ids().size();
  int status = 0;
  std::string error;
  std::thread call([&] {
    httplib::Client client("127.0.0.1", (*stopping)->port());
    client.set_read_timeout(std::chrono::seconds(20));
    auto r = client.Post("/v1/diagnoses", auth, "photo", "image/jpeg");
    if (r) {
      status = r->status;
    } else {
      error = httplib::to_string(r.error());
    }
  });
  // Stop once the photo is with preprocess (it answers a second later).
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (fakes_.preprocess.log.request_ids().size() == before && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  (*stopping)->Stop();
  call.join();
  fakes_.preprocess.delay_ms = 0;
  EXPECT_EQ(status, 200) << error;
}

}  // namespace
}  // namespace skinlens::gateway
