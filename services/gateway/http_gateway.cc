#include "services/gateway/http_gateway.h"

#include <stdlib.h>
#include <sys/socket.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/grpc/rich_status.h"
#include "common/logging/request_id.h"
#include "httplib.h"
#include "services/gateway/bounded_task_queue.h"
#include "services/gateway/http_error.h"
#include "services/gateway/http_request.h"
#include "services/gateway/request_screen.h"
#include "services/gateway/response_encoding.h"
#include "services/gateway/static_files.h"
#include "spdlog/spdlog.h"

namespace skinlens::gateway {
namespace {

constexpr char kRequestIdHeader[] = "X-Request-Id";
constexpr char kJson[] = "application/json";

// Slack over the photo limit for multipart framing and form fields.
constexpr size_t kBodySlackBytes = 1 << 20;

// Every body goes out through here, compressed as response_encoding.h
// decides. A body set as a content provider of known length is sent by
// httplib as it is, so the library's own (slow) compression never runs.
void WriteBody(const httplib::Request& req, httplib::Response& res, std::string body,
               const std::string& content_type) {
  ContentCoding coding = ChooseContentCoding(req.get_header_value("Accept-Encoding"));
  const bool compressible = IsCompressible(content_type);
  if (!compressible || body.size() < kMinCompressedBytes) coding = ContentCoding::kIdentity;
  if (coding != ContentCoding::kIdentity) {
    absl::StatusOr<std::string> encoded = EncodeBody(body, coding);
    if (encoded.ok()) {
      body = *std::move(encoded);
      res.set_header("Content-Encoding", std::string(ContentCodingToken(coding)));
    } else {
      spdlog::warn("sending the response uncompressed: {}", encoded.status().ToString());
    }
  }
  // The body depends on Accept-Encoding wherever it could have been compressed.
  if (compressible) res.set_header("Vary", "Accept-Encoding");
  if (body.empty()) {
    res.set_content("", content_type);
    return;
  }
  auto shared = std::make_shared<const std::string>(std::move(body));
  res.set_content_provider(shared->size(), content_type,
                           [shared](size_t offset, size_t length, httplib::DataSink& sink) {
                             return sink.write(shared->data() + offset, length);
                           });
}

void WriteJson(const httplib::Request& req, httplib::Response& res, int http_status,
               const google::protobuf::Message& m) {
  res.status = http_status;
  res.set_header("Cache-Control", "no-store");
  WriteBody(req, res, ToJson(m), kJson);
}

void WriteError(const httplib::Request& req, httplib::Response& res, const absl::Status& status) {
  const HttpError error = ToHttpError(status);
  res.status = error.http_status;
  res.set_header("Cache-Control", "no-store");
  if (error.retry_after_seconds.has_value()) {
    res.set_header("Retry-After", absl::StrCat(*error.retry_after_seconds));
  }
  WriteBody(req, res, error.body, kJson);
  if (error.http_status >= 500) {
    spdlog::warn("request failed: {}", status.ToString());
  }
}

RequestHead HeadOf(const httplib::Request& req) {
  RequestHead head;
  head.method = req.method;
  head.path = req.path;
  if (req.has_header("Content-Length"))
    head.content_length = req.get_header_value("Content-Length");
  head.transfer_encoding = req.get_header_value("Transfer-Encoding");
  head.content_encoding = req.get_header_value("Content-Encoding");
  head.content_type = req.get_header_value("Content-Type");
  return head;
}

// Answers a request ScreenRequest refused (request_screen.h says when).
void WriteRefusal(const httplib::Request& req, httplib::Response& res, const Refusal& refusal) {
  ScopedRequestId scope(res.get_header_value(kRequestIdHeader));
  HttpError error = HttpErrorWithStatus(refusal.http_status, refusal.status);
  res.status = error.http_status;
  res.set_header("Cache-Control", "no-store");
  if (!refusal.allow.empty()) res.set_header("Allow", refusal.allow);
  WriteBody(req, res, std::move(error.body), kJson);
}

absl::StatusOr<CallInfo> CallFrom(const TrustedProxies& proxies, const httplib::Request& req) {
  CallInfo call;
  absl::StatusOr<std::string> token = BearerToken(req.get_header_value("Authorization"));
  if (!token.ok()) return token.status();
  call.token = *std::move(token);
  // Every request comes through the ConnectionGuard, which names the peer
  // (the server listens on a private socket only it can reach).
  call.client_address = proxies.ClientAddress(req.get_header_value(kPeerHeader),
                                              req.get_header_value("X-Forwarded-For"),
                                              req.get_header_value("Forwarded"));
  call.user_agent = req.get_header_value("User-Agent");
  return call;
}

// One API call: request scope, caller facts, `parse` the HTTP request into
// the proto, run `operation`, `write` its result, or write its error as JSON.
template <typename Request, typename Parse, typename Operation, typename Write>
void ServeWith(const TrustedProxies& proxies, const httplib::Request& req, httplib::Response& res,
               Parse parse, Operation operation, Write write) {
  ScopedRequestId scope(res.get_header_value(kRequestIdHeader));
  if (std::optional<Refusal> refusal = ScreenRequest(HeadOf(req), BodyLimits())) {
    return WriteRefusal(req, res, *refusal);
  }
  absl::StatusOr<CallInfo> call = CallFrom(proxies, req);
  if (!call.ok()) return WriteError(req, res, call.status());
  Request request;
  if (absl::Status parsed = parse(req, &request); !parsed.ok()) {
    return WriteError(req, res, parsed);
  }
  auto result = operation(*call, request);
  if (!result.ok()) return WriteError(req, res, result.status());
  write(req, res, *result);
}

// ServeWith() writing the result as JSON with `success_status`.
template <typename Request, typename Parse, typename Operation>
void Serve(const TrustedProxies& proxies, const httplib::Request& req, httplib::Response& res,
           Parse parse, Operation operation, int success_status = 200) {
  ServeWith<Request>(
      proxies, req, res, parse, operation,
      [success_status](const httplib::Request& q, httplib::Response& r,
                       const google::protobuf::Message& m) { WriteJson(q, r, success_status, m); });
}

// Parsers for the common request shapes.
auto JsonBody() {
  return [](const httplib::Request& req, google::protobuf::Message* m) {
    return ParseJsonBody(req.body, m);
  };
}
auto Query(std::vector<std::string> excluded = {}) {
  return [excluded](const httplib::Request& req, google::protobuf::Message* m) {
    return ParseQuery(req.params, m, excluded);
  };
}

// 415: the body is not an image this route reads; `fix` says what it takes.
absl::Status UnsupportedMedia(absl::string_view what, absl::string_view fix) {
  v1::QualityReport report;
  v1::QualityIssue* issue = report.add_issues();
  issue->set_reason(v1::QUALITY_REASON_UNSUPPORTED_FORMAT);
  issue->set_severity(v1::QUALITY_SEVERITY_BLOCKING);
  issue->set_message(std::string(fix));
  return WithDetails(absl::InvalidArgumentError(absl::StrCat("unsupported media type ", what)),
                     {&report});
}

// The DiagnoseRequest of POST /v1/diagnoses: the photo from a multipart
// `photo` part or the raw body, options from the query and form fields.
absl::Status ParseDiagnose(const httplib::Request& req, v1::DiagnoseRequest* request) {
  QueryParams options = req.params;
  std::string photo;
  if (req.is_multipart_form_data()) {
    bool found = false;
    for (const auto& [name, part] : req.files) {
      if (name == "photo") {
        if (found) return absl::InvalidArgumentError("more than one 'photo' part");
        photo = part.content;
        found = true;
      } else {
        options.emplace(name, part.content);
      }
    }
    if (!found) {
      v1::BadRequest bad;
      v1::BadRequest::FieldViolation* v = bad.add_field_violations();
      v->set_field("photo");
      v->set_description("the multipart body has no 'photo' part");
      return WithDetails(absl::InvalidArgumentError("the multipart body has no 'photo' part"),
                         {&bad});
    }
  } else {
    const std::string media = MediaType(req.get_header_value("Content-Type"));
    if (!IsPhotoMediaType(media)) {
      return UnsupportedMedia(media.empty() ? "(none)" : media,
                              "Send the photo as multipart/form-data (field 'photo') or as an "
                              "image/jpeg, image/png or image/webp body.");
    }
    photo = req.body;
  }
  if (absl::Status parsed = ParseQuery(options, request, {"photo"}); !parsed.ok()) return parsed;
  request->set_photo(std::move(photo));
  return absl::OkStatus();
}

// The GuideCaptureRequest of POST /v1/captureSessions/{id}/frames: the frame
// is the raw body, its capture time and the photo width come from the query.
absl::Status ParseCaptureFrame(const httplib::Request& req, v1::GuideCaptureRequest* frame) {
  const std::string media = MediaType(req.get_header_value("Content-Type"));
  if (!IsPhotoMediaType(media)) {
    return UnsupportedMedia(media.empty() ? "(none)" : media,
                            "Send the frame as an image/jpeg, image/png or image/webp body.");
  }
  if (absl::Status parsed = ParseQuery(req.params, frame, {"image"}); !parsed.ok()) return parsed;
  frame->set_image(req.body);
  return absl::OkStatus();
}

std::string QuotedFileName(absl::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  return out.empty() ? "skinlens-history.csv" : out;
}

}  // namespace

absl::Status HttpOptions::Validate() const {
  if (port < 0 || port > 65535) return absl::InvalidArgumentError("http_port must be in 0..65535");
  if (worker_threads < 1) return absl::InvalidArgumentError("http_threads must be at least 1");
  if (max_queued_connections < 1) {
    return absl::InvalidArgumentError("http_max_queued must be at least 1");
  }
  if (read_timeout <= absl::ZeroDuration() || write_timeout <= absl::ZeroDuration() ||
      request_deadline <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "http_read_timeout, http_write_timeout and http_request_deadline must be above 0");
  }
  if (max_connections_per_address < 0) {
    return absl::InvalidArgumentError("http_max_connections_per_address must be 0 or more");
  }
  return absl::OkStatus();
}

HttpGateway::HttpGateway(GatewayCore* core, HttpOptions options)
    : core_(core), options_(std::move(options)), server_(std::make_unique<httplib::Server>()) {}

HttpGateway::~HttpGateway() { Stop(); }

absl::StatusOr<std::unique_ptr<HttpGateway>> HttpGateway::Start(GatewayCore* core,
                                                                HttpOptions options) {
  std::unique_ptr<HttpGateway> gateway(new HttpGateway(core, std::move(options)));
  httplib::Server& server = *gateway->server_;
  const HttpOptions& o = gateway->options_;
  const size_t workers = o.worker_threads;
  const size_t queued = o.max_queued_connections;
  server.new_task_queue = [workers, queued] { return new BoundedTaskQueue(workers, queued); };
  server.set_payload_max_length(o.max_photo_bytes + kBodySlackBytes);
  server.set_read_timeout(absl::ToChronoMicroseconds(o.read_timeout));
  server.set_write_timeout(absl::ToChronoMicroseconds(o.write_timeout));
  // The guard sends one request per connection (Connection: close).
  server.set_keep_alive_max_count(1);
  server.set_default_headers({{"Content-Security-Policy", kContentSecurityPolicy},
                              {"X-Content-Type-Options", "nosniff"},
                              {"X-Frame-Options", "DENY"},
                              {"Referrer-Policy", "no-referrer"}});
  gateway->RegisterRoutes();

  // The server listens on a Unix socket in a folder of mode 0700 (mkdtemp),
  // so only this process reaches it and X-SkinLens-Peer can be believed.
  std::string dir = (std::filesystem::temp_directory_path() / "skinlens-http.XXXXXX").string();
  if (mkdtemp(dir.data()) == nullptr) {
    return absl::UnavailableError(absl::StrCat("cannot create a folder for the HTTP socket in ",
                                               std::filesystem::temp_directory_path().string()));
  }
  gateway->socket_dir_ = dir;
  const std::string socket_path = (gateway->socket_dir_ / "http.sock").string();
  server.set_address_family(AF_UNIX);
  if (!server.bind_to_port(socket_path, 80)) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", socket_path));
  }
  GuardOptions guard;
  guard.host = o.host;
  guard.port = o.port;
  guard.upstream_path = socket_path;
  guard.request_deadline = o.request_deadline;
  guard.response_deadline = o.write_timeout * 2;
  guard.shutdown_grace = o.write_timeout * 2;
  guard.max_connections_per_address = o.max_connections_per_address;
  guard.max_body_bytes = o.max_photo_bytes + kBodySlackBytes;
  const TrustedProxies* proxies = &gateway->options_.trusted_proxies;
  guard.uncapped = [proxies](const std::string& address) { return proxies->Contains(address); };
  guard.answered_on_head = [](absl::string_view head) {
    const std::optional<Refusal> refusal = ScreenRequest(ParseRequestHead(head), BodyLimits());
    return refusal.has_value() && refusal->answer_now;
  };
  absl::StatusOr<std::unique_ptr<ConnectionGuard>> started = ConnectionGuard::Start(guard);
  if (!started.ok()) return started.status();
  gateway->guard_ = *std::move(started);
  gateway->port_ = gateway->guard_->port();
  gateway->thread_ = std::thread([&server] { server.listen_after_bind(); });
  // httplib's stop() only acts once the listening loop runs: wait for it, so
  // that a Stop() right after Start() cannot miss it and hang.
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (!server.is_running() && absl::Now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!server.is_running()) {
    gateway->thread_.detach();         // Cannot be stopped; do not hang joining it.
    (void)gateway->server_.release();  // The thread still uses it.
    return absl::InternalError("the HTTP server did not start");
  }
  return gateway;
}

void HttpGateway::Stop() {
  if (guard_) guard_->Stop();  // No new requests; those in the server finish.
  if (thread_.joinable()) {
    server_->stop();
    thread_.join();
  }
  if (!socket_dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(socket_dir_, ignored);
    socket_dir_.clear();
  }
}

namespace {

// What runs around every route: the request id and head screening before it, JSON errors,
// exceptions and the access log after it.
void InstallHooks(httplib::Server& server) {
  using httplib::Request;
  using httplib::Response;

  server.set_pre_routing_handler([](const Request& req, Response& res) {
    res.set_header(kRequestIdHeader, RequestIdOrNew(req.get_header_value(kRequestIdHeader)));
    std::optional<Refusal> refusal = ScreenRequest(HeadOf(req), BodyLimits());
    if (!refusal.has_value() || !refusal->answer_now) {
      return httplib::Server::HandlerResponse::Unhandled;  // refused, if at all, after the body
    }
    // The body was not read: it must not be parsed as the next request.
    res.set_header("Connection", "close");
    WriteRefusal(req, res, *refusal);
    return httplib::Server::HandlerResponse::Handled;
  });
  // Errors httplib answers itself (no route, body too large, bad request
  // line) get the same JSON shape as the API's.
  server.set_error_handler(
      httplib::Server::HandlerWithResponse([](const Request& req, Response& res) {
        if (!res.has_header(kRequestIdHeader)) res.set_header(kRequestIdHeader, NewRequestId());
        // A handler's own error body (WriteBody sends it as a content provider) stays.
        if (!res.body.empty() || res.content_length_ > 0) {
          return httplib::Server::HandlerResponse::Unhandled;
        }
        // A wrong method has no route: its refusal waited for the body.
        if (std::optional<Refusal> refusal = ScreenRequest(HeadOf(req), BodyLimits())) {
          WriteRefusal(req, res, *refusal);
          return httplib::Server::HandlerResponse::Handled;
        }
        const HttpError error = HttpErrorForStatusCode(res.status);
        WriteBody(req, res, error.body, kJson);
        return httplib::Server::HandlerResponse::Handled;
      }));
  server.set_exception_handler([](const Request& req, Response& res, std::exception_ptr) {
    WriteError(req, res, absl::InternalError("unexpected error"));
  });
  server.set_logger([](const Request& req, const Response& res) {
    ScopedRequestId scope(res.get_header_value(kRequestIdHeader));
    spdlog::info("http {} {} -> {}", req.method, req.path, res.status);
  });
}

// Accounts and sessions.
void RegisterAccountRoutes(httplib::Server& server, GatewayCore* core,
                           const TrustedProxies* proxies) {
  using httplib::Request;
  using httplib::Response;

  server.Post("/v1/accounts", [core, proxies](const Request& req, Response& res) {
    Serve<v1::RegisterRequest>(
        *proxies, req, res, JsonBody(),
        [core](const CallInfo& c, const v1::RegisterRequest& r) { return core->Register(c, r); },
        201);
  });
  server.Post("/v1/sessions", [core, proxies](const Request& req, Response& res) {
    Serve<v1::LoginRequest>(
        *proxies, req, res, JsonBody(),
        [core](const CallInfo& c, const v1::LoginRequest& r) { return core->Login(c, r); });
  });
  server.Delete("/v1/sessions/current", [core, proxies](const Request& req, Response& res) {
    Serve<v1::LogoutRequest>(
        *proxies, req, res, JsonBody(),
        [core](const CallInfo& c, const v1::LogoutRequest& r) { return core->Logout(c, r); });
  });
  server.Post("/v1/account/password", [core, proxies](const Request& req, Response& res) {
    Serve<v1::ChangePasswordRequest>(*proxies, req, res, JsonBody(),
                                     [core](const CallInfo& c, const v1::ChangePasswordRequest& r) {
                                       return core->ChangePassword(c, r);
                                     });
  });
  server.Delete("/v1/account", [core, proxies](const Request& req, Response& res) {
    Serve<v1::DeleteAccountRequest>(*proxies, req, res, JsonBody(),
                                    [core](const CallInfo& c, const v1::DeleteAccountRequest& r) {
                                      return core->DeleteAccount(c, r);
                                    });
  });
}

// Diagnoses: analyse, list, get, delete, export.
void RegisterDiagnosisRoutes(httplib::Server& server, GatewayCore* core,
                             const TrustedProxies* proxies) {
  using httplib::Request;
  using httplib::Response;

  server.Post("/v1/diagnoses", [core, proxies](const Request& req, Response& res) {
    Serve<v1::DiagnoseRequest>(
        *proxies, req, res, ParseDiagnose,
        [core](const CallInfo& c, const v1::DiagnoseRequest& r) { return core->Diagnose(c, r); });
  });
  server.Get("/v1/diagnoses", [core, proxies](const Request& req, Response& res) {
    Serve<v1::ListDiagnosesRequest>(*proxies, req, res, Query(),
                                    [core](const CallInfo& c, const v1::ListDiagnosesRequest& r) {
                                      return core->ListDiagnoses(c, r);
                                    });
  });
  server.Get("/v1/diagnoses:export", [core, proxies](const Request& req, Response& res) {
    const bool csv = AcceptsCsv(req.get_header_value("Accept"));
    ServeWith<v1::ExportDiagnosesRequest>(
        *proxies, req, res, Query(),
        [core](const CallInfo& c, const v1::ExportDiagnosesRequest& r) {
          return core->ExportDiagnoses(c, r);
        },
        [csv](const Request& q, Response& r, const v1::ExportDiagnosesResponse& exported) {
          if (!csv) return WriteJson(q, r, 200, exported);
          // `Accept: text/csv`: the file itself instead of its JSON wrapping.
          r.set_header(
              "Content-Disposition",
              absl::StrCat("attachment; filename=\"", QuotedFileName(exported.file_name()), "\""));
          r.set_header("Cache-Control", "no-store");
          WriteBody(q, r, exported.content(),
                    exported.content_type().empty() ? std::string("text/csv; charset=utf-8")
                                                    : exported.content_type());
        });
  });
  auto diagnosis_id = [](const Request& req, google::protobuf::Message* m, auto* typed) {
    const std::string id = req.matches[1];
    if (absl::Status s = ParseQuery(req.params, m, {"diagnosisId"}); !s.ok()) return s;
    if (absl::Status s = ValidateDiagnosisId(id); !s.ok()) return s;
    typed->set_diagnosis_id(id);
    return absl::OkStatus();
  };
  server.Get(R"(/v1/diagnoses/([^/:]+))",
             [core, proxies, diagnosis_id](const Request& req, Response& res) {
               Serve<v1::GetDiagnosisRequest>(
                   *proxies, req, res,
                   [diagnosis_id](const Request& r, v1::GetDiagnosisRequest* m) {
                     return diagnosis_id(r, m, m);
                   },
                   [core](const CallInfo& c, const v1::GetDiagnosisRequest& r) {
                     return core->GetDiagnosis(c, r);
                   });
             });
  server.Delete(R"(/v1/diagnoses/([^/:]+))",
                [core, proxies, diagnosis_id](const Request& req, Response& res) {
                  Serve<v1::DeleteDiagnosisRequest>(
                      *proxies, req, res,
                      [diagnosis_id](const Request& r, v1::DeleteDiagnosisRequest* m) {
                        return diagnosis_id(r, m, m);
                      },
                      [core](const CallInfo& c, const v1::DeleteDiagnosisRequest& r) {
                        return core->DeleteDiagnosis(c, r);
                      });
                });
}

// Trends and the model.
void RegisterTrendAndModelRoutes(httplib::Server& server, GatewayCore* core,
                                 const TrustedProxies* proxies) {
  using httplib::Request;
  using httplib::Response;

  server.Get(R"(/v1/trends/([^/]+))", [core, proxies](const Request& req, Response& res) {
    Serve<v1::GetTrendRequest>(
        *proxies, req, res,
        [](const Request& r, v1::GetTrendRequest* m) {
          if (absl::Status s = ParseQuery(r.params, m, {"attributes"}); !s.ok()) return s;
          absl::StatusOr<v1::Attribute> attribute = ParseAttribute(std::string(r.matches[1]));
          if (!attribute.ok()) return attribute.status();
          m->add_attributes(*attribute);
          return absl::OkStatus();
        },
        [core](const CallInfo& c, const v1::GetTrendRequest& r) { return core->GetTrend(c, r); });
  });
  server.Get("/v1/model", [core, proxies](const Request& req, Response& res) {
    Serve<v1::GetModelInfoRequest>(*proxies, req, res, Query(),
                                   [core](const CallInfo& c, const v1::GetModelInfoRequest& r) {
                                     return core->GetModelInfo(c, r);
                                   });
  });
}

// Capture guidance, one frame per request (capture_session.proto).
void RegisterCaptureRoutes(httplib::Server& server, GatewayCore* core,
                           const TrustedProxies* proxies) {
  using httplib::Request;
  using httplib::Response;

  server.Post("/v1/captureSessions", [core, proxies](const Request& req, Response& res) {
    Serve<v1::CreateCaptureSessionRequest>(
        *proxies, req, res, JsonBody(),
        [core](const CallInfo& c, const v1::CreateCaptureSessionRequest& r) {
          return core->CreateCaptureSession(c, r);
        },
        201);
  });
  server.Post(R"(/v1/captureSessions/([^/:]+)/frames)",
              [core, proxies](const Request& req, Response& res) {
                const std::string id = req.matches[1];
                Serve<v1::GuideCaptureRequest>(
                    *proxies, req, res, ParseCaptureFrame,
                    [core, &id](const CallInfo& c, const v1::GuideCaptureRequest& frame) {
                      return core->JudgeCaptureFrame(c, id, frame);
                    });
              });
  server.Delete(R"(/v1/captureSessions/([^/:]+))",
                [core, proxies](const Request& req, Response& res) {
                  Serve<v1::DeleteCaptureSessionRequest>(
                      *proxies, req, res,
                      [](const Request& r, v1::DeleteCaptureSessionRequest* m) {
                        if (absl::Status s = ParseQuery(r.params, m, {"captureSessionId"}); !s.ok())
                          return s;
                        m->set_capture_session_id(std::string(r.matches[1]));
                        return absl::OkStatus();
                      },
                      [core](const CallInfo& c, const v1::DeleteCaptureSessionRequest& r) {
                        return core->DeleteCaptureSession(c, r);
                      });
                });
}

// Documents and probes, and the 404 of any other API path.
void RegisterDocumentRoutes(httplib::Server& server, const std::string& openapi) {
  using httplib::Request;
  using httplib::Response;

  server.Get("/v1/openapi.json", [openapi](const Request& req, Response& res) {
    res.set_header("Cache-Control", "no-cache");
    WriteBody(req, res, openapi, kJson);
  });
  server.Get("/healthz", [](const Request& req, Response& res) {
    res.set_header("Cache-Control", "no-store");
    WriteBody(req, res, "ok", "text/plain; charset=utf-8");
  });
  // Any other API path is an error, never a static file.
  server.Get("/v1/.*", [](const Request& req, Response& res) {
    WriteError(req, res, absl::NotFoundError("no such API route (see /v1/openapi.json)"));
  });
}

// The web app's files.
void RegisterWebApp(httplib::Server& server, const std::filesystem::path& web_root) {
  using httplib::Request;
  using httplib::Response;

  server.Get(".*", [web_root](const Request& req, Response& res) {
    absl::StatusOr<std::filesystem::path> file = ResolveStaticPath(web_root, req.path);
    std::string content;
    if (file.ok()) {
      std::ifstream in(*file, std::ios::binary);
      content.assign(std::istreambuf_iterator<char>(in), {});
      if (!in.good() && !in.eof()) file = absl::NotFoundError("unreadable");
    }
    if (!file.ok()) {
      WriteError(req, res, absl::NotFoundError("no such file"));
      return;
    }
    // Vite names assets by content hash: cache them for good; index.html and
    // the rest must be revalidated so a new build is picked up.
    const bool hashed = absl::StartsWith(req.path, "/assets/");
    res.set_header("Cache-Control", hashed ? "public, max-age=31536000, immutable" : "no-cache");
    WriteBody(req, res, std::move(content), ContentTypeFor(*file));
  });
}

}  // namespace

void HttpGateway::RegisterRoutes() {
  httplib::Server& server = *server_;
  const TrustedProxies* proxies = &options_.trusted_proxies;
  InstallHooks(server);
  RegisterAccountRoutes(server, core_, proxies);
  RegisterDiagnosisRoutes(server, core_, proxies);
  RegisterTrendAndModelRoutes(server, core_, proxies);
  RegisterCaptureRoutes(server, core_, proxies);
  RegisterDocumentRoutes(server, options_.openapi_json);
  RegisterWebApp(server, options_.web_root);
}

}  // namespace skinlens::gateway
