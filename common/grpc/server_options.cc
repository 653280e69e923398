#include "common/grpc/server_options.h"

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"

ABSL_FLAG(std::string, host, "127.0.0.1",
          "Interface the gRPC and admin ports listen on (0.0.0.0 in a container).");
ABSL_FLAG(int, port, 0, "gRPC port; 0 picks a free port (see --port_file).");
ABSL_FLAG(int, admin_port, 0,
          "HTTP admin port serving /metrics and /healthz; 0 picks a free port, -1 disables it.");
ABSL_FLAG(int, max_message_bytes, 32 << 20, "Largest gRPC message accepted or sent, in bytes.");
ABSL_FLAG(absl::Duration, keepalive_time, absl::Seconds(30),
          "Interval of HTTP/2 keepalive pings on idle connections.");
ABSL_FLAG(absl::Duration, keepalive_timeout, absl::Seconds(10),
          "How long to wait for a keepalive ping's answer before closing the connection.");
ABSL_FLAG(absl::Duration, max_connection_age, absl::InfiniteDuration(),
          "Close connections older than this (with jitter; clients reconnect and re-resolve "
          "the service's pods, so a scale-up gets traffic). 'inf' keeps them; 5m on Kubernetes.");
ABSL_FLAG(absl::Duration, max_connection_age_grace, absl::Seconds(30),
          "How long calls in flight on a connection past --max_connection_age may still run.");
ABSL_FLAG(absl::Duration, drain_delay, absl::ZeroDuration(),
          "After SIGTERM, keep accepting calls this long while health reports NOT_SERVING, so "
          "load balancers move away first (a few seconds on Kubernetes).");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(10),
          "After SIGTERM, how long in-flight calls may run before they are cancelled.");
ABSL_FLAG(std::string, port_file, "",
          "If set, write the chosen ports here once serving: grpc_port=N and admin_port=M lines.");

namespace skinlens {

absl::Status ServerOptions::Validate() const {
  if (port < 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("--port=", port, " is not in 0..65535"));
  }
  if (admin_port < -1 || admin_port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("--admin_port=", admin_port, " is not in -1..65535"));
  }
  if (port != 0 && port == admin_port) {
    return absl::InvalidArgumentError(
        absl::StrCat("--port and --admin_port are both ", port, "; they must differ"));
  }
  if (max_message_bytes < 1024) {
    return absl::InvalidArgumentError(
        absl::StrCat("--max_message_bytes=", max_message_bytes, " is below 1024"));
  }
  if (keepalive_time < absl::Seconds(1) || keepalive_timeout < absl::Seconds(1)) {
    return absl::InvalidArgumentError("--keepalive_time and --keepalive_timeout must be >= 1s");
  }
  if (max_connection_age < absl::Milliseconds(100) ||
      max_connection_age_grace < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "--max_connection_age must be at least 100ms ('inf' for no limit) and "
        "--max_connection_age_grace must not be negative");
  }
  if (drain_delay < absl::ZeroDuration() || shutdown_grace < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--drain_delay and --shutdown_grace must not be negative");
  }
  if (host.empty()) {
    return absl::InvalidArgumentError("--host must not be empty");
  }
  return absl::OkStatus();
}

ServerOptions ServerOptionsFromFlags(std::string service_name) {
  ServerOptions o;
  o.service_name = std::move(service_name);
  o.host = absl::GetFlag(FLAGS_host);
  o.port = absl::GetFlag(FLAGS_port);
  o.admin_port = absl::GetFlag(FLAGS_admin_port);
  o.max_message_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  o.keepalive_time = absl::GetFlag(FLAGS_keepalive_time);
  o.keepalive_timeout = absl::GetFlag(FLAGS_keepalive_timeout);
  o.max_connection_age = absl::GetFlag(FLAGS_max_connection_age);
  o.max_connection_age_grace = absl::GetFlag(FLAGS_max_connection_age_grace);
  o.drain_delay = absl::GetFlag(FLAGS_drain_delay);
  o.shutdown_grace = absl::GetFlag(FLAGS_shutdown_grace);
  o.port_file = absl::GetFlag(FLAGS_port_file);
  return o;
}

}  // namespace skinlens
