// The admin HTTP endpoint of a service: `GET /metrics` (Prometheus text) and
// `GET /healthz` (200 "ok" while serving, 503 "draining" during shutdown).
//
// It listens on its own port, apart from the gRPC port, so that scraping and
// probing never compete with traffic and the port can be kept off the public
// network.
//
//   SKINLENS_ASSIGN_OR_RETURN(auto admin, AdminServer::Start("127.0.0.1", 0, &registry));
//   int port = admin->port();
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "common/metrics/metrics_registry.h"

namespace httplib {
class Server;
}

namespace skinlens {

// Serves the admin endpoint on a background thread. Thread-safe.
class AdminServer {
 public:
  // Binds `host:port` (port 0 picks a free one) and starts serving. `registry`
  // must outlive the server. Fails with UNAVAILABLE when the port is taken.
  static absl::StatusOr<std::unique_ptr<AdminServer>> Start(const std::string& host, int port,
                                                            const MetricsRegistry* registry);
  ~AdminServer();  // Stops and joins the thread.
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  int port() const { return port_; }
  // After this, /healthz answers 503 so a load balancer stops sending work.
  void SetDraining() { draining_.store(true); }

 private:
  AdminServer() = default;

  std::unique_ptr<httplib::Server> http_;
  std::thread thread_;  // Runs http_->listen_after_bind().
  int port_ = 0;
  std::atomic<bool> draining_{false};
};

}  // namespace skinlens
