// Runs a SkinLens gRPC server the same way in every service.
//
// What every service gets: the standard health service (grpc.health.v1) with
// each registered service SERVING, server reflection, metrics per RPC through an
// interceptor (see metrics_interceptor.h) served with /healthz on the admin
// port, message size and keepalive limits, and graceful shutdown on SIGTERM or
// SIGINT: health turns NOT_SERVING, the server stops accepting calls, in-flight
// calls get ServerOptions::shutdown_grace to finish, then the process exits 0.
//
//   int main(int argc, char** argv) {
//     skinlens::InitCommandLine(argc, argv, "skinlens-auth: accounts and sessions");
//     AuthService service(...);
//     return skinlens::RunServer(skinlens::ServerOptionsFromFlags("auth"),
//                                {{AuthService::service_full_name(), &service}});
//   }
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/grpc/server_options.h"
#include "common/metrics/admin_server.h"
#include "common/metrics/metrics_registry.h"
#include "grpcpp/server.h"

namespace skinlens {

// A service implementation and the full protobuf name health reports it under
// ("skinlens.v1.AuthService"). The runner does not own `service`.
struct ServiceRegistration {
  std::string full_name;
  grpc::Service* service;
};

// A started server. Created by Start(); the services must outlive it.
class ServerRunner {
 public:
  // Builds and starts the server and the admin endpoint. Fails with
  // INVALID_ARGUMENT for bad options and UNAVAILABLE when a port cannot be bound.
  static absl::StatusOr<std::unique_ptr<ServerRunner>> Start(
      const ServerOptions& options, const std::vector<ServiceRegistration>& services,
      MetricsRegistry* registry = &MetricsRegistry::Default());
  ~ServerRunner();  // Shuts down (with the grace period) if not done yet.
  ServerRunner(const ServerRunner&) = delete;
  ServerRunner& operator=(const ServerRunner&) = delete;

  int port() const { return port_; }
  int admin_port() const { return admin_ ? admin_->port() : -1; }

  // The graceful shutdown sequence described above; returns once the server has
  // stopped. Idempotent; thread-safe.
  void Shutdown();

 private:
  ServerRunner() = default;

  ServerOptions options_;
  std::vector<std::string> service_names_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<AdminServer> admin_;
  int port_ = 0;
  std::once_flag shutdown_once_;
};

// Starts the server, logs where it listens, waits for SIGTERM/SIGINT, shuts down
// gracefully and returns the process exit code (0 after a clean drain, 1 when
// the server could not start).
int RunServer(const ServerOptions& options, const std::vector<ServiceRegistration>& services);

}  // namespace skinlens
