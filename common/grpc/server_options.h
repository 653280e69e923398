// Settings every SkinLens gRPC server shares, read from flags (and so from
// SKINLENS_* environment variables, see common/config/config.h).
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace skinlens {

struct ServerOptions {
  std::string service_name;        // For logs and metrics, e.g. "inference".
  std::string host = "127.0.0.1";  // Interface for the gRPC and admin ports.
  int port = 0;                    // gRPC port; 0 picks a free one.
  int admin_port = 0;              // HTTP /metrics and /healthz; 0 picks one, -1 disables.
  int max_message_bytes = 32 << 20;
  absl::Duration keepalive_time = absl::Seconds(30);
  absl::Duration keepalive_timeout = absl::Seconds(10);
  // A connection older than this (+-10% jitter) is told to go away (GOAWAY),
  // and the client reconnects, resolving the target again: a gateway's
  // channels then reach pods added since it connected. Calls in flight get
  // `max_connection_age_grace` to finish. Infinite: connections live forever.
  absl::Duration max_connection_age = absl::InfiniteDuration();
  absl::Duration max_connection_age_grace = absl::Seconds(30);
  // Once SIGTERM arrives: health turns NOT_SERVING at once, the server keeps
  // accepting for `drain_delay` (time for load balancers to notice), then
  // stops accepting and gives in-flight calls `shutdown_grace` to finish
  // before cancelling them.
  absl::Duration drain_delay = absl::ZeroDuration();
  absl::Duration shutdown_grace = absl::Seconds(10);
  // When set, the chosen ports are written here once serving, as
  // "grpc_port=N\nadmin_port=M\n" (written to a temporary file and renamed, so
  // a reader never sees half of it).
  std::string port_file;

  // Checks ranges; INVALID_ARGUMENT names the offending setting.
  absl::Status Validate() const;
};

// Options from the --host, --port, --admin_port, ... flags.
ServerOptions ServerOptionsFromFlags(std::string service_name);

}  // namespace skinlens
