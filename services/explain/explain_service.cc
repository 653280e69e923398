#include "services/explain/explain_service.h"

#include <string>
#include <utility>

#include "common/grpc/call_context.h"
#include "common/grpc/rich_status.h"
#include "common/time/proto_time.h"
#include "spdlog/spdlog.h"

namespace skinlens::explain {
grpc::ServerUnaryReactor* ExplainService::Explain(grpc::CallbackServerContext* context,
                                                  const v1::ExplainServiceExplainRequest* request,
                                                  v1::ExplainServiceExplainResponse* response) {
  ServerCallScope scope(context);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (in_flight_.fetch_add(1) >= options_.max_concurrent_calls) {
    in_flight_.fetch_sub(1);
    reactor->Finish(ToGrpcStatus(
        WithRetryDelay(absl::ResourceExhaustedError("explain is at its concurrency limit"),
                       absl::Milliseconds(100))));
    return reactor;
  }
  absl::StatusOr<v1::ExplainServiceExplainResponse> result = explainer_->Explain(*request);
  in_flight_.fetch_sub(1);
  if (!result.ok()) {
    spdlog::info("explain refused: {}", result.status().ToString());
    reactor->Finish(ToGrpcStatus(result.status()));
    return reactor;
  }
  *response = *std::move(result);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* ExplainService::GetModelInfo(
    grpc::CallbackServerContext* context, const v1::ExplainServiceGetModelInfoRequest* /*request*/,
    v1::ExplainServiceGetModelInfoResponse* response) {
  ServerCallScope scope(context);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  std::shared_ptr<const LoadedModel> model = explainer_->model();
  if (model == nullptr) {
    reactor->Finish(ToGrpcStatus(absl::UnavailableError("no model loaded yet")));
    return reactor;
  }
  *response->mutable_model_info() = model->info;
  SetTimestamp(model->load_time, response->mutable_load_time());
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* ExplainService::ReloadModel(
    grpc::CallbackServerContext* context, const v1::ExplainServiceReloadModelRequest* request,
    v1::ExplainServiceReloadModelResponse* response) {
  ServerCallScope scope(context);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<ReloadResult> result = explainer_->Reload(
      request->has_bundle_path() ? std::optional<std::string>(request->bundle_path())
                                 : std::nullopt);
  if (!result.ok()) {
    spdlog::warn("reload failed, the loaded model stays: {}", result.status().ToString());
    reactor->Finish(ToGrpcStatus(result.status()));
    return reactor;
  }
  spdlog::info("reloaded model {}", result->current->info.version());
  if (result->previous) *response->mutable_previous_model_info() = *result->previous;
  *response->mutable_model_info() = result->current->info;
  SetTimestamp(result->current->load_time, response->mutable_load_time());
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace skinlens::explain
