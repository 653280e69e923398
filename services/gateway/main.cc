// skinlens-gateway: the public entry point of SkinLens. Serves
// skinlens.v1.DiagnosisService over gRPC (for mobile apps and skinctl) and the
// same operations as HTTP+JSON under /v1 with the web app (for browsers), and
// orchestrates auth -> preprocess -> inference -> explain -> history.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "common/config/config.h"
#include "common/config/large_allocations.h"
#include "common/grpc/call_assertion.h"
#include "common/grpc/server_runner.h"
#include "common/grpc/shutdown_signal.h"
#include "common/logging/logging.h"
#include "common/status/status_macros.h"
#include "services/gateway/diagnosis_service.h"
#include "services/gateway/gateway_core.h"
#include "services/gateway/http_gateway.h"
#include "services/gateway/openapi.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(std::string, auth_target, "127.0.0.1:50051", "gRPC target of skinlens-auth");
ABSL_FLAG(std::string, preprocess_target, "127.0.0.1:50052", "gRPC target of skinlens-preprocess");
ABSL_FLAG(std::string, inference_target, "127.0.0.1:50053", "gRPC target of skinlens-inference");
ABSL_FLAG(std::string, explain_target, "127.0.0.1:50054", "gRPC target of skinlens-explain");
ABSL_FLAG(std::string, history_target, "127.0.0.1:50055", "gRPC target of skinlens-history");
ABSL_FLAG(std::string, user_assertion_key_file, "",
          "Required. File holding the secret (at least 32 bytes) shared with skinlens-history: "
          "the gateway signs the authenticated user of each history call with it. Create one "
          "with `head -c 32 /dev/urandom | base64 > FILE`");
ABSL_FLAG(std::string, auth_key_file, "",
          "Required. File holding the secret (at least 32 bytes) shared with skinlens-auth: "
          "the gateway signs each auth call (method, request id, client address, deadline) "
          "with it, and auth answers no other caller. Not the history secret");
ABSL_FLAG(absl::Duration, auth_deadline, absl::Seconds(2), "Deadline of each call to auth");
ABSL_FLAG(absl::Duration, preprocess_deadline, absl::Seconds(10),
          "Deadline of the preprocess stage of a photo");
ABSL_FLAG(absl::Duration, inference_deadline, absl::Seconds(10),
          "Deadline of the inference stage of a photo (queueing included)");
ABSL_FLAG(absl::Duration, explain_deadline, absl::Seconds(10),
          "Deadline of the explain stage; past it the grades are returned without heatmaps");
ABSL_FLAG(absl::Duration, history_deadline, absl::Seconds(5), "Deadline of each call to history");
ABSL_FLAG(int64_t, max_photo_bytes, 15 * 1000 * 1000, "Largest accepted photo in bytes");
ABSL_FLAG(int32_t, preview_max_side, 512,
          "Longer side of the photo preview whole-photo heatmaps are drawn on");
ABSL_FLAG(int32_t, max_concurrent_diagnoses, 32,
          "Photos in progress at once; more get RESOURCE_EXHAUSTED (HTTP 429)");
ABSL_FLAG(int32_t, guidance_max_streams, 16,
          "Capture guidance streams served at once; more get RESOURCE_EXHAUSTED");
ABSL_FLAG(int32_t, guidance_ready_frames, 3,
          "Capture guidance: ready frames in a row before capture_now");
ABSL_FLAG(double, guidance_max_face_movement, 0.08,
          "Capture guidance: most the face may move between frames (fraction of its width) "
          "and still count as still");
ABSL_FLAG(absl::Duration, guidance_idle_timeout, absl::Seconds(30),
          "Capture guidance: a stream without a frame for this long is ended");
ABSL_FLAG(absl::Duration, guidance_frame_deadline, absl::Seconds(2),
          "Capture guidance: deadline of judging one frame");
ABSL_FLAG(std::string, http_host, "127.0.0.1", "Interface of the HTTP port");
ABSL_FLAG(int32_t, http_port, 8080, "HTTP port (JSON API and web app); 0 picks a free one");
ABSL_FLAG(std::string, http_port_file, "",
          "When set, the chosen HTTP port is written here as 'http_port=N' before gRPC starts");
ABSL_FLAG(std::string, web_root, "services/gateway/web/dist",
          "Folder of the built web app; static files are served only from here");
ABSL_FLAG(int32_t, http_threads, 16, "HTTP worker threads (connections served at once)");
ABSL_FLAG(int32_t, http_max_queued, 64,
          "Accepted HTTP connections that may wait for a worker; beyond it accepting pauses");
ABSL_FLAG(absl::Duration, http_read_timeout, absl::Seconds(15), "HTTP read timeout");
ABSL_FLAG(absl::Duration, http_write_timeout, absl::Seconds(30), "HTTP write timeout");
ABSL_FLAG(absl::Duration, http_request_deadline, absl::Seconds(20),
          "An HTTP request (head and body) must have arrived whole this long after its "
          "connection opened, or it is answered 408 and dropped; slow clients never hold a "
          "worker");
ABSL_FLAG(int32_t, http_max_connections_per_address, 32,
          "HTTP connections one client address may hold open at once (beyond: 429); the "
          "--trusted_proxies are exempt. 0: no cap");
ABSL_FLAG(std::string, trusted_proxies, "",
          "Comma-separated addresses and CIDR ranges of the proxies in front of the gateway "
          "(the Ingress); only from these are X-Forwarded-For / Forwarded (HTTP) and "
          "x-forwarded-for / forwarded (gRPC metadata) believed to name the client. Empty: "
          "the peer is the client");

namespace {

namespace gw = skinlens::gateway;

bool WritePortFile(const std::string& path, int port) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "http_port=" << port << "\n";
    if (!out.good()) return false;
  }
  std::error_code error;
  std::filesystem::rename(tmp, path, error);
  return !error;
}

gw::GatewayOptions GatewayOptionsFromFlags() {
  gw::GatewayOptions options;
  options.diagnose.deadlines = {
      absl::GetFlag(FLAGS_auth_deadline), absl::GetFlag(FLAGS_preprocess_deadline),
      absl::GetFlag(FLAGS_inference_deadline), absl::GetFlag(FLAGS_explain_deadline),
      absl::GetFlag(FLAGS_history_deadline)};
  options.diagnose.max_photo_bytes = absl::GetFlag(FLAGS_max_photo_bytes);
  options.diagnose.preview_max_side = absl::GetFlag(FLAGS_preview_max_side);
  options.max_concurrent_diagnoses = absl::GetFlag(FLAGS_max_concurrent_diagnoses);
  options.guidance.max_streams = absl::GetFlag(FLAGS_guidance_max_streams);
  options.guidance.ready_frames = absl::GetFlag(FLAGS_guidance_ready_frames);
  options.guidance.max_face_movement = absl::GetFlag(FLAGS_guidance_max_face_movement);
  options.guidance.idle_timeout = absl::GetFlag(FLAGS_guidance_idle_timeout);
  options.guidance.frame_deadline = absl::GetFlag(FLAGS_guidance_frame_deadline);
  return options;
}

absl::StatusOr<gw::HttpOptions> HttpOptionsFromFlags(const gw::GatewayOptions& core) {
  absl::StatusOr<gw::TrustedProxies> proxies =
      gw::TrustedProxies::Parse(absl::GetFlag(FLAGS_trusted_proxies));
  if (!proxies.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("trusted_proxies: ", proxies.status().message()));
  }
  gw::HttpOptions http;
  http.trusted_proxies = *proxies;
  http.host = absl::GetFlag(FLAGS_http_host);
  http.port = absl::GetFlag(FLAGS_http_port);
  http.web_root = absl::GetFlag(FLAGS_web_root);
  http.openapi_json = std::string(gw::OpenApiJson());
  http.max_photo_bytes = static_cast<size_t>(core.diagnose.max_photo_bytes);
  http.worker_threads = static_cast<size_t>(std::max(0, absl::GetFlag(FLAGS_http_threads)));
  http.max_queued_connections =
      static_cast<size_t>(std::max(0, absl::GetFlag(FLAGS_http_max_queued)));
  http.read_timeout = absl::GetFlag(FLAGS_http_read_timeout);
  http.write_timeout = absl::GetFlag(FLAGS_http_write_timeout);
  http.request_deadline = absl::GetFlag(FLAGS_http_request_deadline);
  http.max_connections_per_address = absl::GetFlag(FLAGS_http_max_connections_per_address);
  SKINLENS_RETURN_IF_ERROR(http.Validate());
  return http;
}

// The five downstreams, their channels signed with the two secrets.
absl::StatusOr<gw::Downstreams> DownstreamsFromFlags() {
  auto history_key =
      skinlens::CallAssertionKey::FromFlag(absl::GetFlag(FLAGS_user_assertion_key_file),
                                           "--user_assertion_key_file", "skinlens-history");
  if (!history_key.ok()) return history_key.status();
  auto auth_key = skinlens::CallAssertionKey::FromFlag(absl::GetFlag(FLAGS_auth_key_file),
                                                       "--auth_key_file", "skinlens-auth");
  if (!auth_key.ok()) return auth_key.status();
  return gw::ConnectDownstreams(
      {absl::GetFlag(FLAGS_auth_target), absl::GetFlag(FLAGS_preprocess_target),
       absl::GetFlag(FLAGS_inference_target), absl::GetFlag(FLAGS_explain_target),
       absl::GetFlag(FLAGS_history_target)},
      {*std::move(history_key), *std::move(auth_key)});
}

}  // namespace

int main(int argc, char** argv) {
  skinlens::KeepLargeAllocationsInProcess();
  skinlens::InitCommandLine(
      argc, argv,
      "skinlens-gateway: the public gRPC DiagnosisService, the HTTP JSON API and the web app");
  if (absl::Status s = skinlens::SetupLoggingFromFlags("gateway"); !s.ok()) {
    spdlog::critical("{}", s.ToString());
    return 2;
  }
  const gw::GatewayOptions options = GatewayOptionsFromFlags();
  absl::StatusOr<gw::HttpOptions> http = HttpOptionsFromFlags(options);
  absl::StatusOr<gw::Downstreams> downstreams = DownstreamsFromFlags();
  for (const absl::Status& s : {options.Validate(), http.status(), downstreams.status()}) {
    if (!s.ok()) {
      spdlog::critical("invalid setting: {} (see --help)", std::string(s.message()));
      return 2;
    }
  }
  if (!std::filesystem::is_directory(http->web_root)) {
    spdlog::warn("web root '{}' is not a folder: the web app is not served (the API is)",
                 http->web_root.string());
  }
  gw::GatewayCore core(*std::move(downstreams), options);

  skinlens::InstallShutdownSignalHandlers();
  auto http_server = gw::HttpGateway::Start(&core, *http);
  if (!http_server.ok()) {
    spdlog::critical("{}", http_server.status().ToString());
    return 1;
  }
  const std::string http_port_file = absl::GetFlag(FLAGS_http_port_file);
  if (!http_port_file.empty() && !WritePortFile(http_port_file, (*http_server)->port())) {
    spdlog::critical("cannot write --http_port_file '{}'", http_port_file);
    return 1;
  }
  gw::DiagnosisService service(&core, http->trusted_proxies);
  auto grpc_server = skinlens::ServerRunner::Start(
      skinlens::ServerOptionsFromFlags("gateway"),
      {{skinlens::v1::DiagnosisService::service_full_name(), &service}});
  if (!grpc_server.ok()) {
    spdlog::critical("cannot start the gRPC server: {}", grpc_server.status().ToString());
    return 1;
  }
  spdlog::info("gateway serving HTTP on {}:{} (web root {}), gRPC on port {}, admin on port {}",
               http->host, (*http_server)->port(), http->web_root.string(), (*grpc_server)->port(),
               (*grpc_server)->admin_port());
  const int signo = skinlens::WaitForShutdownSignal();
  spdlog::info("received {}",
               signo == 0 ? std::string("shutdown request") : absl::StrCat("signal ", signo));
  // gRPC first (health turns NOT_SERVING, in-flight calls drain), then HTTP
  // (stops accepting, finishes the requests in progress).
  (*grpc_server)->Shutdown();
  (*http_server)->Stop();
  return 0;
}
