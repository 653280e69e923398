// skinlens-guide-bench: how many preview frames a second capture guidance
// judges per stream, measured by a real gRPC client against a running
// gateway (scripts/run), with 1 or more streams at once.
//
// Each stream sends a 640 x 480 JPEG frame (the test portrait, centred) and
// waits for its answer before sending the next, so every frame is judged and
// the rate is the most a camera can get answered. Prints per stream the
// frames judged per second and the answer latency. With --http, each "stream"
// is instead a capture session of the HTTP API with one POST per frame (what
// the web app does), over a new connection each, as a browser's fetch through
// the gateway's one-request-per-connection front.
//
//   skinlens-guide-bench --target 127.0.0.1:50050 --streams 4 --frames 60
//   skinlens-guide-bench --target 127.0.0.1:50050 --http 127.0.0.1:8080
#include <algorithm>
#include <iostream>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/config/config.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "opencv2/imgcodecs.hpp"
#include "opencv2/imgproc.hpp"
#include "skinlens/v1/diagnosis.grpc.pb.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50050", "The gateway's gRPC address");
ABSL_FLAG(std::string, photo, "tests/data/astronaut.jpg",
          "Portrait the frames are made of (scaled to 480 px, centred in 640 x 480)");
ABSL_FLAG(int32_t, streams, 1, "Guidance streams at once");
ABSL_FLAG(int32_t, frames, 60, "Frames each stream sends");
ABSL_FLAG(std::string, account, "guide-bench", "Account used (registered if missing)");
ABSL_FLAG(std::string, http, "",
          "host:port of the gateway's HTTP front: measure capture sessions (a POST per frame) "
          "instead of gRPC streams");

namespace {

namespace v1 = skinlens::v1;

constexpr char kPassword[] = "frames per second, measured";

struct StreamResult {
  int judged = 0;
  int failed = 0;
  absl::Duration wall;
  std::vector<double> latency_ms;
  std::string error;
};

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t i = std::min(values.size() - 1, static_cast<size_t>(p / 100 * values.size()));
  return values[i];
}

StreamResult RunStream(v1::DiagnosisService::Stub& stub, const std::string& token,
                       const std::string& frame_bytes, int frames) {
  StreamResult result;
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + token);
  auto stream = stub.GuideCapture(&context);
  const absl::Time start = absl::Now();
  for (int i = 0; i < frames; ++i) {
    v1::GuideCaptureRequest frame;
    frame.set_image(frame_bytes);
    const absl::Time sent = absl::Now();
    if (!stream->Write(frame)) break;
    v1::GuideCaptureResponse answer;
    if (!stream->Read(&answer)) break;
    result.latency_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - sent));
    if (answer.has_error() || answer.skipped()) {
      ++result.failed;
    } else {
      ++result.judged;
    }
  }
  result.wall = absl::Now() - start;
  stream->WritesDone();
  const grpc::Status status = stream->Finish();
  if (!status.ok()) result.error = status.error_message();
  return result;
}

// Logs `account` in, registering it first when it does not exist yet (only
// then: sign-ups from one address are throttled).
absl::StatusOr<std::string> LogIn(v1::DiagnosisService::Stub& stub, const std::string& account) {
  auto login = [&]() -> std::pair<grpc::Status, std::string> {
    grpc::ClientContext context;
    v1::LoginRequest request;
    request.set_username(account);
    request.set_password(kPassword);
    v1::LoginResponse session;
    const grpc::Status status = stub.Login(&context, request, &session);
    return {status, session.token()};
  };
  auto [status, token] = login();
  if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
    grpc::ClientContext context;
    v1::RegisterRequest request;
    request.set_username(account);
    request.set_password(kPassword);
    v1::RegisterResponse response;
    const grpc::Status registered = stub.Register(&context, request, &response);
    if (!registered.ok()) {
      return absl::UnavailableError(absl::StrCat("cannot register: ", registered.error_message()));
    }
    std::tie(status, token) = login();
  }
  if (!status.ok()) {
    return absl::UnavailableError(absl::StrCat("cannot log in: ", status.error_message()));
  }
  return token;
}

// One capture session over HTTP, one frame at a time, as the web app sends them.
StreamResult RunHttpSession(const std::string& host, int port, const std::string& token,
                            const std::string& frame_bytes, int frames) {
  StreamResult result;
  httplib::Client client(host, port);
  client.set_read_timeout(std::chrono::seconds(10));
  const httplib::Headers auth = {{"Authorization", "Bearer " + token}};
  httplib::Result opened = client.Post("/v1/captureSessions", auth, "{}", "application/json");
  if (!opened || opened->status != 201) {
    result.error =
        opened ? absl::StrCat("open: HTTP ", opened->status, " ", opened->body) : "open: no answer";
    return result;
  }
  const std::string id = nlohmann::json::parse(opened->body)["captureSessionId"];
  const std::string path = absl::StrCat("/v1/captureSessions/", id, "/frames");
  const absl::Time start = absl::Now();
  for (int i = 0; i < frames; ++i) {
    const absl::Time sent = absl::Now();
    httplib::Result r = client.Post(path, auth, frame_bytes, "image/jpeg");
    if (!r || r->status != 200) {
      result.error = r ? absl::StrCat("frame: HTTP ", r->status, " ", r->body) : "frame: no answer";
      break;
    }
    result.latency_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - sent));
    const nlohmann::json answer = nlohmann::json::parse(r->body);
    if (answer.contains("error") || answer.value("skipped", false)) {
      ++result.failed;
    } else {
      ++result.judged;
    }
  }
  result.wall = absl::Now() - start;
  client.Delete(absl::StrCat("/v1/captureSessions/", id), auth);
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  skinlens::InitCommandLine(argc, argv,
                            "skinlens-guide-bench: capture guidance frames/s per stream against a "
                            "running gateway");
  const cv::Mat photo = cv::imread(absl::GetFlag(FLAGS_photo), cv::IMREAD_COLOR);
  if (photo.empty()) {
    std::cerr << "cannot read --photo " << absl::GetFlag(FLAGS_photo) << "\n";
    return 2;
  }
  const int streams = absl::GetFlag(FLAGS_streams), frames = absl::GetFlag(FLAGS_frames);
  if (streams < 1 || frames < 1) {
    std::cerr << "--streams and --frames must be at least 1\n";
    return 2;
  }
  cv::Mat scaled, canvas(480, 640, CV_8UC3, cv::Scalar(128, 128, 128));
  cv::resize(photo, scaled, cv::Size(480, 480), 0, 0, cv::INTER_AREA);
  scaled.copyTo(canvas(cv::Rect(80, 0, 480, 480)));
  std::vector<unsigned char> jpeg;
  cv::imencode(".jpg", canvas, jpeg, {cv::IMWRITE_JPEG_QUALITY, 85});
  const std::string frame_bytes(jpeg.begin(), jpeg.end());

  auto stub = v1::DiagnosisService::NewStub(
      grpc::CreateChannel(absl::GetFlag(FLAGS_target), grpc::InsecureChannelCredentials()));
  // HTTP sessions each get their own account: the gateway keeps at most two
  // capture sessions per user.
  const bool over_http = !absl::GetFlag(FLAGS_http).empty();
  std::vector<std::string> tokens;
  for (int i = 0; i < (over_http ? streams : 1); ++i) {
    const std::string account = over_http ? absl::StrCat(absl::GetFlag(FLAGS_account), "-", i)
                                          : absl::GetFlag(FLAGS_account);
    absl::StatusOr<std::string> token = LogIn(*stub, account);
    if (!token.ok()) {
      std::cerr << token.status().message() << "\n";
      return 1;
    }
    tokens.push_back(*std::move(token));
  }

  const std::string http = absl::GetFlag(FLAGS_http);
  std::string http_host;
  int http_port = 0;
  if (!http.empty()) {
    const size_t colon = http.rfind(':');
    if (colon == std::string::npos || !absl::SimpleAtoi(http.substr(colon + 1), &http_port)) {
      std::cerr << "--http must be host:port, not '" << http << "'\n";
      return 2;
    }
    http_host = http.substr(0, colon);
  }
  std::vector<StreamResult> results(streams);
  std::vector<std::thread> threads;
  for (int i = 0; i < streams; ++i) {
    threads.emplace_back([&, i] {
      results[i] = http.empty()
                       ? RunStream(*stub, tokens[0], frame_bytes, frames)
                       : RunHttpSession(http_host, http_port, tokens[i], frame_bytes, frames);
    });
  }
  for (std::thread& t : threads) t.join();

  std::cout << absl::StrFormat("frame: %d x %d JPEG, %d bytes; %d %s x %d frames\n", canvas.cols,
                               canvas.rows, frame_bytes.size(), streams,
                               http.empty() ? "gRPC stream(s)" : "HTTP capture session(s)", frames);
  int status = 0;
  for (int i = 0; i < streams; ++i) {
    const StreamResult& r = results[i];
    std::cout << absl::StrFormat(
        "stream %d: %d judged, %d failed in %.2f s: %.1f frames/s; answer ms p50 %.1f p99 %.1f%s\n",
        i, r.judged, r.failed, absl::ToDoubleSeconds(r.wall),
        r.judged / std::max(1e-9, absl::ToDoubleSeconds(r.wall)), Percentile(r.latency_ms, 50),
        Percentile(r.latency_ms, 99), r.error.empty() ? "" : absl::StrCat("  error: ", r.error));
    if (!r.error.empty() || r.failed > 0) status = 1;
  }
  return status;
}
