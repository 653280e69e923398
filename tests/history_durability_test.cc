// Durability of the history service (a real skinlens-history process on a
// SQLite file): every RecordDiagnosis acknowledged to a caller survives a
// SIGKILL in the middle of a burst of writes, and after a restart retries with
// the same idempotency keys find each record exactly once.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/grpc/call_assertion.h"
#include "common/grpc/channel_factory.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "server_process.h"
#include "skinlens/v1/history.grpc.pb.h"

namespace skinlens {
namespace {

namespace fs = std::filesystem;
using v1::HistoryService;

constexpr char kUser[] = "durable-user";
constexpr char kSecret[] = "durability-test-user-assertion-secret-0123";

// A channel to history that signs each call as the gateway's does.
std::shared_ptr<grpc::Channel> SigningChannel(const std::string& address) {
  return CreateChannel(address, {}, CallSigner(*CallAssertionKey::FromSecret(kSecret)));
}

// Claims kUser on `context`, as the gateway does.
void AsUser(grpc::ClientContext* context) { ClaimUser(kUser, context); }

v1::HistoryServiceRecordDiagnosisRequest RecordRequest(const std::string& key) {
  v1::HistoryServiceRecordDiagnosisRequest request;
  request.set_idempotency_key(key);
  v1::Diagnosis* diagnosis = request.mutable_diagnosis();
  diagnosis->set_model_version("durability-test");
  v1::AttributeResult* result = diagnosis->add_results();
  result->set_attribute(v1::ATTRIBUTE_OIL);
  result->mutable_distribution()->set_grade(2);
  result->mutable_distribution()->set_expected_score(2.0f);
  return request;
}

grpc::Status Record(HistoryService::Stub& stub, const std::string& key, bool* created) {
  grpc::ClientContext context;
  AsUser(&context);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  v1::HistoryServiceRecordDiagnosisResponse response;
  grpc::Status status = stub.RecordDiagnosis(&context, RecordRequest(key), &response);
  if (created != nullptr) *created = response.created();
  return status;
}

// Every stored diagnosis id of kUser, through all pages.
std::vector<std::string> ListAllIds(HistoryService::Stub& stub) {
  std::vector<std::string> ids;
  std::string token;
  do {
    grpc::ClientContext context;
    AsUser(&context);
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    v1::HistoryServiceListDiagnosesRequest request;
    request.set_page_size(100);
    request.set_page_token(token);
    v1::HistoryServiceListDiagnosesResponse response;
    grpc::Status status = stub.ListDiagnoses(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    if (!status.ok()) break;
    for (const v1::Diagnosis& d : response.diagnoses()) ids.push_back(d.id());
    token = response.next_page_token();
  } while (!token.empty());
  return ids;
}

TEST(HistoryDurability, AcknowledgedRecordsSurviveSigkillExactlyOnce) {
  const fs::path dir = fs::temp_directory_path() / absl::StrCat("skinlens-durability-", getpid());
  fs::create_directories(dir);
  const std::string database = "--database_url=sqlite:" + (dir / "history.db").string();
  const std::string key_file = "--user_assertion_key_file=" + (dir / "assertion.key").string();
  std::ofstream(dir / "assertion.key") << kSecret;

  std::mutex mu;
  std::set<std::string> acknowledged;  // Guarded by mu.
  std::set<std::string> attempted;     // Guarded by mu.
  {
    testing::ServerProcess server(SKINLENS_HISTORY_SERVER, {database, key_file});
    ASSERT_TRUE(server.AwaitPorts()) << server.Log();
    auto channel = SigningChannel(server.address());
    std::atomic<bool> stop{false};
    std::vector<std::thread> writers;
    for (int w = 0; w < 4; ++w) {
      writers.emplace_back([&, w] {
        auto stub = HistoryService::NewStub(channel);
        for (int i = 0; !stop.load(); ++i) {
          const std::string key = absl::StrCat("w", w, "-", i);
          {
            std::lock_guard<std::mutex> lock(mu);
            attempted.insert(key);
          }
          if (!Record(*stub, key, nullptr).ok()) return;  // The server is gone.
          std::lock_guard<std::mutex> lock(mu);
          acknowledged.insert(key);
        }
      });
    }
    // Kill the server in the middle of the burst, once it has acknowledged a
    // good number of writes.
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (true) {
      {
        std::lock_guard<std::mutex> lock(mu);
        if (acknowledged.size() >= 200) break;
      }
      ASSERT_LT(std::chrono::steady_clock::now(), give_up) << server.Log();
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    server.Signal(SIGKILL);
    EXPECT_EQ(server.AwaitExit(std::chrono::seconds(10)), -1) << "killed by a signal";
    stop.store(true);
    for (std::thread& t : writers) t.join();
  }

  testing::ServerProcess restarted(SKINLENS_HISTORY_SERVER, {database, key_file});
  ASSERT_TRUE(restarted.AwaitPorts()) << restarted.Log();
  auto stub = HistoryService::NewStub(SigningChannel(restarted.address()));

  // Every acknowledged write is there: retrying it finds the first record.
  for (const std::string& key : acknowledged) {
    bool created = true;
    ASSERT_TRUE(Record(*stub, key, &created).ok());
    EXPECT_FALSE(created) << "acknowledged record " << key << " was lost";
  }
  // Retrying the writes that were in flight at the kill stores them now, once.
  for (const std::string& key : attempted) {
    ASSERT_TRUE(Record(*stub, key, nullptr).ok());
  }
  const std::vector<std::string> ids = ListAllIds(*stub);
  EXPECT_EQ(ids.size(), attempted.size()) << "each attempted key exactly once";
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size()) << "no duplicates";
  RecordProperty("acknowledged_before_kill", static_cast<int>(acknowledged.size()));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace skinlens
