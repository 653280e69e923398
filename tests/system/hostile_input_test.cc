// Hostile input against the whole system (six real service processes, through
// the gateway's HTTP and gRPC fronts): broken and oversized photos, guessed
// passwords, expired and forged tokens, another user's diagnosis ids, path
// traversal, malformed JSON and protobuf. Each gets its specific error, and
// nothing changes: no diagnosis stored, no account touched, no file served.
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "service_cluster.h"
#include "skinlens/v1/diagnosis.grpc.pb.h"

namespace skinlens {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

constexpr char kPassword[] = "correct horse battery";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

testing::ServiceBinaries Binaries() {
  return {SKINLENS_AUTH_SERVER,    SKINLENS_PREPROCESS_SERVER, SKINLENS_INFERENCE_SERVER,
          SKINLENS_EXPLAIN_SERVER, SKINLENS_HISTORY_SERVER,    SKINLENS_GATEWAY_SERVER};
}

// One system per test suite: starting six processes takes seconds.
class SystemUnderAttack {
 public:
  explicit SystemUnderAttack(const std::string& name, std::vector<std::string> auth_flags = {}) {
    dir_ = fs::temp_directory_path() / absl::StrCat("skinlens-hostile-", name, "-", getpid());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    cluster_ =
        std::make_unique<testing::ServiceCluster>(dir_, Binaries(), "", std::move(auth_flags));
  }
  ~SystemUnderAttack() {
    cluster_.reset();
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  testing::ServiceCluster& cluster() { return *cluster_; }
  const fs::path& dir() const { return dir_; }

 private:
  fs::path dir_;
  std::unique_ptr<testing::ServiceCluster> cluster_;
};

class HostileInputTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    system_ = new SystemUnderAttack("input");
    system_->cluster().Start();
  }
  static void TearDownTestSuite() {
    delete system_;
    system_ = nullptr;
  }
  void SetUp() override {
    ASSERT_GT(system_->cluster().http_port(), 0) << "the system did not start";
    http_ = std::make_unique<httplib::Client>("127.0.0.1", system_->cluster().http_port());
    http_->set_read_timeout(std::chrono::seconds(30));
  }

  // Registers `user` (once) and logs in: the Authorization header.
  httplib::Headers LogIn(const std::string& user) {
    const std::string body = Json({{"username", user}, {"password", kPassword}}).dump();
    auto r = http_->Post("/v1/accounts", body, "application/json");
    EXPECT_TRUE(r && (r->status == 201 || r->status == 409)) << (r ? r->body : "no answer");
    r = http_->Post("/v1/sessions", body, "application/json");
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
    return {{"Authorization", "Bearer " + Json::parse(r->body)["token"].get<std::string>()}};
  }

  size_t Diagnoses(const httplib::Headers& auth) {
    auto r = http_->Get("/v1/diagnoses", auth);
    EXPECT_EQ(r->status, 200) << r->body;
    return Json::parse(r->body).value("diagnoses", Json::array()).size();
  }

  static SystemUnderAttack* system_;
  std::unique_ptr<httplib::Client> http_;
};

SystemUnderAttack* HostileInputTest::system_ = nullptr;

TEST_F(HostileInputTest, BrokenAndOversizedPhotosGetTheirReasonAndStoreNothing) {
  const httplib::Headers auth = LogIn("photos-user");
  const fs::path corpus = SKINLENS_BROKEN_IMAGE_CORPUS;
  struct Case {
    std::string name;
    std::string body;
    int status;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"truncated JPEG", ReadFile(corpus / "truncated.jpg"), 400, "QUALITY_REASON_UNDECODABLE"},
      {"text named .jpg", ReadFile(corpus / "text.jpg"), 415, "UNSUPPORTED_FORMAT"},
      {"decompression bomb", ReadFile(corpus / "bomb_header.png"), 413, "TOO_MANY_PIXELS"},
      {"empty body", "", 400, "photo"},
      {"random bytes", std::string(4096, '\x5a'), 415, "UNSUPPORTED_FORMAT"},
      {"JPEG magic then garbage", std::string("\xff\xd8\xff\xe0", 4) + std::string(2048, '\x01'),
       400, "QUALITY_REASON_UNDECODABLE"},
      {"16 MB upload", std::string(16 << 20, 'x'), 413, "too large"},
  };
  for (const Case& c : cases) {
    auto r = http_->Post("/v1/diagnoses", auth, c.body, "image/jpeg");
    ASSERT_TRUE(r) << c.name << ": no answer (the gateway died?)";
    EXPECT_EQ(r->status, c.status) << c.name << ": " << r->body.substr(0, 500);
    EXPECT_THAT(r->body, HasSubstr(c.reason)) << c.name;
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json") << c.name;
  }
  EXPECT_EQ(Diagnoses(auth), 0u) << "a refused photo left a diagnosis";
  // The system still works.
  auto r = http_->Post("/v1/diagnoses", auth, ReadFile(SKINLENS_TEST_PHOTO), "image/jpeg");
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Diagnoses(auth), 1u);
}

TEST_F(HostileInputTest, AnotherUsersDiagnosisCannotBeReadOrDeleted) {
  const httplib::Headers alice = LogIn("alice-owner");
  auto r = http_->Post("/v1/diagnoses", alice, ReadFile(SKINLENS_TEST_PHOTO), "image/jpeg");
  ASSERT_EQ(r->status, 200) << r->body;
  const std::string id = Json::parse(r->body)["diagnosis"]["id"];
  const httplib::Headers mallory = LogIn("mallory-other");
  // Exactly like a diagnosis that does not exist: no hint that it does.
  EXPECT_EQ(http_->Get(("/v1/diagnoses/" + id).c_str(), mallory)->status, 404);
  EXPECT_EQ(http_->Delete(("/v1/diagnoses/" + id).c_str(), mallory)->status, 404);
  EXPECT_EQ(Diagnoses(mallory), 0u);
  r = http_->Get("/v1/trends/oil", mallory);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(Json::parse(r->body)["series"][0].value("points", Json::array()).empty());
  // Alice's record is untouched.
  EXPECT_EQ(http_->Get(("/v1/diagnoses/" + id).c_str(), alice)->status, 200);
}

TEST_F(HostileInputTest, PathTraversalNeverLeavesTheWebRoot) {
  ASSERT_TRUE(fs::exists(system_->dir() / "secret.txt"));
  for (const char* path :
       {"/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt", "/..%2fsecret.txt",
        "/web/../../secret.txt", "/%252e%252e/secret.txt", "/....//secret.txt", "/..\\secret.txt",
        "/%00/../secret.txt", "//etc/passwd", "/../../../../etc/passwd"}) {
    auto r = http_->Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_TRUE(r->status == 404 || r->status == 400) << path << ": " << r->status;
    EXPECT_THAT(r->body, Not(HasSubstr("outside the web root"))) << path;
    EXPECT_THAT(r->body, Not(HasSubstr("root:x:0"))) << path;
  }
}

TEST_F(HostileInputTest, MalformedJsonAndProtobufGetSpecificErrorsAndChangeNothing) {
  struct Case {
    std::string body;
    int status;
  };
  for (const Case& c :
       std::vector<Case>{{"{", 400},
                         {"[]", 400},
                         {"{\"username\": 5}", 400},
                         {"{\"username\":\"x\",\"password\":\"y\",\"admin\":true}", 400},
                         {std::string("\xff\xfe\x00\x01", 4), 400},
                         // Sent in full, answered after it: not a reset.
                         {std::string(1 << 20, '{'), 413}}) {
    auto r = http_->Post("/v1/accounts", c.body, "application/json");
    ASSERT_TRUE(r) << "no answer: " << httplib::to_string(r.error());
    EXPECT_EQ(r->status, c.status) << c.body.substr(0, 40) << ": " << r->body.substr(0, 300);
    EXPECT_THAT(r->body, HasSubstr("INVALID_ARGUMENT"));
  }
  // No account was created by any of them.
  auto r = http_->Post("/v1/sessions", R"({"username":"x","password":"y"})", "application/json");
  EXPECT_EQ(r->status, 401);

  // Bytes that are not a RegisterRequest, straight onto the gRPC method.
  auto channel = grpc::CreateChannel(system_->cluster().address("gateway"),
                                     grpc::InsecureChannelCredentials());
  grpc::GenericStub generic(channel);
  const std::string garbage = "\x0a\xff\xff\xff\xff\x0f garbage";
  grpc::Slice slice(garbage);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  std::mutex mu;
  std::condition_variable cv;
  bool finished = false;
  grpc::Status status;
  generic.UnaryCall(&context, "/skinlens.v1.DiagnosisService/Register", grpc::StubOptions(),
                    &request, &response, [&](grpc::Status s) {
                      std::lock_guard<std::mutex> lock(mu);
                      status = std::move(s);
                      finished = true;
                      cv.notify_one();
                    });
  std::unique_lock<std::mutex> lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(15), [&] { return finished; }));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INTERNAL) << status.error_message();
  // The gateway is still there.
  auto stub = v1::DiagnosisService::NewStub(channel);
  grpc::ClientContext info_context;
  v1::GetModelInfoResponse info;
  EXPECT_TRUE(stub->GetModelInfo(&info_context, {}, &info).ok());
}

// A separate system whose sessions end after 4 s, so a token can be seen to
// expire (the other tests keep the default lifetime: a slow machine must not
// expire their sessions mid-test).
class HostileTokenTest : public HostileInputTest {
 protected:
  static void SetUpTestSuite() {
    system_ = new SystemUnderAttack("token", {"--session_lifetime=4s"});
    system_->cluster().Start();
  }
};

TEST_F(HostileTokenTest, ExpiredAndForgedTokensAreRefused) {
  const httplib::Headers auth = LogIn("token-user");
  EXPECT_EQ(http_->Get("/v1/diagnoses", auth)->status, 200);
  const std::string token = auth.begin()->second.substr(7);
  std::string flipped = token;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  for (const std::string& forged :
       {std::string("Bearer ") + flipped, std::string("Bearer ") + std::string(43, 'A'),
        std::string("Bearer "), std::string("Bearer ../../etc/passwd"),
        std::string("Basic ") + token, std::string("Bearer ") + token + "' OR '1'='1"}) {
    auto r = http_->Get("/v1/diagnoses", {{"Authorization", forged}});
    EXPECT_EQ(r->status, 401) << forged << ": " << r->body;
  }
  absl::SleepFor(absl::Seconds(4.5));  // Past --session_lifetime.
  auto r = http_->Get("/v1/diagnoses", auth);
  EXPECT_EQ(r->status, 401) << r->body;
  EXPECT_THAT(r->body, HasSubstr("TOKEN_EXPIRED"));
}

// A separate system: a thousand wrong passwords also throttle the whole client
// address, which would disturb the other tests.
TEST(HostileLoginTest, AThousandWrongPasswordsAreThrottledCheaply) {
  SystemUnderAttack system("login");
  ASSERT_NO_FATAL_FAILURE(system.cluster().Start());
  httplib::Client http("127.0.0.1", system.cluster().http_port());
  http.set_read_timeout(std::chrono::seconds(30));
  const std::string good = Json({{"username", "victim"}, {"password", kPassword}}).dump();
  ASSERT_EQ(http.Post("/v1/accounts", good, "application/json")->status, 201);

  int unauthorized = 0;
  int throttled = 0;
  int other = 0;
  const absl::Time start = absl::Now();
  for (int i = 0; i < 1000; ++i) {
    auto r =
        http.Post("/v1/sessions",
                  Json({{"username", "victim"}, {"password", absl::StrCat("guess-", i)}}).dump(),
                  "application/json");
    ASSERT_TRUE(r) << "attempt " << i << ": no answer";
    if (r->status == 401) {
      ++unauthorized;
    } else if (r->status == 429) {
      ++throttled;
      EXPECT_FALSE(r->get_header_value("Retry-After").empty());
    } else {
      ++other;
    }
  }
  const absl::Duration took = absl::Now() - start;
  // Only the first few guesses were even checked; the rest were refused at
  // once, without spending a password hash on them.
  EXPECT_LE(unauthorized, 10);
  EXPECT_GE(throttled, 990);
  EXPECT_EQ(other, 0);
  EXPECT_LT(took, absl::Seconds(60)) << "throttled attempts should be cheap";
  // While throttled, even the right password is refused: the attacker learns
  // nothing from the answer.
  auto r = http.Post("/v1/sessions", good, "application/json");
  EXPECT_EQ(r->status, 429) << r->body;
}

}  // namespace
}  // namespace skinlens
