// End to end: skinlens-auth, -preprocess, -inference, -explain, -history and
// -gateway as separate processes on loopback (SQLite files, or with
// SKINLENS_GATEWAY_E2E_POSTGRES the test PostgreSQL cluster), serving a tiny
// model bundle the test writes; then the whole user flow over HTTP, and over
// gRPC through the skinctl binary.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "server_process.h"
#include "services/inference/test_bundle.h"

#ifdef SKINLENS_GATEWAY_E2E_POSTGRES
#include <pqxx/pqxx>
#endif

namespace skinlens {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using Json = nlohmann::json;
using skinlens::testing::ServerProcess;

constexpr char kPassword[] = "correct horse battery";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Where the two stateful services keep their data.
std::string DatabaseUrl(const fs::path& dir, const std::string& name) {
#ifdef SKINLENS_GATEWAY_E2E_POSTGRES
  // Both services share the test cluster's database (separate tables).
  if (const char* url = std::getenv("SKINLENS_PG_URL"); url != nullptr && *url != '\0') return url;
  if (const char* file = std::getenv("SKINLENS_PG_URL_FILE"); file != nullptr) {
    std::string url = ReadFile(file);
    return std::string(absl::StripAsciiWhitespace(url.substr(0, url.find('\n'))));
  }
  ADD_FAILURE() << "no PostgreSQL: run under ctest (fixture pg) or set SKINLENS_PG_URL";
  return "";
#else
  return "sqlite:" + (dir / (name + ".db")).string();
#endif
}

// Every service of the system as a child process.
class GatewayEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           absl::StrCat("skinlens-e2e-", getpid(), "-",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "web");
    std::ofstream(dir_ / "web" / "index.html") << "<!doctype html><title>SkinLens</title>";
    ASSERT_TRUE(
        inference::testing::WriteTinyBundle((dir_ / "bundle").string(), "e2e-tiny.1", /*seed=*/7)
            .ok());
    const std::string bundle = "--model=" + (dir_ / "bundle").string();
    // OWASP's minimum argon2id cost is the service's floor; it is fast enough.
    // The secret the gateway signs each history call's user with.
    const std::string key_flag = "--user_assertion_key_file=" + (dir_ / "assertion.key").string();
    std::ofstream(dir_ / "assertion.key") << "e2e-user-assertion-secret-0123456789abcdef\n";
    // And the one it signs each auth call with (another secret: history
    // cannot make calls auth would believe).
    const std::string auth_key = (dir_ / "auth-caller.key").string();
    std::ofstream(auth_key) << "e2e-auth-caller-secret-0123456789abcdef\n";
    auth_ = Start(SKINLENS_AUTH_SERVER,
                  {"--database_url=" + DatabaseUrl(dir_, "auth"), "--caller_key_file=" + auth_key});
    // History keeps heatmap thumbnails here, so the flow checks them too.
    history_ = Start(SKINLENS_HISTORY_SERVER, {"--database_url=" + DatabaseUrl(dir_, "history"),
                                               key_flag, "--heatmap_thumbnail_px=24"});
    preprocess_ = Start(SKINLENS_PREPROCESS_SERVER, {});
    inference_ = Start(SKINLENS_INFERENCE_SERVER, {bundle, "--intra_op_threads=1"});
    explain_ = Start(SKINLENS_EXPLAIN_SERVER, {bundle});
    for (ServerProcess* p :
         {auth_.get(), history_.get(), preprocess_.get(), inference_.get(), explain_.get()}) {
      ASSERT_TRUE(p->AwaitPorts(std::chrono::seconds(40))) << p->Log();
    }
    gateway_ =
        Start(SKINLENS_GATEWAY_SERVER,
              {"--auth_target=" + auth_->address(), "--preprocess_target=" + preprocess_->address(),
               "--inference_target=" + inference_->address(),
               "--explain_target=" + explain_->address(), "--history_target=" + history_->address(),
               "--http_port=0", "--http_port_file=" + (dir_ / "http_port").string(),
               "--web_root=" + (dir_ / "web").string(), key_flag, "--auth_key_file=" + auth_key});
    ASSERT_TRUE(gateway_->AwaitPorts(std::chrono::seconds(20))) << gateway_->Log();
    const std::string port_line = ReadFile(dir_ / "http_port");
    http_port_ = std::atoi(port_line.substr(port_line.find('=') + 1).c_str());
    ASSERT_GT(http_port_, 0) << port_line;
    http_ = std::make_unique<httplib::Client>("127.0.0.1", http_port_);
    http_->set_read_timeout(std::chrono::seconds(30));
    photo_ = ReadFile(SKINLENS_TEST_PHOTO);
    ASSERT_FALSE(photo_.empty());
    // Unique per process and test (usernames have at most 32 characters).
    username_ = absl::StrCat(
        "e2e-", getpid(), "-",
        std::hash<std::string>()(::testing::UnitTest::GetInstance()->current_test_info()->name()) %
            100000);
  }

  void TearDown() override {
    for (auto* p : {&gateway_, &explain_, &inference_, &preprocess_, &history_, &auth_}) p->reset();
    if (std::getenv("SKINLENS_E2E_KEEP") != nullptr) return;  // for debugging: keep the files
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  std::unique_ptr<ServerProcess> Start(const std::string& binary, std::vector<std::string> args) {
    return std::make_unique<ServerProcess>(binary, std::move(args));
  }

  // Runs skinctl against the gateway; returns its exit code, output in `out`.
  int Skinctl(const std::string& args, std::string* out) {
    const std::string command = absl::StrCat(
        "SKINLENS_PASSWORD='", kPassword, "' ", SKINLENS_SKINCTL, " --target=", gateway_->address(),
        " --token_file=", (dir_ / "cfg" / "token").string(), " ", args, " 2>&1");
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) return -1;
    out->clear();
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) out->append(buffer, n);
    const int status = pclose(pipe);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

#ifdef SKINLENS_GATEWAY_E2E_POSTGRES
  void ExpectDiagnosisRows(const std::string& id, int attribute_rows);
#endif

  fs::path dir_;
  std::unique_ptr<ServerProcess> auth_, history_, preprocess_, inference_, explain_, gateway_;
  int http_port_ = 0;
  std::unique_ptr<httplib::Client> http_;
  std::string photo_;
  std::string username_;
};

#ifdef SKINLENS_GATEWAY_E2E_POSTGRES
// Reads PostgreSQL directly: the diagnosis `id` belongs to the test's account
// and has `attribute_rows` attribute rows (0 after deletion: no row left).
void GatewayEndToEnd::ExpectDiagnosisRows(const std::string& id, int attribute_rows) {
  try {
    pqxx::connection db(DatabaseUrl(dir_, "history"));
    pqxx::work tx(db);
    const std::string user =
        tx.exec_params1("SELECT id FROM users WHERE username = $1", username_)[0].as<std::string>();
    const pqxx::result owner = tx.exec_params("SELECT user_id FROM diagnoses WHERE id = $1", id);
    if (attribute_rows == 0) {
      EXPECT_EQ(owner.size(), 0u) << "diagnosis " << id << " still stored";
    } else {
      ASSERT_EQ(owner.size(), 1u) << "diagnosis " << id << " not stored";
      EXPECT_EQ(owner[0][0].as<std::string>(), user);
    }
    EXPECT_EQ(
        tx.exec_params1("SELECT count(*) FROM diagnosis_attributes WHERE diagnosis_id = $1", id)[0]
            .as<int>(),
        attribute_rows);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "reading PostgreSQL: " << e.what();
  }
}
#endif

TEST_F(GatewayEndToEnd, WholeFlowOverHttp) {
  auto r = http_->Get("/v1/model");
  ASSERT_EQ(r->status, 200) << r->body << gateway_->Log();
  EXPECT_EQ(Json::parse(r->body)["modelInfo"]["inputWidth"], 64);
  EXPECT_EQ(http_->Get("/")->status, 200);

  const Json credentials = {{"username", username_}, {"password", kPassword}};
  r = http_->Post("/v1/accounts", credentials.dump(), "application/json");
  ASSERT_EQ(r->status, 201) << r->body;
  r = http_->Post("/v1/sessions", credentials.dump(), "application/json");
  ASSERT_EQ(r->status, 200) << r->body;
  const httplib::Headers auth = {
      {"Authorization", "Bearer " + Json::parse(r->body)["token"].get<std::string>()}};

  httplib::Headers with_id = auth;
  const std::string request_id = absl::StrCat("e2e-http-", getpid());
  with_id.emplace("X-Request-Id", request_id);
  r = http_->Post("/v1/diagnoses?includeHeatmaps=true&includeOverlays=true", with_id, photo_,
                  "image/jpeg");
  ASSERT_EQ(r->status, 200) << r->body << "\n--- preprocess:\n"
                            << preprocess_->Log() << "\n--- gateway:\n"
                            << gateway_->Log();
  EXPECT_EQ(r->get_header_value("X-Request-Id"), request_id);
  const Json diagnosed = Json::parse(r->body);
  const Json& d = diagnosed["diagnosis"];
  EXPECT_TRUE(diagnosed["saved"].get<bool>());
  EXPECT_EQ(d["results"].size(), 5u);
  EXPECT_EQ(d["explanationStatus"], "EXPLANATION_STATUS_COMPLETE")
      << d.value("explanationError", "");
  EXPECT_EQ(d["heatmaps"].size(), 5 * d["regions"].size());
  EXPECT_EQ(d["photoHeatmaps"].size(), 5u);
  EXPECT_TRUE(d["heatmaps"][0].contains("overlay"));
  EXPECT_EQ(d["requestId"], request_id);
  EXPECT_EQ(d["modelVersion"], "e2e-tiny.1");
  const std::string id = d["id"];
  EXPECT_THAT(gateway_->Log(), HasSubstr(request_id));
  // Every service that took part logged the photo's request id.
  for (ServerProcess* p : {preprocess_.get(), inference_.get(), explain_.get(), history_.get()}) {
    EXPECT_THAT(p->Log(), HasSubstr(request_id));
  }
#ifdef SKINLENS_GATEWAY_E2E_POSTGRES
  // The rows themselves: the account, the diagnosis owned by it, one row per attribute.
  ExpectDiagnosisRows(id, /*attribute_rows=*/5);
#endif

  r = http_->Get("/v1/diagnoses", auth);
  ASSERT_EQ(r->status, 200) << r->body;
  ASSERT_EQ(Json::parse(r->body)["diagnoses"].size(), 1u);
  EXPECT_EQ(Json::parse(r->body)["diagnoses"][0]["id"], id);
  r = http_->Get(("/v1/diagnoses/" + id).c_str(), auth);
  ASSERT_EQ(r->status, 200) << r->body;
  const Json stored = Json::parse(r->body)["diagnosis"];
  EXPECT_EQ(stored["results"].size(), 5u);
  // History kept the heatmaps as thumbnails of at most 24 px, without overlays.
  EXPECT_EQ(stored["explanationStatus"], "EXPLANATION_STATUS_THUMBNAILS");
  ASSERT_EQ(stored["heatmaps"].size(), d["heatmaps"].size());
  for (const Json& h : stored["heatmaps"]) {
    EXPECT_LE(std::max(h["width"].get<int>(), h["height"].get<int>()), 24);
    EXPECT_FALSE(h.contains("overlay"));
  }
  ASSERT_EQ(stored["photoHeatmaps"].size(), 5u);
  r = http_->Get("/v1/trends/wrinkle", auth);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Json::parse(r->body)["series"][0]["points"].size(), 1u);
  r = http_->Delete(("/v1/diagnoses/" + id).c_str(), auth);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(http_->Get(("/v1/diagnoses/" + id).c_str(), auth)->status, 404);
#ifdef SKINLENS_GATEWAY_E2E_POSTGRES
  ExpectDiagnosisRows(id, /*attribute_rows=*/0);
#endif
  r = http_->Delete("/v1/sessions/current", auth);
  ASSERT_EQ(r->status, 200) << r->body;
  r = http_->Get("/v1/diagnoses", auth);
  EXPECT_EQ(r->status, 401) << r->body;
}

TEST_F(GatewayEndToEnd, WholeFlowOverGrpcWithSkinctl) {
  std::string out;
  ASSERT_EQ(Skinctl("model", &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("e2e-tiny.1"));
  ASSERT_EQ(Skinctl("register " + username_, &out), 0) << out;
  ASSERT_EQ(Skinctl("login " + username_, &out), 0) << out;
  struct stat st;
  ASSERT_EQ(stat((dir_ / "cfg" / "token").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  const fs::path heatmaps = dir_ / "heatmaps";
  ASSERT_EQ(
      Skinctl(absl::StrCat("diagnose ", SKINLENS_TEST_PHOTO, " --heatmaps=", heatmaps.string()),
              &out),
      0)
      << out << gateway_->Log();
  EXPECT_THAT(out, HasSubstr("wrinkle"));
  EXPECT_THAT(out, HasSubstr("heatmaps: complete"));
  EXPECT_TRUE(fs::exists(heatmaps / "photo-wrinkle.png")) << out;
  int files = 0;
  for ([[maybe_unused]] const auto& f : fs::directory_iterator(heatmaps)) ++files;
  EXPECT_GE(files, 10);

  // Live capture guidance through the real gateway and preprocess: the
  // portrait as four preview frames, held still, is ready and then captured.
  ASSERT_EQ(Skinctl(absl::StrCat("--fps=5 guide ", SKINLENS_TEST_PHOTO, " ", SKINLENS_TEST_PHOTO,
                                 " ", SKINLENS_TEST_PHOTO, " ", SKINLENS_TEST_PHOTO),
                    &out),
            0)
      << out;
  EXPECT_THAT(out, HasSubstr("frame 0"));
  EXPECT_THAT(out, HasSubstr("CAPTURE NOW")) << out;
  EXPECT_EQ(out.find("not ready"), std::string::npos) << out;

  ASSERT_EQ(Skinctl("history --json", &out), 0) << out;
  const Json page = Json::parse(out);
  ASSERT_EQ(page["diagnoses"].size(), 1u) << out;
  const std::string id = page["diagnoses"][0]["id"];
  ASSERT_EQ(Skinctl("history", &out), 0) << out;
  EXPECT_THAT(out, HasSubstr(id));
  ASSERT_EQ(Skinctl("show " + id, &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("pigmentation"));
  ASSERT_EQ(Skinctl("trend wrinkle", &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("MEAN SCORE"));
  // Day buckets in Seoul, printed in Seoul time.
  ASSERT_EQ(Skinctl("--bucket=day --time_zone=Asia/Seoul trend wrinkle", &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("00:00:00 +09:00"));
  ASSERT_EQ(Skinctl("export", &out), 0) << out;
  EXPECT_THAT(out, HasSubstr(id));
  ASSERT_EQ(Skinctl("delete " + id, &out), 0) << out;
  EXPECT_EQ(Skinctl("show " + id, &out), 1) << out;
  EXPECT_THAT(out, HasSubstr("NOT_FOUND"));
  ASSERT_EQ(Skinctl("logout", &out), 0) << out;
  EXPECT_EQ(Skinctl("history", &out), 1) << out;
  EXPECT_THAT(out, HasSubstr("not logged in"));
  EXPECT_EQ(Skinctl("frobnicate", &out), 2) << out;
  EXPECT_THAT(out, HasSubstr("Usage"));
}

}  // namespace
}  // namespace skinlens
