#include "common/grpc/metrics_interceptor.h"

#include <chrono>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "common/logging/request_id.h"
#include "spdlog/spdlog.h"

namespace skinlens {
namespace {

using grpc::experimental::InterceptionHookPoints;

// Lives exactly as long as one RPC: created when the call arrives, destroyed
// by gRPC after it completes. Only gRPC's call thread touches it.
class MetricsInterceptor : public grpc::experimental::Interceptor {
 public:
  MetricsInterceptor(MetricsRegistry* registry, std::string method)
      : registry_(registry),
        method_(std::move(method)),
        start_(std::chrono::steady_clock::now()),
        in_flight_(registry->GetGauge("skinlens_grpc_server_in_flight",
                                      "RPCs started and not yet finished.",
                                      {{"method", method_}})) {
    in_flight_.Add(1);
  }

  ~MetricsInterceptor() override {
    in_flight_.Add(-1);
    if (!status_recorded_) {
      // The call ended without a status being sent: the client went away.
      Record(grpc::StatusCode::CANCELLED);
    }
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      const auto* metadata = methods->GetRecvInitialMetadata();
      if (metadata != nullptr) {
        const auto it = metadata->find(kRequestIdKey);
        if (it != metadata->end()) request_id_.assign(it->second.data(), it->second.size());
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      Record(methods->GetSendStatus().error_code());
    }
    methods->Proceed();
  }

 private:
  void Record(grpc::StatusCode code) {
    status_recorded_ = true;
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    registry_
        ->GetCounter("skinlens_grpc_server_handled_total", "RPCs completed, by status code.",
                     {{"method", method_}, {"code", GrpcCodeName(code)}})
        .Increment();
    registry_
        ->GetHistogram("skinlens_grpc_server_handling_seconds",
                       "Time from receiving an RPC to sending its status.", {{"method", method_}})
        .Observe(seconds);
    // One access-log line per call, with the caller's request id, so that one
    // photo can be followed through every service's log. Health probes are
    // frequent and say nothing about a request: left out.
    if (!absl::StartsWith(method_, "/grpc.health.")) {
      spdlog::info("rpc {} {} {:.1f} ms request_id={}", method_, GrpcCodeName(code), seconds * 1e3,
                   request_id_.empty() ? "-" : request_id_);
    }
  }

  MetricsRegistry* registry_;
  const std::string method_;
  const std::chrono::steady_clock::time_point start_;
  Gauge& in_flight_;
  bool status_recorded_ = false;
  std::string request_id_;  // the caller's x-request-id, empty if none
};

}  // namespace

std::string GrpcCodeName(grpc::StatusCode code) {
  // gRPC's codes are absl's, number for number (both are google.rpc.Code); absl names them
  // and gives "" for a number outside the table.
  std::string name = absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
  return name.empty() ? "UNKNOWN" : name;
}

grpc::experimental::Interceptor* MetricsInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new MetricsInterceptor(registry_, info->method() ? info->method() : "unknown");
}

}  // namespace skinlens
