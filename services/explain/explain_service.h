// The gRPC face of the explain service: skinlens.v1.ExplainService (explain.proto) on the
// callback API, around an Explainer (explainer.h) that holds the model heads and does the work.
// It adds the request scope (request id), a concurrency limit (RESOURCE_EXHAUSTED with
// RetryInfo) and sends the Explainer's errors with their details (common/grpc/rich_status.h).
//
//   auto explainer = Explainer::Create(options);        // loads the bundle
//   ExplainService service(explainer->get(), ExplainServiceOptions{});
//   return RunServer(ServerOptionsFromFlags("explain"),
//                    {{v1::ExplainService::service_full_name(), &service}});
#pragma once

#include <atomic>

#include "absl/status/status.h"
#include "grpcpp/support/status.h"
#include "services/explain/explainer.h"
#include "skinlens/v1/explain.grpc.pb.h"

namespace skinlens::explain {

// Limits of the service.
struct ExplainServiceOptions {
  int max_concurrent_calls = 4;  // Explain calls computed at once; more get RESOURCE_EXHAUSTED.
};

// Implements ExplainService; each call runs synchronously on the gRPC callback thread.
// Thread-safe. Does not own the explainer, which must outlive it.
class ExplainService final : public v1::ExplainService::CallbackService {
 public:
  ExplainService(Explainer* explainer, ExplainServiceOptions options)
      : explainer_(explainer), options_(options) {}

  grpc::ServerUnaryReactor* Explain(grpc::CallbackServerContext* context,
                                    const v1::ExplainServiceExplainRequest* request,
                                    v1::ExplainServiceExplainResponse* response) override;
  grpc::ServerUnaryReactor* GetModelInfo(grpc::CallbackServerContext* context,
                                         const v1::ExplainServiceGetModelInfoRequest* request,
                                         v1::ExplainServiceGetModelInfoResponse* response) override;
  grpc::ServerUnaryReactor* ReloadModel(grpc::CallbackServerContext* context,
                                        const v1::ExplainServiceReloadModelRequest* request,
                                        v1::ExplainServiceReloadModelResponse* response) override;

 private:
  Explainer* const explainer_;
  const ExplainServiceOptions options_;
  std::atomic<int> in_flight_{0};  // Explain calls being computed
};

}  // namespace skinlens::explain
