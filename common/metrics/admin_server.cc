#include "common/metrics/admin_server.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "httplib.h"

namespace skinlens {

absl::StatusOr<std::unique_ptr<AdminServer>> AdminServer::Start(const std::string& host, int port,
                                                                const MetricsRegistry* registry) {
  std::unique_ptr<AdminServer> server(new AdminServer());
  server->http_ = std::make_unique<httplib::Server>();
  httplib::Server& http = *server->http_;
  // Scrapes and probes are tiny; two threads keep a slow scraper from
  // blocking a probe without spending memory on a pool nobody uses.
  http.new_task_queue = [] { return new httplib::ThreadPool(2); };
  http.set_read_timeout(5, 0);
  http.set_write_timeout(5, 0);
  http.set_payload_max_length(1024);
  // cpp-httplib sets SO_REUSEPORT by default, which would let a second process
  // bind the same port silently; keep only SO_REUSEADDR so a clash is an error.
  http.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });

  http.Get("/metrics", [registry](const httplib::Request&, httplib::Response& res) {
    res.set_content(registry->RenderText(), "text/plain; version=0.0.4; charset=utf-8");
  });
  AdminServer* self = server.get();
  http.Get("/healthz", [self](const httplib::Request&, httplib::Response& res) {
    if (self->draining_.load()) {
      res.status = 503;
      res.set_content("draining\n", "text/plain");
    } else {
      res.set_content("ok\n", "text/plain");
    }
  });

  if (port == 0) {
    server->port_ = http.bind_to_any_port(host);
  } else {
    server->port_ = http.bind_to_port(host, port) ? port : -1;
  }
  if (server->port_ <= 0) {
    return absl::UnavailableError(
        absl::StrCat("admin endpoint cannot listen on ", host, ":", port, " (port in use?)"));
  }
  server->thread_ = std::thread([self] { self->http_->listen_after_bind(); });
  // httplib::Server::stop() is a no-op until the accept loop runs, so a server
  // destroyed right after Start() would never stop. Return only once it runs.
  while (!http.is_running()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return server;
}

AdminServer::~AdminServer() {
  if (http_) http_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace skinlens
