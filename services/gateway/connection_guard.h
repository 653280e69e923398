// The public port's front door: no request reaches the HTTP workers before
// it has arrived whole.
//
// cpp-httplib gives each connection a worker thread from the first byte and
// restarts its read timeout on every byte, so a few dozen clients sending a
// byte every few seconds hold every worker and /healthz stops answering. The
// guard owns the public socket instead and serves all connections from one
// epoll thread: it reads a request's head and body into memory within a
// total deadline (else 408), refuses more than a few connections per client
// address at once (429; peers that are trusted proxies are not capped), then
// hands the complete request to the HTTP server over a private Unix socket
// and relays the answer back, one request per connection.
//
// The server behind it learns the client's address from the X-SkinLens-Peer
// header, which the guard sets on every request after removing any the
// client sent; nothing else can reach the private socket (mode 0700 folder).
//
//   GuardOptions options;
//   options.host = "0.0.0.0"; options.port = 8080;
//   options.upstream_path = "/tmp/skinlens-http.XXXX/http.sock";
//   SKINLENS_ASSIGN_OR_RETURN(auto guard, ConnectionGuard::Start(options));
//   ... guard->port() ...; guard->Stop();
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace skinlens::gateway {

// The header the guard puts the connection's peer address in.
inline constexpr char kPeerHeader[] = "X-SkinLens-Peer";

struct GuardOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0 picks a free port.
  // The Unix socket the HTTP server listens on.
  std::string upstream_path;
  // A request's head and body must have arrived this long after its
  // connection was accepted, or the client gets 408 and is dropped.
  absl::Duration request_deadline = absl::Seconds(20);
  // The answer must have been written to the client within this.
  absl::Duration response_deadline = absl::Seconds(60);
  // Connections one address may hold open at once (0: no cap).
  int max_connections_per_address = 32;
  // On Stop(), how long requests already with the server may take to be
  // answered before their connections are closed.
  absl::Duration shutdown_grace = absl::Seconds(30);
  // Connections at once in all (beyond it new ones get 503).
  int max_connections = 4096;
  // A head larger than this is answered 431.
  size_t max_head_bytes = 16 * 1024;
  // A declared body larger than this is answered 413 by the guard at once;
  // what the client still sends is read and discarded until the request
  // deadline, so it receives the answer instead of a reset.
  size_t max_body_bytes = 16 * 1000 * 1000;
  // Peers exempt from the per-address cap (the Ingress, which has many
  // clients' connections); e.g. TrustedProxies::Contains.
  std::function<bool(const std::string& address)> uncapped;
  // True when the server answers `head` (request line and headers) without
  // reading its body (e.g. request_screen.h's refusals on the head): then the
  // head goes on at once instead of waiting for a body.
  std::function<bool(absl::string_view head)> answered_on_head;
};

// A started guard. Stop() (or the destructor) closes the public socket,
// drops requests not yet whole, lets those with the server be answered (up to
// `shutdown_grace`), and joins the thread.
class ConnectionGuard {
 public:
  // UNAVAILABLE when the port cannot be bound.
  static absl::StatusOr<std::unique_ptr<ConnectionGuard>> Start(GuardOptions options);
  ~ConnectionGuard();
  ConnectionGuard(const ConnectionGuard&) = delete;
  ConnectionGuard& operator=(const ConnectionGuard&) = delete;

  int port() const { return port_; }
  void Stop();

 private:
  class Loop;
  explicit ConnectionGuard(std::unique_ptr<Loop> loop);

  std::unique_ptr<Loop> loop_;
  std::thread thread_;
  int port_ = 0;
};

// Where a complete request ends in `buffer` (head and Content-Length body),
// as the guard decides it; exposed for tests.
struct RequestExtent {
  bool head_complete = false;
  size_t head_bytes = 0;       // Including the blank line.
  size_t body_bytes = 0;       // Content-Length (0 without one).
  bool wait_for_body = false;  // False when the server answers on the head alone.
  bool too_large = false;      // Content-Length over max_body_bytes.
  bool expects_continue = false;
};
RequestExtent MeasureRequest(const std::string& buffer, size_t max_body_bytes);

// The head forwarded to the server: any X-SkinLens-Peer, Connection,
// Keep-Alive and Expect header removed, then "Connection: close" and
// X-SkinLens-Peer: `peer` added. `head` ends with the blank line.
std::string ForwardedHead(const std::string& head, const std::string& peer);

}  // namespace skinlens::gateway
