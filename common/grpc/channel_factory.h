// gRPC channels from one service to another, configured the same everywhere.
//
// - Load balancing: `round_robin`. With a `dns:///svc-headless:50051` target
//   the channel resolves every pod's address and spreads calls over them;
//   a plain Kubernetes Service would pin all calls to one pod, because gRPC
//   keeps its HTTP/2 connection open.
// - Retries: a retry policy in the service config for the methods the caller
//   names as idempotent, on UNAVAILABLE only (the call never reached a server
//   that could act on it, or the server said "try again").
// - Keepalive pings detect dead peers (a killed pod) within seconds.
// - Message size limits match the servers'.
//
//   auto channel = CreateChannel("dns:///inference:50051",
//       {.idempotent_methods = {"skinlens.v1.InferenceService/Predict"}});
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/support/client_interceptor.h"

namespace skinlens {

struct ChannelOptions {
  // "package.Service/Method", or "package.Service" for all of its methods.
  std::vector<std::string> idempotent_methods;
  int max_attempts = 3;  // Including the first; gRPC caps this at 5.
  absl::Duration initial_backoff = absl::Milliseconds(50);
  absl::Duration max_backoff = absl::Seconds(1);
  int max_message_bytes = 32 << 20;
  absl::Duration keepalive_time = absl::Seconds(20);
  absl::Duration keepalive_timeout = absl::Seconds(5);
};

// The service config JSON for `options` (round_robin plus retry policies).
std::string BuildServiceConfigJson(const ChannelOptions& options);

// An insecure channel (traffic stays inside the cluster network; see
// docs/ARCHITECTURE.md) to `target`, which may be "host:port" or any gRPC
// target URI such as "dns:///inference:50051". `interceptor`, when given,
// sees every call of the channel (e.g. CallSigner, call_assertion.h).
std::shared_ptr<grpc::Channel> CreateChannel(
    absl::string_view target, const ChannelOptions& options = {},
    std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface> interceptor = nullptr);

}  // namespace skinlens
