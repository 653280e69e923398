#include "services/gateway/skinctl/skinctl.h"

#include <filesystem>
#include <fstream>
#include <thread>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "common/grpc/rich_status.h"
#include "common/status/status_macros.h"
#include "google/protobuf/util/json_util.h"
#include "services/gateway/skinctl/token_store.h"

namespace skinlens::skinctl {

const char kUsage[] =
    R"(skinctl: a command-line client of the SkinLens gRPC API (skinlens.v1.DiagnosisService)

Usage: skinctl [flags] <command> [operands]

Commands:
  register <username>       create an account (password from --password, $SKINLENS_PASSWORD or a prompt)
  login <username>          log in and keep the session token in --token_file (mode 0600)
  logout                    end the session and forget the token
  diagnose <photo>          grade a face photo (JPEG, PNG or WebP); --heatmaps DIR also writes
                            the Grad-CAM overlays there
  history                   list your diagnoses, newest first (--page_size)
  show <id>                 one diagnosis in full
  trend <attribute>         one attribute over time: oil, hydration, wrinkle, pigmentation,
                            sensitivity (--bucket none|day|week|month, --time_zone Asia/Seoul)
  delete <id>               delete one diagnosis
  export                    your history as CSV (to --out, or stdout)
  model                     the serving model (says when it is the demo model)
  delete-account            delete your account and all its diagnoses (asks the password)
  guide <frame>...          live capture guidance: streams the frames (small JPEGs, at most
                            640 px, e.g. a camera's previews) at --fps and prints one answer per
                            frame: the issues, "ready", "capture now", or "skipped"

Output is a table; --json prints protobuf's JSON mapping of the response.
Flags (each also from SKINLENS_<FLAG>): --target, --token_file, --json, --heatmaps,
--password, --timeout, --page_size, --bucket, --time_zone, --out, --fps, --photo_width.
See --help.
)";

namespace {

namespace fs = std::filesystem;

std::string FormatTime(const google::protobuf::Timestamp& t,
                       const absl::TimeZone& zone = absl::UTCTimeZone()) {
  if (t.seconds() == 0 && t.nanos() == 0) return "-";
  const absl::Time time = absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
  if (zone == absl::UTCTimeZone()) return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", time, zone);
  return absl::FormatTime("%Y-%m-%d %H:%M:%S %Ez", time, zone);  // e.g. +09:00
}

absl::StatusOr<v1::Attribute> ParseAttribute(absl::string_view text) {
  const std::string upper = absl::AsciiStrToUpper(text);
  const auto* value = v1::Attribute_descriptor()->FindValueByName(upper);
  if (value == nullptr) value = v1::Attribute_descriptor()->FindValueByName("ATTRIBUTE_" + upper);
  if (value == nullptr || value->number() == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown attribute '", text,
                     "': use oil, hydration, wrinkle, pigmentation or sensitivity"));
  }
  return static_cast<v1::Attribute>(value->number());
}

absl::StatusOr<v1::TrendBucket> ParseBucket(absl::string_view text) {
  if (text.empty()) return v1::TREND_BUCKET_UNSPECIFIED;
  const auto* value = v1::TrendBucket_descriptor()->FindValueByName(
      absl::StrCat("TREND_BUCKET_", absl::AsciiStrToUpper(text)));
  if (value == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown --bucket '", text, "': use none, day, week or month"));
  }
  return static_cast<v1::TrendBucket>(value->number());
}

std::string RegionName(v1::FaceRegion region) {
  return absl::AsciiStrToLower(absl::StripPrefix(v1::FaceRegion_Name(region), "FACE_REGION_"));
}

const char* Extension(v1::ImageEncoding encoding) {
  return encoding == v1::IMAGE_ENCODING_JPEG ? ".jpg" : ".png";
}

// Writes the overlays (or, without them, the 8-bit values as PGM) of a
// diagnosis's heatmaps into `dir`; returns how many files.
absl::StatusOr<int> WriteHeatmaps(const v1::Diagnosis& diagnosis, const std::string& dir) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (error)
    return absl::InternalError(absl::StrCat("cannot create '", dir, "': ", error.message()));
  int written = 0;
  auto write = [&](const std::string& name, const std::string& header, const std::string& bytes) {
    std::ofstream out(fs::path(dir) / name, std::ios::binary | std::ios::trunc);
    out << header << bytes;
    if (out.good()) ++written;
    return out.good();
  };
  for (const v1::PhotoHeatmap& h : diagnosis.photo_heatmaps()) {
    const std::string base = absl::StrCat("photo-", AttributeName(h.attribute()));
    const bool ok =
        h.overlay().empty()
            ? write(base + ".pgm", absl::StrCat("P5\n", h.width(), " ", h.height(), "\n255\n"),
                    h.values())
            : write(base + Extension(h.overlay_encoding()), "", h.overlay());
    if (!ok) return absl::InternalError(absl::StrCat("cannot write into '", dir, "'"));
  }
  for (const v1::Heatmap& h : diagnosis.heatmaps()) {
    const std::string base =
        absl::StrCat(RegionName(h.region()), "-", AttributeName(h.attribute()));
    const bool ok =
        h.overlay().empty()
            ? write(base + ".pgm", absl::StrCat("P5\n", h.width(), " ", h.height(), "\n255\n"),
                    h.values())
            : write(base + Extension(h.overlay_encoding()), "", h.overlay());
    if (!ok) return absl::InternalError(absl::StrCat("cannot write into '", dir, "'"));
  }
  return written;
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read '", path, "'"));
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

std::string AttributeName(v1::Attribute attribute) {
  return absl::AsciiStrToLower(absl::StripPrefix(v1::Attribute_Name(attribute), "ATTRIBUTE_"));
}

absl::Status DescribeRpcError(const grpc::Status& status) {
  std::vector<std::string> lines = {status.error_message()};
  if (auto report = FindDetail<v1::QualityReport>(status)) {
    lines.push_back("The photo was not accepted:");
    for (const v1::QualityIssue& issue : report->issues()) {
      lines.push_back(absl::StrCat(
          "  - ", absl::StripPrefix(v1::QualityReason_Name(issue.reason()), "QUALITY_REASON_"),
          issue.severity() == v1::QUALITY_SEVERITY_WARNING ? " (warning)" : "", ": ",
          issue.message()));
    }
  }
  if (auto bad = FindDetail<v1::BadRequest>(status)) {
    for (const auto& v : bad->field_violations()) {
      lines.push_back(absl::StrCat("  - ", v.field(), ": ", v.description(),
                                   v.reason().empty() ? "" : absl::StrCat(" (", v.reason(), ")")));
    }
  }
  if (auto info = FindDetail<v1::ErrorInfo>(status)) {
    lines.push_back(
        absl::StrCat("  reason: ", info->reason(),
                     info->domain().empty() ? "" : absl::StrCat(" (", info->domain(), ")")));
  }
  if (auto retry = FindDetail<v1::RetryInfo>(status)) {
    lines.push_back(absl::StrCat("  retry after ", retry->retry_delay().seconds(), " s"));
  }
  switch (status.error_code()) {
    case grpc::StatusCode::UNAUTHENTICATED:
      lines.push_back("  Log in again: skinctl login <username>");
      break;
    case grpc::StatusCode::UNAVAILABLE:
      lines.push_back(
          "  The service is unreachable or a part of it is down; check --target and retry.");
      break;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      lines.push_back("  The call took too long; retry, or raise --timeout.");
      break;
    default:
      break;
  }
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::StrJoin(lines, "\n"));
}

std::string FormatDiagnosis(const v1::Diagnosis& d) {
  std::string out = absl::StrCat("Diagnosis ", d.id().empty() ? "(not saved)" : d.id(), "  ",
                                 FormatTime(d.create_time()), "  model ", d.model_version(), "\n");
  if (d.demo_model()) {
    absl::StrAppend(&out,
                    "NOTE: the demo model graded this photo; its grades mean nothing for real "
                    "faces.\n");
  }
  absl::StrAppend(
      &out, absl::StrFormat("%-14s %5s %6s  %s\n", "ATTRIBUTE", "GRADE", "SCORE", "P(grade 0..4)"));
  for (const v1::AttributeResult& r : d.results()) {
    std::vector<std::string> p;
    for (float x : r.distribution().probabilities()) p.push_back(absl::StrFormat("%.2f", x));
    absl::StrAppend(&out,
                    absl::StrFormat("%-14s %5d %6.2f  %s\n", AttributeName(r.attribute()),
                                    r.distribution().grade(), r.distribution().expected_score(),
                                    absl::StrJoin(p, " ")));
  }
  if (d.regions_size() > 0) {
    std::vector<std::string> regions;
    for (const v1::RegionResult& r : d.regions()) regions.push_back(RegionName(r.region()));
    absl::StrAppend(&out, "regions: ", absl::StrJoin(regions, ", "), "\n");
  }
  for (const v1::QualityIssue& issue : d.quality().issues()) {
    absl::StrAppend(&out, "quality warning: ", issue.message(), "\n");
  }
  absl::StrAppend(&out, "heatmaps: ",
                  absl::AsciiStrToLower(absl::StripPrefix(
                      v1::ExplanationStatus_Name(d.explanation_status()), "EXPLANATION_STATUS_")));
  if (!d.explanation_error().empty()) absl::StrAppend(&out, " (", d.explanation_error(), ")");
  absl::StrAppend(&out, "\n");
  return out;
}

std::string FormatDiagnosisList(const v1::ListDiagnosesResponse& page) {
  const v1::Attribute kAll[] = {v1::ATTRIBUTE_OIL, v1::ATTRIBUTE_HYDRATION, v1::ATTRIBUTE_WRINKLE,
                                v1::ATTRIBUTE_PIGMENTATION, v1::ATTRIBUTE_SENSITIVITY};
  // Cells first, so that every column is as wide as its widest cell.
  std::vector<std::vector<std::string>> rows = {{"ID", "CREATED"}};
  for (v1::Attribute a : kAll) rows[0].push_back(AttributeName(a));
  for (const v1::Diagnosis& d : page.diagnoses()) {
    std::vector<std::string> row = {d.id(), FormatTime(d.create_time())};
    for (v1::Attribute a : kAll) {
      std::string cell = "-";
      for (const v1::AttributeResult& r : d.results()) {
        if (r.attribute() != a) continue;
        // An abstained attribute has no grade: its score only.
        cell = r.abstained() ? absl::StrFormat("? (%.2f)", r.distribution().expected_score())
                             : absl::StrFormat("%d (%.2f)", r.distribution().grade(),
                                               r.distribution().expected_score());
      }
      row.push_back(cell);
    }
    rows.push_back(std::move(row));
  }
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      // Text columns left-aligned, grade columns right-aligned.
      const int w = static_cast<int>(width[i]);
      absl::StrAppend(
          &out, i == 0 ? "" : "  ",
          i < 2 ? absl::StrFormat("%-*s", w, row[i]) : absl::StrFormat("%*s", w, row[i]));
    }
    absl::StrAppend(&out, "\n");
  }
  if (page.diagnoses().empty()) absl::StrAppend(&out, "(no diagnoses)\n");
  if (!page.next_page_token().empty())
    absl::StrAppend(&out, "(more: a larger --page_size shows them)\n");
  absl::StrAppend(&out, "(grade (expected score) on the 0-4 scale; ? = cannot estimate)\n");
  return out;
}

std::string FormatTrend(const v1::GetTrendResponse& trend, const absl::TimeZone& zone) {
  std::string out;
  for (const v1::TrendSeries& series : trend.series()) {
    absl::StrAppend(&out, AttributeName(series.attribute()), "\n");
    absl::StrAppend(&out, absl::StrFormat("%-26s %5s %10s %6s %6s %10s\n", "TIME", "COUNT",
                                          "MEAN SCORE", "MIN", "MAX", "MEAN GRADE"));
    for (const v1::TrendPoint& p : series.points()) {
      absl::StrAppend(&out, absl::StrFormat("%-26s %5d %10.2f %6.2f %6.2f %10.2f\n",
                                            FormatTime(p.start_time(), zone), p.count(),
                                            p.mean_expected_score(), p.min_expected_score(),
                                            p.max_expected_score(), p.mean_grade()));
    }
    if (series.points().empty()) absl::StrAppend(&out, "(no diagnoses)\n");
  }
  if (trend.truncated()) absl::StrAppend(&out, "(only the newest points are shown)\n");
  return out;
}

std::string FormatGuidance(const v1::GuideCaptureResponse& answer, const std::string& file) {
  std::string line = absl::StrFormat("frame %d  %s  ", answer.frame_index(), file);
  if (answer.skipped()) return line + "skipped (a newer frame was judged)\n";
  if (answer.has_error()) return absl::StrCat(line, "error: ", answer.error().message(), "\n");
  if (answer.capture_now()) {
    absl::StrAppend(&line, "CAPTURE NOW");
  } else if (answer.ready()) {
    absl::StrAppend(&line, "ready (", answer.ready_streak(), " in a row)");
  } else {
    absl::StrAppend(&line, "not ready");
  }
  for (const v1::QualityIssue& issue : answer.issues()) {
    absl::StrAppend(&line, "\n    ",
                    issue.severity() == v1::QUALITY_SEVERITY_BLOCKING ? "blocking" : "warning",
                    "  ", issue.message());
  }
  return line + "\n";
}

std::string FormatModelInfo(const v1::ModelInfo& info) {
  std::vector<std::string> attributes;
  for (int a : info.attributes())
    attributes.push_back(AttributeName(static_cast<v1::Attribute>(a)));
  std::string out = absl::StrCat(
      "version:      ", info.version(), "\n", "architecture: ", info.architecture(), "\n",
      "input:        ", info.input_width(), "x", info.input_height(), "\n",
      "attributes:   ", absl::StrJoin(attributes, ", "), "\n", "trained on:   ", info.trained_on(),
      "\n", "created:      ", FormatTime(info.create_time()), "\n", "digest:       ", info.digest(),
      "\n");
  for (const v1::AttributeMetrics& m : info.validation_metrics()) {
    absl::StrAppend(&out, absl::StrFormat("  %-13s P-Recall %.3f  accuracy %.3f  (%d samples)\n",
                                          AttributeName(m.attribute()), m.p_recall(), m.accuracy(),
                                          m.sample_count()));
  }
  if (info.demo_model()) {
    absl::StrAppend(&out,
                    "NOTE: this is the demo model, trained on synthetic images only: its grades "
                    "mean nothing for real faces.\n");
  }
  return out;
}

Skinctl::Skinctl(std::unique_ptr<v1::DiagnosisService::StubInterface> stub, Options options,
                 std::ostream* out, PasswordPrompt ask_password)
    : stub_(std::move(stub)),
      options_(std::move(options)),
      out_(*out),
      ask_password_(std::move(ask_password)) {}

absl::Status Skinctl::Run(const std::vector<std::string>& args) {
  if (args.empty()) return absl::InvalidArgumentError("usage: no command given");
  const std::string& command = args[0];
  const std::vector<std::string> operands(args.begin() + 1, args.end());
  auto want = [&](size_t n) -> absl::Status {
    if (operands.size() != n) {
      return absl::InvalidArgumentError(
          absl::StrCat("usage: '", command, "' takes ", n, " operand", n == 1 ? "" : "s"));
    }
    return absl::OkStatus();
  };
  absl::Status arity;
  if (command == "register") return (arity = want(1)).ok() ? Register(operands) : arity;
  if (command == "login") return (arity = want(1)).ok() ? Login(operands) : arity;
  if (command == "logout") return (arity = want(0)).ok() ? Logout() : arity;
  if (command == "diagnose") return (arity = want(1)).ok() ? Diagnose(operands) : arity;
  if (command == "history") return (arity = want(0)).ok() ? History() : arity;
  if (command == "show") return (arity = want(1)).ok() ? Show(operands) : arity;
  if (command == "trend") return (arity = want(1)).ok() ? Trend(operands) : arity;
  if (command == "delete") return (arity = want(1)).ok() ? Delete(operands) : arity;
  if (command == "model") return (arity = want(0)).ok() ? Model() : arity;
  if (command == "export") return (arity = want(0)).ok() ? Export() : arity;
  if (command == "delete-account") return (arity = want(0)).ok() ? DeleteAccount() : arity;
  if (command == "guide") {
    if (operands.empty()) return absl::InvalidArgumentError("usage: 'guide' takes frame files");
    return Guide(operands);
  }
  return absl::InvalidArgumentError(absl::StrCat("usage: unknown command '", command, "'"));
}

absl::StatusOr<std::unique_ptr<grpc::ClientContext>> Skinctl::Context(bool authenticated) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + options_.timeout));
  if (authenticated) {
    absl::StatusOr<std::string> token = LoadToken(options_.token_file);
    if (!token.ok()) return token.status();
    context->AddMetadata("authorization", absl::StrCat("Bearer ", *token));
  }
  return context;
}

absl::StatusOr<std::string> Skinctl::Password(const std::string& prompt) {
  if (!options_.password.empty()) return options_.password;
  if (!ask_password_) return absl::InvalidArgumentError("no password: pass --password");
  return ask_password_(prompt);
}

void Skinctl::PrintJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions print;
  print.add_whitespace = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(message, &json, print);
  out_ << json;
  if (json.empty() || json.back() != '\n') out_ << "\n";
}

template <typename Request, typename Response>
absl::Status Skinctl::Call(grpc::Status (v1::DiagnosisService::StubInterface::*method)(
                               grpc::ClientContext*, const Request&, Response*),
                           bool authenticated, const Request& request, Response* response) {
  absl::StatusOr<std::unique_ptr<grpc::ClientContext>> context = Context(authenticated);
  if (!context.ok()) return context.status();
  const grpc::Status status = ((*stub_).*method)(context->get(), request, response);
  if (!status.ok()) return DescribeRpcError(status);
  return absl::OkStatus();
}

absl::Status Skinctl::Register(const std::vector<std::string>& args) {
  v1::RegisterRequest request;
  request.set_username(args[0]);
  absl::StatusOr<std::string> password = Password("New password: ");
  if (!password.ok()) return password.status();
  request.set_password(*password);
  v1::RegisterResponse response;
  SKINLENS_RETURN_IF_ERROR(
      Call(&v1::DiagnosisService::StubInterface::Register, false, request, &response));
  if (options_.json) {
    PrintJson(response);
  } else {
    out_ << "Registered " << response.username() << " (user " << response.user_id()
         << "). Now: skinctl login " << response.username() << "\n";
  }
  return absl::OkStatus();
}

absl::Status Skinctl::Login(const std::vector<std::string>& args) {
  v1::LoginRequest request;
  request.set_username(args[0]);
  absl::StatusOr<std::string> password = Password("Password: ");
  if (!password.ok()) return password.status();
  request.set_password(*password);
  v1::LoginResponse response;
  SKINLENS_RETURN_IF_ERROR(
      Call(&v1::DiagnosisService::StubInterface::Login, false, request, &response));
  if (absl::Status saved = SaveToken(options_.token_file, response.token()); !saved.ok()) {
    return saved;
  }
  if (options_.json) {
    response.clear_token();  // The token stays in the token file, not in logs.
    PrintJson(response);
  } else {
    out_ << "Logged in as " << response.username() << " until "
         << FormatTime(response.expire_time()) << "; token saved in " << options_.token_file
         << "\n";
  }
  return absl::OkStatus();
}

absl::Status Skinctl::Logout() {
  v1::LogoutResponse response;
  SKINLENS_RETURN_IF_ERROR(
      Call(&v1::DiagnosisService::StubInterface::Logout, true, v1::LogoutRequest(), &response));
  if (absl::Status s = DeleteToken(options_.token_file); !s.ok()) return s;
  if (options_.json) {
    PrintJson(response);
  } else {
    out_ << "Logged out.\n";
  }
  return absl::OkStatus();
}

absl::Status Skinctl::Diagnose(const std::vector<std::string>& args) {
  absl::StatusOr<std::string> photo = ReadFile(args[0]);
  if (!photo.ok()) return photo.status();
  v1::DiagnoseRequest request;
  request.set_photo(*std::move(photo));
  if (!options_.heatmaps_dir.empty()) {
    request.set_include_heatmaps(true);
    request.set_include_overlays(true);
    request.set_overlay_encoding(v1::IMAGE_ENCODING_PNG);
  }
  v1::DiagnoseResponse response;
  SKINLENS_RETURN_IF_ERROR(
      Call(&v1::DiagnosisService::StubInterface::Diagnose, true, request, &response));
  int files = 0;
  if (!options_.heatmaps_dir.empty()) {
    absl::StatusOr<int> written = WriteHeatmaps(response.diagnosis(), options_.heatmaps_dir);
    if (!written.ok()) return written.status();
    files = *written;
  }
  if (options_.json) {
    PrintJson(response);
    return absl::OkStatus();
  }
  out_ << FormatDiagnosis(response.diagnosis());
  if (!options_.heatmaps_dir.empty()) {
    out_ << files << " heatmap files written to " << options_.heatmaps_dir << "\n";
  }
  if (!response.saved()) out_ << "(not saved in your history: the history service failed)\n";
  return absl::OkStatus();
}

absl::Status Skinctl::Guide(const std::vector<std::string>& files) {
  if (options_.fps < 0) return absl::InvalidArgumentError("--fps must not be negative");
  std::vector<std::string> frames;
  for (const std::string& file : files) {
    absl::StatusOr<std::string> bytes = ReadFile(file);
    if (!bytes.ok()) return bytes.status();
    frames.push_back(*std::move(bytes));
  }
  absl::StatusOr<std::unique_ptr<grpc::ClientContext>> context = Context(true);
  if (!context.ok()) return context.status();
  std::unique_ptr<
      grpc::ClientReaderWriterInterface<v1::GuideCaptureRequest, v1::GuideCaptureResponse>>
      stream = stub_->GuideCapture(context->get());
  // Answers are printed as they come, while the frames go out at their pace.
  std::thread reader([&] {
    v1::GuideCaptureResponse answer;
    while (stream->Read(&answer)) {
      const size_t index = static_cast<size_t>(answer.frame_index());
      if (options_.json) {
        PrintJson(answer);
      } else {
        out_ << FormatGuidance(answer, index < files.size() ? files[index] : "?") << std::flush;
      }
    }
  });
  const absl::Duration interval =
      options_.fps > 0 ? absl::Seconds(1.0 / options_.fps) : absl::ZeroDuration();
  absl::Time next = absl::Now();
  for (const std::string& bytes : frames) {
    absl::SleepFor(next - absl::Now());
    next += interval;
    v1::GuideCaptureRequest frame;
    frame.set_image(bytes);
    frame.set_photo_width(options_.photo_width);
    const absl::Time now = absl::Now();
    frame.mutable_capture_time()->set_seconds(absl::ToUnixSeconds(now));
    frame.mutable_capture_time()->set_nanos(static_cast<int32_t>(
        (now - absl::FromUnixSeconds(absl::ToUnixSeconds(now))) / absl::Nanoseconds(1)));
    if (!stream->Write(frame)) break;  // The stream ended; Finish says why.
  }
  stream->WritesDone();
  reader.join();
  const grpc::Status status = stream->Finish();
  if (!status.ok()) return DescribeRpcError(status);
  return absl::OkStatus();
}

absl::Status Skinctl::History() {
  v1::ListDiagnosesRequest request;
  request.set_page_size(options_.page_size);
  v1::ListDiagnosesResponse response;
  SKINLENS_RETURN_IF_ERROR(
      Call(&v1::DiagnosisService::StubInterface::ListDiagnoses, true, request, &response));
  if (options_.json) {
    PrintJson(response);
  } else {
    out_ << FormatDiagnosisList(response);
  }
  return absl::OkStatus();
}

absl::Status Skinctl::Show(const std::vector<std::string>& args) {
  v1::GetDiagnosisRequest request;
  request.set_diagnosis_id(args[0]);
  v1::GetDiagnosisResponse response;
  SKINLENS_RETURN_IF_ERROR(
      Call(&v1::DiagnosisService::StubInterface::GetDiagnosis, true, request, &response));
  if (options_.json) {
    PrintJson(response);
  } else {
    out_ << FormatDiagnosis(response.diagnosis());
  }
  return absl::OkStatus();
}

absl::Status Skinctl::Trend(const std::vector<std::string>& args) {
  absl::StatusOr<v1::Attribute> attribute = ParseAttribute(args[0]);
  if (!attribute.ok()) return attribute.status();
  absl::StatusOr<v1::TrendBucket> bucket = ParseBucket(options_.bucket);
  if (!bucket.ok()) return bucket.status();
  v1::GetTrendRequest request;
  request.add_attributes(*attribute);
  request.set_bucket(*bucket);
  request.set_time_zone(options_.time_zone);
  v1::GetTrendResponse response;
  SKINLENS_RETURN_IF_ERROR(
      Call(&v1::DiagnosisService::StubInterface::GetTrend, true, request, &response));
  if (options_.json) {
    PrintJson(response);
  } else {
    // Bucket times in the zone the buckets were made in.
    absl::TimeZone zone = absl::UTCTimeZone();
    if (!options_.time_zone.empty() && !absl::LoadTimeZone(options_.time_zone, &zone)) {
      zone = absl::UTCTimeZone();  // The server accepted it; this machine lacks its data.
    }
    out_ << FormatTrend(response, zone);
  }
  return absl::OkStatus();
}

absl::Status Skinctl::Delete(const std::vector<std::string>& args) {
  v1::DeleteDiagnosisRequest request;
  request.set_diagnosis_id(args[0]);
  v1::DeleteDiagnosisResponse response;
  SKINLENS_RETURN_IF_ERROR(
      Call(&v1::DiagnosisService::StubInterface::DeleteDiagnosis, true, request, &response));
  if (options_.json) {
    PrintJson(response);
  } else {
    out_ << "Deleted " << args[0] << ".\n";
  }
  return absl::OkStatus();
}

absl::Status Skinctl::Model() {
  v1::GetModelInfoResponse response;
  SKINLENS_RETURN_IF_ERROR(Call(&v1::DiagnosisService::StubInterface::GetModelInfo, false,
                                v1::GetModelInfoRequest(), &response));
  if (options_.json) {
    PrintJson(response);
  } else {
    out_ << FormatModelInfo(response.model_info());
  }
  return absl::OkStatus();
}

absl::Status Skinctl::Export() {
  v1::ExportDiagnosesResponse response;
  SKINLENS_RETURN_IF_ERROR(Call(&v1::DiagnosisService::StubInterface::ExportDiagnoses, true,
                                v1::ExportDiagnosesRequest(), &response));
  if (options_.json) {
    PrintJson(response);
    return absl::OkStatus();
  }
  if (options_.out.empty()) {
    out_ << response.content();
    return absl::OkStatus();
  }
  std::ofstream file(options_.out, std::ios::binary | std::ios::trunc);
  file << response.content();
  if (!file.good()) return absl::InternalError(absl::StrCat("cannot write '", options_.out, "'"));
  out_ << "Wrote " << response.content().size() << " bytes to " << options_.out << "\n";
  return absl::OkStatus();
}

absl::Status Skinctl::DeleteAccount() {
  absl::StatusOr<std::string> password = Password("Password (to delete the account): ");
  if (!password.ok()) return password.status();
  v1::DeleteAccountRequest request;
  request.set_password(*password);
  v1::DeleteAccountResponse response;
  SKINLENS_RETURN_IF_ERROR(
      Call(&v1::DiagnosisService::StubInterface::DeleteAccount, true, request, &response));
  (void)DeleteToken(options_.token_file);
  if (options_.json) {
    PrintJson(response);
  } else {
    out_ << "Account deleted with " << response.deleted_diagnosis_count() << " diagnoses.\n";
  }
  return absl::OkStatus();
}

}  // namespace skinlens::skinctl
