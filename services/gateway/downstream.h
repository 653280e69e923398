// How the gateway calls the services behind it: the client stubs, a deadline
// per stage, the caller's facts that travel with a call, and authentication
// (AuthService.ValidateToken) shared by every authenticated operation.
//
//   Downstreams d = ConnectDownstreams(targets);
//   CallInfo call{.token = token, .client_address = "203.0.113.7"};
//   SKINLENS_ASSIGN_OR_RETURN(AuthenticatedUser user,
//                             Authenticate(*d.auth, call, absl::Seconds(2)));
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/grpc/call_assertion.h"
#include "common/time/proto_time.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "grpcpp/client_context.h"
#include "skinlens/v1/auth.grpc.pb.h"
#include "skinlens/v1/explain.grpc.pb.h"
#include "skinlens/v1/history.grpc.pb.h"
#include "skinlens/v1/inference.grpc.pb.h"
#include "skinlens/v1/preprocess.grpc.pb.h"

namespace skinlens::gateway {

// The facts about one public call that both fronts provide. The request id is
// not here: it is the thread's current id (common/logging/request_id.h), set by
// the front before it calls the core.
struct CallInfo {
  // The bearer token from `authorization`; empty when the caller sent none.
  std::string token;
  // The caller's IP address (no port), for throttling in auth.
  std::string client_address;
  // The caller's User-Agent, stored with a new session; may be empty.
  std::string user_agent;
  // The caller's own deadline; every stage deadline is cut to it.
  absl::Time deadline = absl::InfiniteFuture();
};

// The longest each downstream call may take (each is also cut to the caller's
// deadline).
struct StageDeadlines {
  absl::Duration auth = absl::Seconds(2);
  absl::Duration preprocess = absl::Seconds(10);
  absl::Duration inference = absl::Seconds(10);
  absl::Duration explain = absl::Seconds(10);
  absl::Duration history = absl::Seconds(5);
};

// Client stubs of the five internal services. The gateway owns them; the
// stubs are thread-safe. Tests may put fakes' stubs here.
struct Downstreams {
  std::unique_ptr<v1::AuthService::StubInterface> auth;
  std::unique_ptr<v1::PreprocessService::StubInterface> preprocess;
  std::unique_ptr<v1::InferenceService::StubInterface> inference;
  std::unique_ptr<v1::ExplainService::StubInterface> explain;
  std::unique_ptr<v1::HistoryService::StubInterface> history;
};

// gRPC targets ("host:port" or any gRPC target URI) of the five services.
struct DownstreamTargets {
  std::string auth;
  std::string preprocess;
  std::string inference;
  std::string explain;
  std::string history;
};

// The secrets the gateway signs its calls with (common/grpc/call_assertion.h):
// one shared with history, one with auth, so neither callee can make calls
// the other would believe.
struct DownstreamKeys {
  CallAssertionKey history;
  CallAssertionKey auth;
};

// Channels (common/grpc/channel_factory.h: round_robin, retries of the
// idempotent methods on UNAVAILABLE, keepalive) and stubs for `targets`; the
// channels to auth and history sign every call with their key. Connecting
// is lazy; nothing fails here.
Downstreams ConnectDownstreams(const DownstreamTargets& targets, const DownstreamKeys& keys);

// A client context for one stage: deadline `stage` from now, cut to
// `call.deadline`, carrying the current request id and claiming the client's
// address (signed on the channels to auth and history). DEADLINE_EXCEEDED
// when the caller's deadline has already passed.
absl::StatusOr<std::unique_ptr<grpc::ClientContext>> NewStageContext(const CallInfo& call,
                                                                     absl::Duration stage);

// As NewStageContext, for a call that acts for `user_id` (history): the user
// is claimed in metadata, signed by the channel until the stage's deadline.
absl::StatusOr<std::unique_ptr<grpc::ClientContext>> NewUserStageContext(const CallInfo& call,
                                                                         absl::Duration stage,
                                                                         absl::string_view user_id);

// Who a valid token belongs to.
struct AuthenticatedUser {
  std::string user_id;
  std::string username;
};

// Validates `call.token` with AuthService.ValidateToken. UNAUTHENTICATED
// (ErrorInfo TOKEN_MISSING) without a token; auth's UNAUTHENTICATED (with its
// TOKEN_EXPIRED / TOKEN_INVALID detail) for a bad one; UNAVAILABLE or
// DEADLINE_EXCEEDED when auth cannot answer in `deadline`. Thread-safe.
absl::StatusOr<AuthenticatedUser> Authenticate(v1::AuthService::StubInterface& auth,
                                               const CallInfo& call, absl::Duration deadline);

}  // namespace skinlens::gateway
