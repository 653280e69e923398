// The load generator against the real gateway core and its gRPC front, with
// in-process fakes behind it (services/gateway/fake_downstreams.h): counts,
// errors by code, unsaved results, percentiles, process memory.
#include "load_generator.h"

#include <unistd.h>

#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/grpc/server_runner.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "process_memory.h"
#include "services/gateway/diagnosis_service.h"
#include "services/gateway/fake_downstreams.h"
#include "services/gateway/gateway_core.h"

namespace skinlens::load {
namespace {

using ::testing::HasSubstr;

class LoadGeneratorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    core_ = std::make_unique<gateway::GatewayCore>(
        gateway::ConnectDownstreams(fakes_.targets(), gateway::testing::FakeDownstreamKeys()),
        gateway::GatewayOptions{});
    service_ = std::make_unique<gateway::DiagnosisService>(core_.get());
    ServerOptions options;
    options.service_name = "gateway";
    options.admin_port = -1;
    auto server =
        ServerRunner::Start(options, {{v1::DiagnosisService::service_full_name(), service_.get()}});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  StubFactory Stubs() {
    return [this] {
      return v1::DiagnosisService::NewStub(grpc::CreateChannel(
          absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials()));
    };
  }

  static LoadOptions Options(int64_t photos) {
    LoadOptions options;
    options.users = 4;
    options.accounts = 2;
    options.max_photos = photos;
    options.duration = absl::Seconds(60);
    options.photo = "a face";
    options.deadline = absl::Seconds(10);
    return options;
  }

  gateway::testing::FakeDownstreams fakes_;
  std::unique_ptr<gateway::GatewayCore> core_;
  std::unique_ptr<gateway::DiagnosisService> service_;
  std::unique_ptr<ServerRunner> server_;
};

TEST_F(LoadGeneratorTest, CountsEveryPhotoOnceAndReportsWhatWasSaved) {
  int64_t last_done = -1;
  absl::StatusOr<LoadReport> report =
      RunLoad(Options(20), Stubs(), [&](const LoadProgress& p) { last_done = p.done; });
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->ok, 20);
  EXPECT_EQ(report->failed(), 0);
  EXPECT_EQ(report->unsaved, 0);
  EXPECT_EQ(last_done, 20);
  ASSERT_EQ(report->ok_latencies_ms.size(), 20u);
  EXPECT_TRUE(std::is_sorted(report->ok_latencies_ms.begin(), report->ok_latencies_ms.end()));
  EXPECT_EQ(
      std::set<std::string>(report->saved_diagnosis_ids.begin(), report->saved_diagnosis_ids.end())
          .size(),
      20u);
  EXPECT_GT(report->photos_per_second(), 0);
  EXPECT_GT(report->stage_ms_sum.at("total"), 0);
  EXPECT_GE(report->max_latency_ms, report->LatencyPercentileMs(99));
}

TEST_F(LoadGeneratorTest, FailedCallsAreCountedByStatusCode) {
  fakes_.inference.down = true;
  absl::StatusOr<LoadReport> report = RunLoad(Options(10), Stubs());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->ok, 0);
  EXPECT_EQ(report->failed(), 10);
  EXPECT_EQ(report->errors.at("UNAVAILABLE"), 10);
  EXPECT_EQ(report->LatencyPercentileMs(50), 0);
}

TEST_F(LoadGeneratorTest, ResultsHistoryDidNotSaveAreOkButUnsaved) {
  fakes_.history.down = true;
  absl::StatusOr<LoadReport> report = RunLoad(Options(8), Stubs());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->ok, 8);
  EXPECT_EQ(report->unsaved, 8);
  EXPECT_TRUE(report->saved_diagnosis_ids.empty());
}

TEST_F(LoadGeneratorTest, MixedTrafficAlternatesHeatmapsAndReadsHistory) {
  LoadOptions options = Options(20);
  options.users = 1;
  absl::StatusOr<LoadReport> report = RunLoad(options, Stubs());
  ASSERT_TRUE(report.ok()) << report.status();
  const int explains_plain = static_cast<int>(fakes_.explain.log.request_ids().size());
  const int lists_plain = static_cast<int>(fakes_.history.log.request_ids().size());
  options.mixed = true;
  report = RunLoad(options, Stubs());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->ok, 20);
  EXPECT_EQ(explains_plain, 0);
  // Every other photo asked for heatmaps.
  EXPECT_EQ(static_cast<int>(fakes_.explain.log.request_ids().size()), 10);
  // History saw 20 records of the first run, 20 of the second and, after
  // every 5th photo of the second, a list and a trend read.
  EXPECT_EQ(lists_plain, 20);
  EXPECT_EQ(static_cast<int>(fakes_.history.log.request_ids().size()), 20 + 20 + 4 * 2);
  EXPECT_EQ(report->failed(), 0);
}

TEST_F(LoadGeneratorTest, StopsStartingPhotosWhenTheTimeIsUp) {
  LoadOptions options = Options(0);
  options.duration = absl::Milliseconds(300);
  absl::StatusOr<LoadReport> report = RunLoad(options, Stubs());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_GT(report->ok, 0);
  EXPECT_LT(report->wall, absl::Seconds(5));
}

TEST_F(LoadGeneratorTest, ASetUpThatCannotLogInIsAnErrorNamingTheAccount) {
  LoadOptions options = Options(1);
  options.password = "short";  // Refused by the password policy.
  absl::StatusOr<LoadReport> report = RunLoad(options, Stubs());
  ASSERT_FALSE(report.ok());
  EXPECT_THAT(std::string(report.status().message()), HasSubstr("load-0"));
}

TEST(LoadReport, PercentilesAreNearestRank) {
  LoadReport r;
  for (int i = 1; i <= 100; ++i) r.ok_latencies_ms.push_back(i);
  EXPECT_EQ(r.LatencyPercentileMs(50), 50);
  EXPECT_EQ(r.LatencyPercentileMs(99), 99);
  EXPECT_EQ(r.LatencyPercentileMs(100), 100);
  EXPECT_EQ(r.LatencyPercentileMs(0), 1);
}

TEST(ProcessMemory, ReadsThisProcessAndRejectsBadPidLists) {
  absl::StatusOr<int64_t> rss = ResidentBytes(getpid());
  ASSERT_TRUE(rss.ok()) << rss.status();
  EXPECT_GT(*rss, 1 << 20);
  EXPECT_EQ(ResidentBytes(999999999).status().code(), absl::StatusCode::kNotFound);
  auto pids = ParsePidList("inference:12,gateway:34");
  ASSERT_TRUE(pids.ok());
  EXPECT_EQ((*pids)[1].first, "gateway");
  EXPECT_EQ((*pids)[1].second, 34);
  EXPECT_EQ(ParsePidList("inference").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParsePidList("x:-3").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace skinlens::load
