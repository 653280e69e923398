// The shared gRPC runtime against a real server on an ephemeral loopback port:
// request ids across a hop, deadlines, per-RPC metrics, the channel factory's
// service config, and graceful shutdown.
#include <chrono>
#include <future>
#include <thread>

#include "absl/synchronization/notification.h"
#include "common/grpc/call_context.h"
#include "common/grpc/channel_factory.h"
#include "common/grpc/server_runner.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "probe_service.h"

namespace skinlens {
namespace {

using ::skinlens::testing::v1::SleepRequest;
using ::skinlens::testing::v1::SleepResponse;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

constexpr char kMethod[] = "/skinlens.testing.v1.ProbeService/Sleep";

class GrpcRuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer(absl::Seconds(10)); }

  void StartServer(absl::Duration grace,
                   absl::Duration max_connection_age = absl::InfiniteDuration()) {
    runner_.reset();
    ServerOptions options;
    options.service_name = "probe";
    options.shutdown_grace = grace;
    options.max_connection_age = max_connection_age;
    options.max_connection_age_grace = absl::Seconds(5);
    auto runner = ServerRunner::Start(
        options, {{testing::v1::ProbeService::service_full_name(), &service_}}, &registry_);
    ASSERT_TRUE(runner.ok()) << runner.status();
    runner_ = std::move(*runner);
    channel_ = CreateChannel(absl::StrCat("127.0.0.1:", runner_->port()));
    stub_ = testing::v1::ProbeService::NewStub(channel_);
  }

  grpc::Status Sleep(int ms, grpc::ClientContext* context, SleepResponse* response) {
    SleepRequest request;
    request.set_milliseconds(ms);
    return stub_->Sleep(context, request, response);
  }

  // Waits (bounded) until the server reports `n` Sleep calls in flight, so a
  // test acts while a call is really inside the handler.
  void AwaitInFlight(int n) {
    Gauge& g = registry_.GetGauge("skinlens_grpc_server_in_flight",
                                  "RPCs started and not yet finished.", {{"method", kMethod}});
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (g.Value() != n) {
      ASSERT_LT(std::chrono::steady_clock::now(), give_up) << "call never arrived";
      std::this_thread::yield();
    }
  }

  MetricsRegistry registry_;
  testing::ProbeService service_;
  std::unique_ptr<ServerRunner> runner_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<testing::v1::ProbeService::Stub> stub_;
};

TEST_F(GrpcRuntimeTest, CallersRequestIdReachesHandlerAndIsEchoed) {
  auto context = NewClientContext(absl::Seconds(5), "photo-17");
  SleepResponse response;
  ASSERT_TRUE(Sleep(0, context.get(), &response).ok());
  EXPECT_EQ(response.request_id(), "photo-17");
  auto echoed = context->GetServerInitialMetadata().find("x-request-id");
  ASSERT_NE(echoed, context->GetServerInitialMetadata().end());
  EXPECT_EQ(std::string(echoed->second.data(), echoed->second.size()), "photo-17");
}

TEST_F(GrpcRuntimeTest, CurrentRequestIdPropagatesToOutgoingCalls) {
  ScopedRequestId scope("upstream-id");
  auto context = NewClientContext(absl::Seconds(5));
  SleepResponse response;
  ASSERT_TRUE(Sleep(0, context.get(), &response).ok());
  EXPECT_EQ(response.request_id(), "upstream-id");
}

TEST_F(GrpcRuntimeTest, MissingOrHostileRequestIdIsReplaced) {
  grpc::ClientContext plain;
  SleepResponse response;
  ASSERT_TRUE(Sleep(0, &plain, &response).ok());
  EXPECT_THAT(response.request_id(), MatchesRegex("[0-9a-f]{32}"));

  grpc::ClientContext hostile;
  hostile.AddMetadata("x-request-id", "a\"b c");
  ASSERT_TRUE(Sleep(0, &hostile, &response).ok());
  EXPECT_THAT(response.request_id(), MatchesRegex("[0-9a-f]{32}"));
}

TEST_F(GrpcRuntimeTest, DeadlineFromClientContextFires) {
  auto context = NewClientContext(absl::Milliseconds(50));
  SleepResponse response;
  EXPECT_EQ(Sleep(5000, context.get(), &response).error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
}

TEST_F(GrpcRuntimeTest, ServiceConfigWithRetriesIsAcceptedByGrpc) {
  // gRPC rejects an invalid service config at resolution and fails every call,
  // so a successful call through dns:/// proves the config is valid.
  ChannelOptions options;
  options.idempotent_methods = {"skinlens.testing.v1.ProbeService/Sleep"};
  auto channel = CreateChannel(absl::StrCat("dns:///127.0.0.1:", runner_->port()), options);
  auto stub = testing::v1::ProbeService::NewStub(channel);
  auto context = NewClientContext(absl::Seconds(5));
  SleepRequest request;
  SleepResponse response;
  ASSERT_TRUE(stub->Sleep(context.get(), request, &response).ok());
  EXPECT_THAT(channel->GetServiceConfigJSON(), HasSubstr("round_robin"));
  EXPECT_THAT(channel->GetServiceConfigJSON(), HasSubstr("retryPolicy"));
}

TEST_F(GrpcRuntimeTest, MetricsCountCallsByMethodAndCode) {
  SleepResponse response;
  for (int i = 0; i < 2; ++i) {
    grpc::ClientContext context;
    ASSERT_TRUE(Sleep(0, &context, &response).ok());
  }
  auto expired = NewClientContext(absl::Milliseconds(20));
  ASSERT_FALSE(Sleep(5000, expired.get(), &response).ok());

  httplib::Client admin("127.0.0.1", runner_->admin_port());
  auto scrape = admin.Get("/metrics");
  ASSERT_TRUE(scrape);
  EXPECT_THAT(scrape->body, HasSubstr(absl::StrCat("skinlens_grpc_server_handled_total{code=\"OK\","
                                                   "method=\"",
                                                   kMethod, "\"} 2\n")));
  EXPECT_THAT(scrape->body, HasSubstr(absl::StrCat("skinlens_grpc_server_handling_seconds_count{"
                                                   "method=\"",
                                                   kMethod, "\"} ")));
  EXPECT_THAT(scrape->body, HasSubstr("# TYPE skinlens_grpc_server_in_flight gauge"));
}

TEST_F(GrpcRuntimeTest, ShutdownLetsInFlightCallFinishAndRefusesNewOnes) {
  auto in_flight = std::async(std::launch::async, [this] {
    grpc::ClientContext context;
    SleepResponse response;
    grpc::Status status = Sleep(300, &context, &response);
    return std::make_pair(status, response.slept_milliseconds());
  });
  AwaitInFlight(1);
  runner_->Shutdown();

  auto [status, slept] = in_flight.get();
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_GE(slept, 300);

  grpc::ClientContext late;
  late.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  SleepResponse response;
  EXPECT_EQ(Sleep(0, &late, &response).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(GrpcRuntimeTest, ShutdownCancelsCallsThatOutliveTheGracePeriod) {
  runner_.reset();
  StartServer(absl::Milliseconds(100));
  auto in_flight = std::async(std::launch::async, [this] {
    grpc::ClientContext context;
    SleepResponse response;
    return Sleep(60000, &context, &response);
  });
  AwaitInFlight(1);
  const auto start = std::chrono::steady_clock::now();
  runner_->Shutdown();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  grpc::Status status = in_flight.get();
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(status.error_code(),
              ::testing::AnyOf(grpc::StatusCode::CANCELLED, grpc::StatusCode::UNAVAILABLE));
}

// With a maximum connection age the server closes the client's connection
// (GOAWAY), so the channel reconnects and re-resolves: how a gateway's channels
// reach pods added by a scale-up. A call in flight at that moment finishes.
TEST_F(GrpcRuntimeTest, MaxConnectionAgeClosesConnectionsButLetsCallsFinish) {
  // Without a limit the connection stays up.
  SleepResponse response;
  grpc::ClientContext warm;
  ASSERT_TRUE(Sleep(0, &warm, &response).ok());
  ASSERT_EQ(channel_->GetState(false), GRPC_CHANNEL_READY);
  EXPECT_FALSE(channel_->WaitForStateChange(
      GRPC_CHANNEL_READY, std::chrono::system_clock::now() + std::chrono::milliseconds(1500)));

  StartServer(absl::Seconds(10), absl::Milliseconds(500));
  grpc::ClientContext first;
  ASSERT_TRUE(Sleep(0, &first, &response).ok());
  ASSERT_EQ(channel_->GetState(false), GRPC_CHANNEL_READY);
  EXPECT_TRUE(channel_->WaitForStateChange(
      GRPC_CHANNEL_READY, std::chrono::system_clock::now() + std::chrono::seconds(5)))
      << "the connection outlived --max_connection_age";
  // A call longer than the age, on the new connection, completes within the grace.
  grpc::ClientContext longer;
  EXPECT_TRUE(Sleep(1500, &longer, &response).ok());
}

TEST(ServerRunner, RejectsInvalidOptions) {
  ServerOptions options;
  options.port = 70000;
  auto runner = ServerRunner::Start(options, {});
  EXPECT_EQ(runner.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(runner.status().message()), HasSubstr("--port=70000"));
}

TEST(ServerRunner, PortInUseIsUnavailable) {
  MetricsRegistry registry;
  ServerOptions options;
  options.admin_port = -1;
  auto first = ServerRunner::Start(options, {}, &registry);
  ASSERT_TRUE(first.ok()) << first.status();
  options.port = (*first)->port();
  auto second = ServerRunner::Start(options, {}, &registry);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace skinlens
