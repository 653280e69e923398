// Per-RPC metrics for every SkinLens gRPC server, recorded by a server
// interceptor so that no handler has to remember to do it:
//
//   skinlens_grpc_server_handled_total{method,code}        counter
//   skinlens_grpc_server_handling_seconds{method}          histogram
//   skinlens_grpc_server_in_flight{method}                 gauge
//
// The names follow the conventions of go-grpc-prometheus so that existing
// dashboards read them with a prefix change.
#pragma once

#include <string>

#include "common/metrics/metrics_registry.h"
#include "grpcpp/support/server_interceptor.h"

namespace skinlens {

// The canonical name of a gRPC status code: "OK", "INVALID_ARGUMENT", ...
std::string GrpcCodeName(grpc::StatusCode code);

// Creates one MetricsInterceptor per RPC. `registry` must outlive the server.
class MetricsInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit MetricsInterceptorFactory(MetricsRegistry* registry) : registry_(registry) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  MetricsRegistry* registry_;
};

}  // namespace skinlens
