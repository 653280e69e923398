#include "common/grpc/call_context.h"

namespace skinlens {

std::string IncomingRequestId(const grpc::ServerContextBase& context) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(kRequestIdKey);
  if (it == metadata.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

ServerCallScope::ServerCallScope(grpc::ServerContextBase* context)
    : scope_(RequestIdOrNew(IncomingRequestId(*context))) {
  context->AddInitialMetadata(kRequestIdKey, scope_.request_id());
}

std::unique_ptr<grpc::ClientContext> NewClientContext(absl::Duration timeout,
                                                      absl::string_view request_id) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  absl::string_view id = request_id.empty() ? CurrentRequestId() : request_id;
  if (!id.empty()) {
    context->AddMetadata(kRequestIdKey, std::string(id));
  }
  return context;
}

}  // namespace skinlens
