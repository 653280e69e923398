#include "services/gateway/connection_guard.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <map>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "services/gateway/request_screen.h"
#include "spdlog/spdlog.h"

namespace skinlens::gateway {
namespace {

// How long a closed-for-writing connection is read (and discarded) so the
// client receives our answer instead of a reset for its unread bytes.
constexpr absl::Duration kLinger = absl::Seconds(2);
// At most this much of an answer waits in memory for a slow reader; beyond
// it the server's writes wait (its own write timeout applies).
constexpr size_t kMaxBufferedAnswer = 1 << 20;
// How often deadlines are checked.
constexpr int kTickMs = 100;

// The guard's own answer, in the API's error shape (docs/API.md).
std::string Answer(int status, absl::string_view reason, absl::string_view code,
                   absl::string_view message) {
  const std::string body = absl::StrCat("{\"error\":{\"code\":", status, ",\"status\":\"", code,
                                        "\",\"message\":\"", message, "\"}}");
  return absl::StrCat("HTTP/1.1 ", status, " ", reason,
                      "\r\nContent-Type: application/json\r\nContent-Length: ", body.size(),
                      "\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff"
                      "\r\nConnection: close\r\n\r\n",
                      body);
}

// send() without SIGPIPE: a client that went away is an error return here.
ssize_t Send(int fd, const char* data, size_t size) { return send(fd, data, size, MSG_NOSIGNAL); }

std::string PeerAddress(const sockaddr_storage& addr) {
  char text[INET6_ADDRSTRLEN] = {0};
  if (addr.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(addr).sin_addr, text, sizeof text);
  } else if (addr.ss_family == AF_INET6) {
    const auto& a6 = reinterpret_cast<const sockaddr_in6&>(addr);
    if (IN6_IS_ADDR_V4MAPPED(&a6.sin6_addr)) {
      inet_ntop(AF_INET, &a6.sin6_addr.s6_addr[12], text, sizeof text);
    } else {
      inet_ntop(AF_INET6, &a6.sin6_addr, text, sizeof text);
    }
  }
  return text;
}

}  // namespace

RequestExtent MeasureRequest(const std::string& buffer, size_t max_body_bytes) {
  RequestExtent extent;
  const size_t end = buffer.find("\r\n\r\n");
  if (end == std::string::npos) return extent;
  extent.head_complete = true;
  extent.head_bytes = end + 4;
  const absl::string_view head(buffer.data(), end);
  const auto expect = HeaderValueIn(head, "Expect");
  extent.expects_continue = expect.has_value() && absl::EqualsIgnoreCase(*expect, "100-continue");
  // A chunked or otherwise framed body, or none: the server answers on the
  // head (request_screen.h), so nothing more is waited for.
  if (HeaderValueIn(head, "Transfer-Encoding").has_value()) return extent;
  const auto length = HeaderValueIn(head, "Content-Length");
  uint64_t bytes = 0;
  if (!length.has_value() || !absl::SimpleAtoi(*length, &bytes)) return extent;
  extent.body_bytes = bytes;
  extent.too_large = bytes > max_body_bytes;
  extent.wait_for_body = bytes > 0 && !extent.too_large;
  return extent;
}

std::string ForwardedHead(const std::string& head, const std::string& peer) {
  std::string out;
  out.reserve(head.size() + 64);
  bool first = true;
  for (absl::string_view line : absl::StrSplit(absl::string_view(head), "\r\n")) {
    if (line.empty()) continue;  // The blank line, added back below.
    if (!first) {
      const size_t colon = line.find(':');
      const absl::string_view name = absl::StripAsciiWhitespace(
          colon == absl::string_view::npos ? line : line.substr(0, colon));
      if (absl::EqualsIgnoreCase(name, kPeerHeader) || absl::EqualsIgnoreCase(name, "Connection") ||
          absl::EqualsIgnoreCase(name, "Keep-Alive") || absl::EqualsIgnoreCase(name, "Expect")) {
        continue;
      }
    }
    absl::StrAppend(&out, line, "\r\n");
    first = false;
  }
  absl::StrAppend(&out, "Connection: close\r\n", kPeerHeader, ": ", peer, "\r\n\r\n");
  return out;
}

// One connection: the client's socket and, once its request is complete,
// the socket to the server.
struct Connection {
  enum class State { kReading, kRelaying, kDraining };
  int client = -1;
  int upstream = -1;
  std::string peer;
  bool capped = true;  // Counted against its address.
  State state = State::kReading;
  absl::Time deadline;
  std::string in;  // The request as it arrives.
  bool continue_sent = false;
  std::string to_upstream;  // The forwarded request, from `sent_upstream` on.
  size_t sent_upstream = 0;
  std::string to_client;  // The answer, from `sent_client` on.
  size_t sent_client = 0;
  bool answer_complete = false;  // Nothing more will be added to to_client.
  // Draining lasts until this or kLinger after the answer, whichever is later.
  absl::Time drain_until = absl::InfinitePast();
};

class ConnectionGuard::Loop {
 public:
  explicit Loop(GuardOptions options) : options_(std::move(options)) {}
  ~Loop() {
    for (auto& [fd, connection] : by_client_) {
      (void)fd;
      CloseFds(*connection);
    }
    for (int fd : {listener_, wake_, epoll_}) {
      if (fd >= 0) close(fd);
    }
  }

  absl::StatusOr<int> Bind() {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const std::string port = std::to_string(options_.port);
    if (getaddrinfo(options_.host.c_str(), port.c_str(), &hints, &found) != 0 || !found) {
      return absl::UnavailableError(absl::StrCat("cannot resolve '", options_.host, "'"));
    }
    std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addresses(found, freeaddrinfo);
    listener_ = socket(found->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const int yes = 1;
    if (listener_ < 0 || setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes) != 0 ||
        bind(listener_, found->ai_addr, found->ai_addrlen) != 0 || listen(listener_, 1024) != 0) {
      return absl::UnavailableError(absl::StrCat("cannot bind HTTP to ", options_.host, ":",
                                                 options_.port, ": ", std::strerror(errno)));
    }
    sockaddr_storage bound{};
    socklen_t size = sizeof bound;
    getsockname(listener_, reinterpret_cast<sockaddr*>(&bound), &size);
    const int bound_port = bound.ss_family == AF_INET6
                               ? ntohs(reinterpret_cast<sockaddr_in6&>(bound).sin6_port)
                               : ntohs(reinterpret_cast<sockaddr_in&>(bound).sin_port);
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
    wake_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (epoll_ < 0 || wake_ < 0) return absl::InternalError("cannot create the event loop");
    Watch(listener_, EPOLLIN, EPOLL_CTL_ADD);
    Watch(wake_, EPOLLIN, EPOLL_CTL_ADD);
    return bound_port;
  }

  void Run() {
    std::vector<epoll_event> events(256);
    absl::Time give_up = absl::InfiniteFuture();
    while (true) {
      if (stopping_.load() && listener_ >= 0) {
        // Stop: no new connections, requests not yet whole are dropped, and
        // those with the server finish (up to the grace) before the loop ends.
        epoll_ctl(epoll_, EPOLL_CTL_DEL, listener_, nullptr);
        close(listener_);
        listener_ = -1;
        give_up = absl::Now() + options_.shutdown_grace;
        std::vector<Ptr> unfinished;
        for (auto& [fd, c] : by_client_) {
          (void)fd;
          if (c->state != Connection::State::kRelaying) unfinished.push_back(c);
        }
        for (const Ptr& c : unfinished) Close(c);
      }
      if (stopping_.load() && (by_client_.empty() || absl::Now() >= give_up)) break;
      // Requests waiting for the server's backlog are retried every millisecond.
      const int n = epoll_wait(epoll_, events.data(), static_cast<int>(events.size()),
                               waiting_for_server_.empty() ? kTickMs : 1);
      for (int i = 0; i < n; ++i) {
        const int fd = events[i].data.fd;
        if (fd == wake_) continue;
        if (fd == listener_) {
          AcceptAll();
          continue;
        }
        // A copy of the pointer: handling the event may erase the map's.
        if (auto it = by_client_.find(fd); it != by_client_.end()) {
          const Ptr connection = it->second;
          OnClient(connection, events[i].events);
        } else if (auto up = by_upstream_.find(fd); up != by_upstream_.end()) {
          const Ptr connection = up->second;
          OnUpstream(connection, events[i].events);
        }
      }
      ConnectWaiting();
      SweepDeadlines();
    }
  }

  // Asks Run() to stop (see there); thread-safe.
  void Wake() {
    stopping_.store(true);
    const uint64_t one = 1;
    (void)!write(wake_, &one, sizeof one);
  }

 private:
  using Ptr = std::shared_ptr<Connection>;

  void Watch(int fd, uint32_t events, int op) {
    epoll_event e{};
    e.events = events;
    e.data.fd = fd;
    epoll_ctl(epoll_, op, fd, &e);
  }

  void AcceptAll() {
    while (true) {
      sockaddr_storage addr{};
      socklen_t size = sizeof addr;
      const int fd = accept4(listener_, reinterpret_cast<sockaddr*>(&addr), &size,
                             SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;  // EAGAIN, or out of descriptors until some close.
      // The answer is written as it arrives from the server: without this,
      // its last small segment waits for the client's delayed ACK (~40 ms).
      const int yes = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
      auto connection = std::make_shared<Connection>();
      connection->client = fd;
      connection->peer = PeerAddress(addr);
      connection->deadline = absl::Now() + options_.request_deadline;
      connection->capped = !(options_.uncapped && options_.uncapped(connection->peer));
      by_client_[fd] = connection;
      Watch(fd, EPOLLIN, EPOLL_CTL_ADD);
      if (static_cast<int>(by_client_.size()) > options_.max_connections) {
        connection->capped = false;
        Refuse(connection, 503, "Service Unavailable", "UNAVAILABLE",
               "the server has too many connections; try again");
        continue;
      }
      if (!connection->capped) continue;
      // Counted from here until Close(), refused or not.
      const int open = ++per_address_[connection->peer];
      if (options_.max_connections_per_address > 0 && open > options_.max_connections_per_address) {
        spdlog::warn("refused a connection from {}: {} already open", connection->peer,
                     options_.max_connections_per_address);
        Refuse(connection, 429, "Too Many Requests", "RESOURCE_EXHAUSTED",
               "too many connections from your address at once");
      }
    }
  }

  // Answers `connection` ourselves and closes it once the answer is out.
  void Refuse(const Ptr& connection, int status, absl::string_view reason, absl::string_view code,
              absl::string_view message) {
    connection->to_client = Answer(status, reason, code, message);
    connection->sent_client = 0;
    connection->answer_complete = true;
    connection->state = Connection::State::kRelaying;
    connection->deadline = absl::Now() + options_.response_deadline;
    if (connection->upstream >= 0) DropUpstream(*connection);
    Watch(connection->client, EPOLLOUT, EPOLL_CTL_MOD);
  }

  void OnClient(const Ptr& c, uint32_t events) {
    if (c->state == Connection::State::kRelaying) {
      if (events & (EPOLLERR | EPOLLHUP)) return Close(c);
      if (events & EPOLLOUT) FlushClient(c);
      return;
    }
    // Reading the request, or draining after the answer.
    char chunk[64 * 1024];
    while (true) {
      const ssize_t got = read(c->client, chunk, sizeof chunk);
      if (got == 0) return Close(c);
      if (got < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        return Close(c);
      }
      if (c->state == Connection::State::kDraining) continue;
      c->in.append(chunk, static_cast<size_t>(got));
      if (c->in.size() > options_.max_head_bytes + options_.max_body_bytes) break;
    }
    if (c->state == Connection::State::kReading) OnRequestBytes(c);
  }

  void OnRequestBytes(const Ptr& c) {
    const RequestExtent extent = MeasureRequest(c->in, options_.max_body_bytes);
    if (!extent.head_complete) {
      if (c->in.size() > options_.max_head_bytes) {
        Refuse(c, 431, "Request Header Fields Too Large", "INVALID_ARGUMENT",
               "the request head is too large");
      }
      return;
    }
    if (extent.head_bytes > options_.max_head_bytes) {
      return Refuse(c, 431, "Request Header Fields Too Large", "INVALID_ARGUMENT",
                    "the request head is too large");
    }
    if (extent.too_large) {
      c->drain_until = c->deadline;  // Read the rest of the upload away meanwhile.
      return Refuse(
          c, 413, "Payload Too Large", "INVALID_ARGUMENT",
          absl::StrCat("request body too large (at most ", options_.max_body_bytes, " bytes)"));
    }
    RequestExtent whole = extent;
    if (whole.wait_for_body && options_.answered_on_head &&
        options_.answered_on_head(absl::string_view(c->in.data(), extent.head_bytes))) {
      whole.wait_for_body = false;  // The server answers and closes without reading it.
    }
    const size_t wanted = whole.head_bytes + (whole.wait_for_body ? whole.body_bytes : 0);
    if (c->in.size() < wanted) {
      if (whole.expects_continue && !c->continue_sent) {
        // The client waits for this before it sends the body.
        constexpr absl::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        (void)Send(c->client, kContinue.data(), kContinue.size());
        c->continue_sent = true;
      }
      return;
    }
    Forward(c, whole);
  }

  void Forward(const Ptr& c, const RequestExtent& extent) {
    c->to_upstream = ForwardedHead(c->in.substr(0, extent.head_bytes), c->peer);
    if (extent.wait_for_body) c->to_upstream.append(c->in, extent.head_bytes, extent.body_bytes);
    c->in.clear();
    c->in.shrink_to_fit();
    c->state = Connection::State::kRelaying;
    c->deadline = absl::Now() + options_.response_deadline;
    Watch(c->client, 0, EPOLL_CTL_MOD);
    if (!waiting_for_server_.empty() || !ConnectUpstream(c)) waiting_for_server_.push_back(c);
  }

  // Connects `c` to the server; false when its accept backlog is full (it
  // holds only a few connections: httplib listens with a backlog of 5), so
  // the request waits for the next try instead of being refused.
  bool ConnectUpstream(const Ptr& c) {
    const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, options_.upstream_path.c_str(), sizeof addr.sun_path - 1);
    if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      const int error = errno;
      if (fd >= 0) close(fd);
      if (error == EAGAIN || error == EWOULDBLOCK) return false;
      spdlog::error("cannot reach the HTTP server behind the guard: {}", std::strerror(error));
      Refuse(c, 503, "Service Unavailable", "UNAVAILABLE",
             "the server is not answering; try again");
      return true;
    }
    c->upstream = fd;
    by_upstream_[fd] = c;
    Watch(fd, EPOLLIN | EPOLLOUT, EPOLL_CTL_ADD);
    return true;
  }

  // Retries the requests waiting for a free place in the server's backlog,
  // in arrival order.
  void ConnectWaiting() {
    while (!waiting_for_server_.empty()) {
      const Ptr c = waiting_for_server_.front();
      if (c->client >= 0 && !ConnectUpstream(c)) return;
      waiting_for_server_.pop_front();
    }
  }

  void OnUpstream(const Ptr& c, uint32_t events) {
    if (events & EPOLLOUT) {
      while (c->sent_upstream < c->to_upstream.size()) {
        const ssize_t put = Send(c->upstream, c->to_upstream.data() + c->sent_upstream,
                                 c->to_upstream.size() - c->sent_upstream);
        if (put < 0) {
          if (errno == EAGAIN || errno == EWOULDBLOCK) break;
          // The server answered early and closed (e.g. 413 on the head):
          // stop sending, and read its answer.
          c->sent_upstream = c->to_upstream.size();
          break;
        }
        c->sent_upstream += static_cast<size_t>(put);
      }
      if (c->sent_upstream == c->to_upstream.size()) {
        c->to_upstream.clear();
        c->to_upstream.shrink_to_fit();
        Watch(c->upstream, EPOLLIN, EPOLL_CTL_MOD);
      }
    }
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
      char chunk[64 * 1024];
      while (c->to_client.size() - c->sent_client < kMaxBufferedAnswer) {
        const ssize_t got = read(c->upstream, chunk, sizeof chunk);
        if (got > 0) {
          c->to_client.append(chunk, static_cast<size_t>(got));
          continue;
        }
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        return UpstreamEnded(c);
      }
      if (c->to_client.size() - c->sent_client >= kMaxBufferedAnswer) {
        Watch(c->upstream, 0, EPOLL_CTL_MOD);  // Until the client has read some.
      }
      FlushClient(c);
    }
  }

  void UpstreamEnded(const Ptr& c) {
    DropUpstream(*c);
    if (c->to_client.empty()) {
      return Refuse(c, 502, "Bad Gateway", "UNAVAILABLE",
                    "the server closed the connection without answering");
    }
    c->answer_complete = true;
    FlushClient(c);
  }

  void FlushClient(const Ptr& c) {
    while (c->sent_client < c->to_client.size()) {
      const ssize_t put = Send(c->client, c->to_client.data() + c->sent_client,
                               c->to_client.size() - c->sent_client);
      if (put < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        return Close(c);
      }
      c->sent_client += static_cast<size_t>(put);
    }
    if (c->sent_client == c->to_client.size()) {
      c->to_client.clear();
      c->sent_client = 0;
      if (c->answer_complete) return StartDraining(c);
      if (c->upstream >= 0) {
        const bool sending = c->sent_upstream < c->to_upstream.size();
        Watch(c->upstream, EPOLLIN | (sending ? EPOLLOUT : 0u), EPOLL_CTL_MOD);
      }
      Watch(c->client, 0, EPOLL_CTL_MOD);
      return;
    }
    Watch(c->client, EPOLLOUT, EPOLL_CTL_MOD);
  }

  // The answer is out: stop writing, and read what the client still sends
  // until it closes or kLinger passes, so closing does not reset the answer.
  void StartDraining(const Ptr& c) {
    shutdown(c->client, SHUT_WR);
    c->state = Connection::State::kDraining;
    c->deadline = std::max(absl::Now() + kLinger, c->drain_until);
    Watch(c->client, EPOLLIN, EPOLL_CTL_MOD);
  }

  void SweepDeadlines() {
    const absl::Time now = absl::Now();
    std::vector<Ptr> expired;
    for (auto& [fd, c] : by_client_) {
      (void)fd;
      if (now >= c->deadline) expired.push_back(c);
    }
    for (const Ptr& c : expired) {
      if (c->state == Connection::State::kReading) {
        spdlog::warn("dropped a request from {}: not whole after {}", c->peer,
                     absl::FormatDuration(options_.request_deadline));
        c->drain_until = absl::InfinitePast();
        Refuse(c, 408, "Request Timeout", "DEADLINE_EXCEEDED",
               "the request did not arrive in time");
        FlushClient(c);
        c->deadline = now + kLinger;
      } else {
        Close(c);
      }
    }
  }

  // The caller holds a pointer of its own to `c`.
  void DropUpstream(Connection& c) {
    if (c.upstream < 0) return;
    by_upstream_.erase(c.upstream);
    close(c.upstream);
    c.upstream = -1;
  }

  void CloseFds(Connection& c) {
    if (c.upstream >= 0) close(c.upstream);
    if (c.client >= 0) close(c.client);
    c.upstream = c.client = -1;
  }

  void Close(const Ptr& connection) {
    const Ptr c = connection;  // Outlives the erase below, whatever `connection` refers to.
    if (c->client < 0) return;
    DropUpstream(*c);
    if (c->capped) {
      auto it = per_address_.find(c->peer);
      if (it != per_address_.end() && --it->second <= 0) per_address_.erase(it);
    }
    by_client_.erase(c->client);
    close(c->client);
    c->client = -1;
  }

  const GuardOptions options_;
  int listener_ = -1;
  int epoll_ = -1;
  int wake_ = -1;
  std::atomic<bool> stopping_{false};
  std::unordered_map<int, Ptr> by_client_;
  std::unordered_map<int, Ptr> by_upstream_;
  std::map<std::string, int> per_address_;
  std::deque<Ptr> waiting_for_server_;  // Whole requests not yet connected to the server.
};

ConnectionGuard::ConnectionGuard(std::unique_ptr<Loop> loop) : loop_(std::move(loop)) {}

absl::StatusOr<std::unique_ptr<ConnectionGuard>> ConnectionGuard::Start(GuardOptions options) {
  auto loop = std::make_unique<Loop>(std::move(options));
  absl::StatusOr<int> port = loop->Bind();
  if (!port.ok()) return port.status();
  std::unique_ptr<ConnectionGuard> guard(new ConnectionGuard(std::move(loop)));
  guard->port_ = *port;
  guard->thread_ = std::thread([loop = guard->loop_.get()] { loop->Run(); });
  return guard;
}

ConnectionGuard::~ConnectionGuard() { Stop(); }

void ConnectionGuard::Stop() {
  if (!thread_.joinable()) return;
  loop_->Wake();
  thread_.join();
}

}  // namespace skinlens::gateway
