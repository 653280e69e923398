// A service built on the shared runtime, run as a real process: it answers
// grpc.health.v1.Health/Check with SERVING, lists its services by reflection,
// and on SIGTERM lets an in-flight call finish and exits 0.
#include "server_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "skinlens/testing/v1/probe.grpc.pb.h"

namespace skinlens {
namespace {

using ::testing::HasSubstr;
using ::testing::IsSupersetOf;

// Runs `command` through the shell; returns its exit code and stdout+stderr.
std::pair<int, std::string> RunCommand(const std::string& command) {
  std::string output;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, n);
  int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

// The probe server as a child process on ephemeral ports.
class ProbeServer : public testing::ServerProcess {
 public:
  ProbeServer() : ServerProcess(SKINLENS_PROBE_SERVER, {"--shutdown_grace=5s"}) {}
};

std::shared_ptr<grpc::Channel> Connect(const testing::ServerProcess& server) {
  return grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials());
}

TEST(ServerProcess, HealthReportsServingForServerAndService) {
  ProbeServer server;
  ASSERT_TRUE(server.AwaitPorts()) << server.Log();
  auto health = grpc::health::v1::Health::NewStub(Connect(server));
  for (const char* service : {"", "skinlens.testing.v1.ProbeService"}) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    grpc::health::v1::HealthCheckResponse response;
    grpc::Status status = health->Check(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING) << service;
  }
  grpc::ClientContext context;
  grpc::health::v1::HealthCheckRequest request;
  request.set_service("skinlens.v1.NoSuchService");
  grpc::health::v1::HealthCheckResponse response;
  EXPECT_EQ(health->Check(&context, request, &response).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST(ServerProcess, ReflectionListsServices) {
  ProbeServer server;
  ASSERT_TRUE(server.AwaitPorts()) << server.Log();
  auto reflection = grpc::reflection::v1alpha::ServerReflection::NewStub(Connect(server));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  auto stream = reflection->ServerReflectionInfo(&context);
  grpc::reflection::v1alpha::ServerReflectionRequest request;
  request.set_list_services("*");
  ASSERT_TRUE(stream->Write(request));
  grpc::reflection::v1alpha::ServerReflectionResponse response;
  ASSERT_TRUE(stream->Read(&response));
  stream->WritesDone();
  std::vector<std::string> names;
  for (const auto& s : response.list_services_response().service()) names.push_back(s.name());
  EXPECT_THAT(names, IsSupersetOf({"skinlens.testing.v1.ProbeService", "grpc.health.v1.Health",
                                   "grpc.reflection.v1alpha.ServerReflection"}));
  EXPECT_TRUE(stream->Finish().ok());
}

TEST(ServerProcess, SigtermDrainsInFlightCallAndExitsZero) {
  ProbeServer server;
  ASSERT_TRUE(server.AwaitPorts()) << server.Log();
  auto channel = Connect(server);
  auto stub = skinlens::testing::v1::ProbeService::NewStub(channel);

  // The call's own metadata tells us when the server has accepted it: the
  // handler sends initial metadata (the echoed request id) only once running.
  grpc::ClientContext context;
  context.AddMetadata("x-request-id", "drain-check");
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  skinlens::testing::v1::SleepRequest request;
  request.set_milliseconds(1500);
  skinlens::testing::v1::SleepResponse response;
  std::promise<grpc::Status> done;
  stub->async()->Sleep(&context, &request, &response,
                       [&done](grpc::Status s) { done.set_value(std::move(s)); });
  // Wait until the server has logged the call, i.e. the handler is running.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (server.Log().find("drain-check") == std::string::npos) {
    ASSERT_LT(std::chrono::steady_clock::now(), give_up) << server.Log();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }

  server.Signal(SIGTERM);
  grpc::Status status = done.get_future().get();
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.request_id(), "drain-check");
  EXPECT_GE(response.slept_milliseconds(), 1500);
  EXPECT_EQ(server.AwaitExit(std::chrono::seconds(15)), 0) << server.Log();
  EXPECT_THAT(server.Log(), HasSubstr("shutting down"));
}

TEST(ServerBinary, HelpListsFlagsWithEnvironmentVariables) {
  auto [code, output] = RunCommand(absl::StrCat(SKINLENS_PROBE_SERVER, " --help"));
  EXPECT_EQ(code, 0);
  EXPECT_THAT(output, HasSubstr("--port  [SKINLENS_PORT]"));
  EXPECT_THAT(output, HasSubstr("--shutdown_grace  [SKINLENS_SHUTDOWN_GRACE]"));
  EXPECT_THAT(output, HasSubstr("--log_format  [SKINLENS_LOG_FORMAT]"));
}

TEST(ServerBinary, BadEnvironmentValueExitsWithClearMessage) {
  auto [code, output] = RunCommand(absl::StrCat("SKINLENS_PORT=fifty ", SKINLENS_PROBE_SERVER));
  EXPECT_EQ(code, 2);
  EXPECT_THAT(output, HasSubstr("SKINLENS_PORT"));
  EXPECT_THAT(output, HasSubstr("--port"));
}

TEST(ServerBinary, OutOfRangePortExitsNonZero) {
  auto [code, output] =
      RunCommand(absl::StrCat(SKINLENS_PROBE_SERVER, " --port=70000 --admin_port=-1"));
  EXPECT_EQ(code, 1);
  EXPECT_THAT(output, HasSubstr("--port=70000 is not in 0..65535"));
}

}  // namespace
}  // namespace skinlens
