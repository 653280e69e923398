// Request ids and deadlines across gRPC hops.
//
// Server side, a handler opens a ServerCallScope first thing: it takes the
// caller's `x-request-id` (or makes one), echoes it in the response metadata
// and sets it as the thread's current id so every log line carries it.
// Client side, NewClientContext() puts the current id and a deadline on an
// outgoing call, so the id follows the photo from service to service.
//
//   grpc::ServerUnaryReactor* Predict(grpc::CallbackServerContext* ctx, ...) {
//     ServerCallScope scope(ctx);
//     auto downstream = NewClientContext(absl::Milliseconds(300));
//     ...
//   }
#pragma once

#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/logging/request_id.h"
#include "grpcpp/client_context.h"
#include "grpcpp/server_context.h"

namespace skinlens {

// The caller's `x-request-id` metadata value, or empty if absent.
std::string IncomingRequestId(const grpc::ServerContextBase& context);

// The request scope of one server call. Must be created on the thread that
// runs the handler, before anything is logged, and before the response's
// initial metadata is sent. Not movable.
class ServerCallScope {
 public:
  explicit ServerCallScope(grpc::ServerContextBase* context);

  const std::string& request_id() const { return scope_.request_id(); }

 private:
  ScopedRequestId scope_;
};

// A context for an outgoing call: deadline `timeout` from now and the request
// id `request_id` (the current thread's id when empty; none outside a request).
std::unique_ptr<grpc::ClientContext> NewClientContext(absl::Duration timeout,
                                                      absl::string_view request_id = {});

}  // namespace skinlens
