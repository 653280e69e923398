// Faults under load: the six services as real processes on loopback (a tiny
// random-weight model, so the test is about the system, not the network),
// skinlens-load's virtual users diagnosing through the gateway's gRPC API, and
// one part failing at a time:
//   - inference killed with SIGKILL and restarted: callers get UNAVAILABLE,
//     none hangs, and the gateway recovers without a restart of its own;
//   - history killed with SIGKILL and restarted: every diagnosis the gateway
//     reported saved is stored exactly once;
//   - PostgreSQL restarted under auth and history: both reconnect;
//   - inference frozen (SIGSTOP): deadlines fire, the gateway sheds what it
//     cannot hold (RESOURCE_EXHAUSTED) instead of queueing it, and recovers.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "load_generator.h"
#include "service_cluster.h"

namespace skinlens::load {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Runs `command` through the shell; its standard output, trimmed.
std::string Shell(const std::string& command, int* exit_code) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    *exit_code = -1;
    return out;
  }
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  *exit_code = pclose(pipe);
  return std::string(absl::StripAsciiWhitespace(out));
}

testing::ServiceBinaries Binaries() {
  return {SKINLENS_AUTH_SERVER,    SKINLENS_PREPROCESS_SERVER, SKINLENS_INFERENCE_SERVER,
          SKINLENS_EXPLAIN_SERVER, SKINLENS_HISTORY_SERVER,    SKINLENS_GATEWAY_SERVER};
}

// A stub factory for the gateway's gRPC port: each stub on its own connection.
StubFactory Stubs(const testing::ServiceCluster& cluster) {
  const std::string target = cluster.address("gateway");
  return [target] {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    return v1::DiagnosisService::NewStub(
        grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args));
  };
}

// One line on what the virtual users saw, for the test log.
void Print(const char* what, const LoadReport& r) {
  std::string errors;
  for (const auto& [code, count] : r.errors) absl::StrAppend(&errors, " ", code, "=", count);
  std::printf("%s: %lld ok (%lld unsaved), %lld failed [%s ], max latency %.0f ms\n", what,
              static_cast<long long>(r.ok), static_cast<long long>(r.unsaved),
              static_cast<long long>(r.failed()), errors.c_str(), r.max_latency_ms);
}

class FaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           absl::StrCat("skinlens-fault-", getpid(), "-",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    photo_ = ReadFile(SKINLENS_TEST_PHOTO);
    ASSERT_FALSE(photo_.empty());
  }
  void TearDown() override {
    cluster_.reset();
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  LoadOptions Load(absl::Duration duration, int users) const {
    LoadOptions options;
    options.users = users;
    options.accounts = 2;
    options.duration = duration;
    options.photo = photo_;
    options.deadline = absl::Seconds(10);
    options.account_prefix = absl::StrCat("fault", getpid() % 100000);
    return options;
  }

  // Runs `options` on a thread; `done` follows the photos finished.
  std::thread RunInBackground(const LoadOptions& options, absl::StatusOr<LoadReport>* report) {
    return std::thread([this, options, report] {
      *report = RunLoad(options, Stubs(*cluster_),
                        [this](const LoadProgress& p) { done_.store(p.done); });
    });
  }

  // Waits (bounded) until the load has finished `n` photos.
  void AwaitDone(int64_t n) {
    const absl::Time give_up = absl::Now() + absl::Seconds(60);
    while (done_.load() < n) {
      ASSERT_LT(absl::Now(), give_up) << "the load never got going\n" << cluster_->Logs();
      absl::SleepFor(absl::Milliseconds(50));
    }
  }

  // One Diagnose as `account`, retried (bounded) until it succeeds and, when
  // `saved` is asked for, is saved: how long the system took to recover.
  absl::Duration AwaitRecovery(bool require_saved) {
    LoadOptions options = Load(absl::Seconds(1), 1);
    options.max_photos = 1;
    const absl::Time start = absl::Now();
    while (absl::Now() - start < absl::Seconds(30)) {
      absl::StatusOr<LoadReport> r = RunLoad(options, Stubs(*cluster_));
      if (r.ok() && r->ok == 1 && (!require_saved || r->unsaved == 0)) return absl::Now() - start;
      absl::SleepFor(absl::Milliseconds(250));
    }
    ADD_FAILURE() << "the system did not recover in 30 s\n" << cluster_->Logs();
    return absl::InfiniteDuration();
  }

  // Every diagnosis stored for the load's accounts: request id -> times stored.
  std::map<std::string, int> StoredByRequestId(std::set<std::string>* ids) {
    std::map<std::string, int> by_request;
    const LoadOptions options = Load(absl::Seconds(1), 1);
    for (int a = 0; a < options.accounts; ++a) {
      auto stub = Stubs(*cluster_)();
      grpc::ClientContext login_context;
      v1::LoginRequest login;
      login.set_username(absl::StrCat(options.account_prefix, "-", a));
      login.set_password(options.password);
      v1::LoginResponse session;
      const grpc::Status s = stub->Login(&login_context, login, &session);
      EXPECT_TRUE(s.ok()) << s.error_message();
      std::string token;
      v1::ListDiagnosesRequest list;
      list.set_page_size(100);
      do {
        grpc::ClientContext context;
        context.AddMetadata("authorization", "Bearer " + session.token());
        v1::ListDiagnosesResponse page;
        const grpc::Status listed = stub->ListDiagnoses(&context, list, &page);
        EXPECT_TRUE(listed.ok()) << listed.error_message();
        if (!listed.ok()) break;
        for (const v1::Diagnosis& d : page.diagnoses()) {
          ++by_request[d.request_id()];
          ids->insert(d.id());
        }
        list.set_page_token(page.next_page_token());
      } while (!list.page_token().empty());
    }
    return by_request;
  }

  fs::path dir_;
  std::string photo_;
  std::unique_ptr<testing::ServiceCluster> cluster_;
  std::atomic<int64_t> done_{0};
};

TEST_F(FaultTest, InferenceKilledUnderLoadFailsFastAndTheGatewayRecovers) {
  cluster_ = std::make_unique<testing::ServiceCluster>(dir_, Binaries());
  ASSERT_NO_FATAL_FAILURE(cluster_->Start({"--inference_deadline=5s"}));
  const pid_t gateway_pid = cluster_->process("gateway").pid();

  absl::StatusOr<LoadReport> report;
  std::thread load = RunInBackground(Load(absl::Seconds(12), 4), &report);
  AwaitDone(5);
  cluster_->process("inference").Signal(SIGKILL);
  EXPECT_EQ(cluster_->process("inference").AwaitExit(std::chrono::seconds(10)), -1);
  absl::SleepFor(absl::Seconds(2));  // Photos arrive while inference is gone.
  cluster_->StartService("inference");
  load.join();

  ASSERT_TRUE(report.ok()) << report.status();
  Print(::testing::UnitTest::GetInstance()->current_test_info()->name(), *report);
  EXPECT_GT(report->ok, 0);
  EXPECT_GT(report->failed(), 0) << "no call noticed that inference was gone";
  for (const auto& [code, count] : report->errors) {
    EXPECT_EQ(code, "UNAVAILABLE") << count << " calls";
  }
  // None hung: every call returned inside its 10 s deadline.
  EXPECT_LT(report->max_latency_ms, 9000) << cluster_->Logs();
  // The same gateway process serves again.
  EXPECT_LT(AwaitRecovery(/*require_saved=*/true), absl::Seconds(30));
  EXPECT_EQ(cluster_->process("gateway").pid(), gateway_pid);
  EXPECT_EQ(kill(gateway_pid, 0), 0) << "the gateway died";
}

TEST_F(FaultTest, HistoryKilledUnderLoadLosesAndDuplicatesNoSavedDiagnosis) {
  cluster_ = std::make_unique<testing::ServiceCluster>(dir_, Binaries());
  ASSERT_NO_FATAL_FAILURE(cluster_->Start({"--history_deadline=2s"}));

  absl::StatusOr<LoadReport> report;
  std::thread load = RunInBackground(Load(absl::Seconds(10), 4), &report);
  AwaitDone(8);
  cluster_->process("history").Signal(SIGKILL);
  EXPECT_EQ(cluster_->process("history").AwaitExit(std::chrono::seconds(10)), -1);
  absl::SleepFor(absl::Seconds(2));
  cluster_->StartService("history");
  load.join();

  ASSERT_TRUE(report.ok()) << report.status();
  Print(::testing::UnitTest::GetInstance()->current_test_info()->name(), *report);
  // History being gone never fails a diagnosis: it comes back unsaved.
  EXPECT_EQ(report->failed(), 0) << cluster_->Logs();
  EXPECT_GT(report->unsaved, 0) << "no call noticed that history was gone";
  EXPECT_GT(report->saved_diagnosis_ids.size(), 0u);

  std::set<std::string> stored_ids;
  const std::map<std::string, int> by_request = StoredByRequestId(&stored_ids);
  for (const std::string& id : report->saved_diagnosis_ids) {
    EXPECT_EQ(stored_ids.count(id), 1u) << "diagnosis " << id << " was reported saved but is lost";
  }
  for (const auto& [request_id, times] : by_request) {
    EXPECT_EQ(times, 1) << "request " << request_id << " stored " << times << " times";
  }
}

TEST_F(FaultTest, FrozenInferenceTriggersDeadlinesAndSheddingNotAnEndlessQueue) {
  cluster_ = std::make_unique<testing::ServiceCluster>(dir_, Binaries());
  ASSERT_NO_FATAL_FAILURE(
      cluster_->Start({"--inference_deadline=2s", "--max_concurrent_diagnoses=2"}));

  absl::StatusOr<LoadReport> report;
  std::thread load = RunInBackground(Load(absl::Seconds(13), 6), &report);
  AwaitDone(3);
  cluster_->process("inference").Signal(SIGSTOP);
  absl::SleepFor(absl::Seconds(8));
  cluster_->process("inference").Signal(SIGCONT);
  load.join();

  ASSERT_TRUE(report.ok()) << report.status();
  Print(::testing::UnitTest::GetInstance()->current_test_info()->name(), *report);
  EXPECT_GT(report->errors["DEADLINE_EXCEEDED"], 0) << "no deadline fired";
  EXPECT_GT(report->errors["RESOURCE_EXHAUSTED"], 0) << "the gateway queued instead of shedding";
  for (const auto& [code, count] : report->errors) {
    EXPECT_TRUE(code == "DEADLINE_EXCEEDED" || code == "RESOURCE_EXHAUSTED")
        << count << " calls failed with " << code;
  }
  // A call waits at most for the inference deadline (2 s) after preprocessing,
  // never for the whole 8 s freeze (the margin is for a machine busy with
  // other tests).
  EXPECT_LT(report->max_latency_ms, 6500) << cluster_->Logs();
  EXPECT_LT(AwaitRecovery(/*require_saved=*/true), absl::Seconds(30));
}

TEST_F(FaultTest, PostgresRestartUnderLoadAuthAndHistoryReconnect) {
  int status = 0;
  const fs::path pg_dir = dir_ / "pg";
  const std::string url =
      Shell(absl::StrCat(SKINLENS_PG_LOCAL, " start --dir ", pg_dir.string(), " 2>&1"), &status);
  ASSERT_EQ(status, 0) << url;
  cluster_ =
      std::make_unique<testing::ServiceCluster>(dir_, Binaries(), url.substr(url.rfind('\n') + 1));
  ASSERT_NO_FATAL_FAILURE(cluster_->Start({"--history_deadline=3s", "--auth_deadline=3s"}));

  absl::StatusOr<LoadReport> report;
  std::thread load = RunInBackground(Load(absl::Seconds(12), 4), &report);
  AwaitDone(5);
  const std::string restarted =
      Shell(absl::StrCat(SKINLENS_PG_LOCAL, " restart ", pg_dir.string(), " 2>&1"), &status);
  EXPECT_EQ(status, 0) << restarted;
  load.join();

  ASSERT_TRUE(report.ok()) << report.status();
  Print(::testing::UnitTest::GetInstance()->current_test_info()->name(), *report);
  for (const auto& [code, count] : report->errors) {
    EXPECT_EQ(code, "UNAVAILABLE") << count << " calls";
  }
  // New logins (auth) and saved diagnoses (history) work again, without
  // restarting either service.
  EXPECT_LT(AwaitRecovery(/*require_saved=*/true), absl::Seconds(30));
  std::set<std::string> stored_ids;
  const std::map<std::string, int> by_request = StoredByRequestId(&stored_ids);
  for (const std::string& id : report->saved_diagnosis_ids) {
    EXPECT_EQ(stored_ids.count(id), 1u) << "diagnosis " << id << " was reported saved but is lost";
  }
  for (const auto& [request_id, times] : by_request) EXPECT_EQ(times, 1) << request_id;
  cluster_.reset();
  Shell(absl::StrCat(SKINLENS_PG_LOCAL, " stop ", pg_dir.string(), " 2>&1"), &status);
}

}  // namespace
}  // namespace skinlens::load
