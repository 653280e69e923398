// The public HTTP/1.1 front: the JSON API under /v1 (the routes of
// docs/API.md and openapi.json), /healthz, and the built web app from the web
// root, on cpp-httplib. A thin adapter over GatewayCore: each route parses its
// request into the DiagnosisService proto (http_request.h), calls the core and
// writes the response with protobuf's JSON mapping, or the error with its
// HTTP status (http_error.h).
//
// Every response carries X-Request-Id (the caller's when valid, else a new
// one; also the id on every log line and downstream call) and the security
// headers (Content-Security-Policy, X-Content-Type-Options, X-Frame-Options,
// Referrer-Policy). Limits: the public port is a ConnectionGuard
// (connection_guard.h: a request reaches a worker only once it has arrived
// whole within a total deadline; connections per client address capped), then
// a bounded worker pool, a body size limit, read and write timeouts.
//
//   HttpOptions options;
//   options.web_root = "services/gateway/web/dist";
//   SKINLENS_ASSIGN_OR_RETURN(auto http, HttpGateway::Start(&core, options));
//   ... http->port() ...; http->Stop();
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/gateway/client_address.h"
#include "services/gateway/connection_guard.h"
#include "services/gateway/gateway_core.h"

namespace httplib {
class Server;
}

namespace skinlens::gateway {

// The Content-Security-Policy every response carries.
inline constexpr char kContentSecurityPolicy[] =
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
    "style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'";

// Settings of the HTTP front.
struct HttpOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0 picks a free port.
  // The built web app; static files are served only from here. A missing
  // folder is allowed (the API still works; / answers 404).
  std::filesystem::path web_root = "services/gateway/web/dist";
  // The OpenAPI document served at /v1/openapi.json.
  std::string openapi_json;
  // Largest photo (the limit of DiagnoseOptions); the body limit adds room
  // for multipart framing.
  size_t max_photo_bytes = 15 * 1000 * 1000;
  size_t worker_threads = 16;          // Connections served at once.
  size_t max_queued_connections = 64;  // Accepted, waiting for a worker.
  absl::Duration read_timeout = absl::Seconds(15);
  absl::Duration write_timeout = absl::Seconds(30);
  // A request's head and body must have arrived within this (else 408).
  absl::Duration request_deadline = absl::Seconds(20);
  // Connections one client address may hold at once (trusted proxies exempt;
  // 0: no cap).
  int max_connections_per_address = 32;
  // Peers whose X-Forwarded-For / Forwarded headers name the client
  // (client_address.h); by default nobody's.
  TrustedProxies trusted_proxies;

  // INVALID_ARGUMENT naming the first setting out of range (as skinlens-gateway's
  // --http_* flags name them).
  absl::Status Validate() const;
};

// A started HTTP server. Thread-safe.
class HttpGateway {
 public:
  // Binds and starts serving on a background thread. `core` must outlive the
  // server. UNAVAILABLE when the port cannot be bound.
  static absl::StatusOr<std::unique_ptr<HttpGateway>> Start(GatewayCore* core, HttpOptions options);
  ~HttpGateway();  // Stop()s.
  HttpGateway(const HttpGateway&) = delete;
  HttpGateway& operator=(const HttpGateway&) = delete;

  int port() const { return port_; }

  // Stops accepting, lets the requests in progress finish, joins. Idempotent.
  void Stop();

 private:
  HttpGateway(GatewayCore* core, HttpOptions options);
  void RegisterRoutes();

  GatewayCore* const core_;
  const HttpOptions options_;
  std::unique_ptr<httplib::Server> server_;  // On a private Unix socket.
  std::thread thread_;                       // Runs server_->listen_after_bind().
  std::unique_ptr<ConnectionGuard> guard_;   // The public port.
  std::filesystem::path socket_dir_;         // Holds the private socket.
  int port_ = 0;
};

}  // namespace skinlens::gateway
