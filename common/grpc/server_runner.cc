#include "common/grpc/server_runner.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <limits>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/grpc/metrics_interceptor.h"
#include "common/grpc/shutdown_signal.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "spdlog/spdlog.h"

namespace skinlens {
namespace {

absl::Status WritePortFile(const std::string& path, int grpc_port, int admin_port) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "grpc_port=" << grpc_port << "\nadmin_port=" << admin_port << "\n";
    if (!out.good()) {
      return absl::UnavailableError(absl::StrCat("cannot write port file ", tmp));
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot rename ", tmp, " to ", path));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<ServerRunner>> ServerRunner::Start(
    const ServerOptions& options, const std::vector<ServiceRegistration>& services,
    MetricsRegistry* registry) {
  if (absl::Status s = options.Validate(); !s.ok()) return s;

  std::unique_ptr<ServerRunner> runner(new ServerRunner());
  runner->options_ = options;

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  grpc::ServerBuilder builder;
  const std::string address = absl::StrCat(options.host, ":", options.port);
  // Services are internal, behind the gateway and network policies; transport
  // security, where wanted, comes from the mesh (see docs/ARCHITECTURE.md).
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &runner->port_);
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS,
                             static_cast<int>(absl::ToInt64Milliseconds(options.keepalive_time)));
  builder.AddChannelArgument(
      GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
      static_cast<int>(absl::ToInt64Milliseconds(options.keepalive_timeout)));
  if (options.max_connection_age != absl::InfiniteDuration()) {
    builder.AddChannelArgument(
        GRPC_ARG_MAX_CONNECTION_AGE_MS,
        static_cast<int>(std::min<int64_t>(absl::ToInt64Milliseconds(options.max_connection_age),
                                           std::numeric_limits<int>::max())));
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                               static_cast<int>(std::min<int64_t>(
                                   absl::ToInt64Milliseconds(options.max_connection_age_grace),
                                   std::numeric_limits<int>::max())));
  }
  // Clients (the gateway's channels) ping idle connections; accept that rather
  // than answering GOAWAY "too_many_pings".
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  // gRPC's default SO_REUSEPORT would let a second copy of a service bind the
  // same port and silently take half the traffic.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);

  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<MetricsInterceptorFactory>(registry));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));

  for (const ServiceRegistration& s : services) {
    builder.RegisterService(s.service);
    runner->service_names_.push_back(s.full_name);
  }

  runner->server_ = builder.BuildAndStart();
  if (!runner->server_ || runner->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen for gRPC on ", address, " (address in use or invalid host?)"));
  }
  grpc::HealthCheckServiceInterface* health = runner->server_->GetHealthCheckService();
  health->SetServingStatus(true);
  for (const std::string& name : runner->service_names_) {
    health->SetServingStatus(name, true);
  }

  if (options.admin_port >= 0) {
    auto admin = AdminServer::Start(options.host, options.admin_port, registry);
    if (!admin.ok()) {
      runner->server_->Shutdown();
      return admin.status();
    }
    runner->admin_ = std::move(*admin);
  }

  if (!options.port_file.empty()) {
    absl::Status written = WritePortFile(options.port_file, runner->port(), runner->admin_port());
    if (!written.ok()) {
      runner->Shutdown();
      return written;
    }
  }
  return runner;
}

void ServerRunner::Shutdown() {
  std::call_once(shutdown_once_, [this] {
    spdlog::info("shutting down: health NOT_SERVING, draining for up to {}",
                 absl::FormatDuration(options_.drain_delay + options_.shutdown_grace));
    server_->GetHealthCheckService()->Shutdown();  // Every service reports NOT_SERVING.
    if (admin_) admin_->SetDraining();
    if (options_.drain_delay > absl::ZeroDuration()) {
      std::this_thread::sleep_for(absl::ToChronoMilliseconds(options_.drain_delay));
    }
    // Stops accepting new calls at once; waits for in-flight calls until the
    // deadline, then cancels what is left.
    const absl::Time deadline = absl::Now() + options_.shutdown_grace;
    server_->Shutdown(absl::ToChronoTime(deadline));
    server_->Wait();
    admin_.reset();
    spdlog::info("stopped");
  });
}

ServerRunner::~ServerRunner() {
  if (server_) Shutdown();
}

int RunServer(const ServerOptions& options, const std::vector<ServiceRegistration>& services) {
  InstallShutdownSignalHandlers();
  auto runner = ServerRunner::Start(options, services);
  if (!runner.ok()) {
    spdlog::critical("cannot start {}: {}", options.service_name, runner.status().ToString());
    return 1;
  }
  spdlog::info("{} serving gRPC on {}:{}, admin on port {}", options.service_name, options.host,
               (*runner)->port(), (*runner)->admin_port());
  int signo = WaitForShutdownSignal();
  spdlog::info("received {}",
               signo == 0 ? std::string("shutdown request") : absl::StrCat("signal ", signo));
  (*runner)->Shutdown();
  return 0;
}

}  // namespace skinlens
