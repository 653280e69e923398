#include "load_generator.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace skinlens::load {
namespace {

double Ms(const google::protobuf::Duration& d) {
  return static_cast<double>(d.seconds()) * 1e3 + static_cast<double>(d.nanos()) / 1e6;
}

std::unique_ptr<grpc::ClientContext> Context(absl::Duration deadline, const std::string& token) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
  return context;
}

absl::Status FromGrpc(const grpc::Status& s, absl::string_view what) {
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                      absl::StrCat(what, ": ", s.error_message()));
}

// Logs in as `username`, registering it first when it does not exist yet:
// the session token. Logging in first keeps sign-ups (which auth throttles per
// client address) to one per account across runs.
absl::StatusOr<std::string> LogIn(v1::DiagnosisService::StubInterface& stub,
                                  const LoadOptions& options, const std::string& username) {
  v1::LoginRequest login;
  login.set_username(username);
  login.set_password(options.password);
  v1::LoginResponse session;
  grpc::Status s = stub.Login(Context(options.deadline, "").get(), login, &session);
  if (s.ok()) return session.token();
  if (s.error_code() != grpc::StatusCode::UNAUTHENTICATED) {
    return FromGrpc(s, absl::StrCat("logging in as ", username));
  }
  v1::RegisterRequest reg;
  reg.set_username(username);
  reg.set_password(options.password);
  v1::RegisterResponse registered;
  s = stub.Register(Context(options.deadline, "").get(), reg, &registered);
  if (!s.ok() && s.error_code() != grpc::StatusCode::ALREADY_EXISTS) {
    return FromGrpc(s, absl::StrCat("registering ", username));
  }
  s = stub.Login(Context(options.deadline, "").get(), login, &session);
  if (!s.ok()) return FromGrpc(s, absl::StrCat("logging in as ", username));
  return session.token();
}

std::string CodeName(grpc::StatusCode code) {
  static const char* const kNames[] = {"OK",
                                       "CANCELLED",
                                       "UNKNOWN",
                                       "INVALID_ARGUMENT",
                                       "DEADLINE_EXCEEDED",
                                       "NOT_FOUND",
                                       "ALREADY_EXISTS",
                                       "PERMISSION_DENIED",
                                       "RESOURCE_EXHAUSTED",
                                       "FAILED_PRECONDITION",
                                       "ABORTED",
                                       "OUT_OF_RANGE",
                                       "UNIMPLEMENTED",
                                       "INTERNAL",
                                       "UNAVAILABLE",
                                       "DATA_LOSS",
                                       "UNAUTHENTICATED"};
  const int i = static_cast<int>(code);
  return i >= 0 && i < 17 ? kNames[i] : absl::StrCat("CODE_", i);
}

}  // namespace

int64_t LoadReport::failed() const {
  int64_t n = 0;
  for (const auto& [code, count] : errors) n += count;
  return n;
}

double LoadReport::photos_per_second() const {
  const double seconds = absl::ToDoubleSeconds(wall);
  return seconds > 0 ? static_cast<double>(ok) / seconds : 0;
}

double LoadReport::LatencyPercentileMs(double p) const {
  if (ok_latencies_ms.empty()) return 0;
  const double rank = std::ceil(p / 100.0 * static_cast<double>(ok_latencies_ms.size()));
  const size_t index = static_cast<size_t>(std::clamp(rank, 1.0, 1.0 * ok_latencies_ms.size())) - 1;
  return ok_latencies_ms[index];
}

LoadReport RunPhotos(const LoadOptions& options, const std::function<PhotoOutcome(int)>& call,
                     const std::function<void(const LoadProgress&)>& progress) {
  absl::Mutex mu;
  LoadReport report;
  std::atomic<int64_t> started{0};
  std::atomic<int64_t> done{0};
  std::atomic<int64_t> failed{0};
  const absl::Time start = absl::Now();
  const absl::Time stop_starting = start + options.duration;

  auto user = [&](int i) {
    while (absl::Now() < stop_starting) {
      if (options.max_photos > 0 && started.fetch_add(1) >= options.max_photos) break;
      const absl::Time t0 = absl::Now();
      const PhotoOutcome outcome = call(i);
      const double ms = outcome.latency_ms.value_or(absl::ToDoubleMilliseconds(absl::Now() - t0));
      if (outcome.busy) absl::SleepFor(options.busy_backoff);
      absl::MutexLock lock(&mu);
      report.max_latency_ms = std::max(report.max_latency_ms, ms);
      if (outcome.error.empty()) {
        ++report.ok;
        report.ok_latencies_ms.push_back(ms);
        if (outcome.saved) {
          report.saved_diagnosis_ids.push_back(outcome.diagnosis_id);
        } else {
          ++report.unsaved;
        }
        if (outcome.timings.has_value()) {
          const v1::DiagnoseTimings& t = *outcome.timings;
          report.stage_ms_sum["authenticate"] += Ms(t.authenticate());
          report.stage_ms_sum["preprocess"] += Ms(t.preprocess());
          report.stage_ms_sum["inference"] += Ms(t.inference());
          report.stage_ms_sum["explain"] += Ms(t.explain());
          report.stage_ms_sum["record"] += Ms(t.record());
          report.stage_ms_sum["total"] += Ms(t.total());
        }
      } else {
        ++report.errors[outcome.error];
        failed.fetch_add(1);
      }
      for (const std::string& error : outcome.other_errors) ++report.errors[error];
      done.fetch_add(1);
    }
  };

  std::vector<std::thread> threads;
  for (int i = 0; i < options.users; ++i) threads.emplace_back(user, i);
  std::atomic<bool> finished{false};
  std::thread reporter;
  if (progress) {
    reporter = std::thread([&] {
      while (!finished.load()) {
        progress({done.load(), failed.load(), absl::Now() - start});
        for (int k = 0; k < 10 && !finished.load(); ++k) absl::SleepFor(absl::Milliseconds(100));
      }
    });
  }
  for (std::thread& t : threads) t.join();
  finished.store(true);
  if (reporter.joinable()) reporter.join();
  report.wall = absl::Now() - start;
  std::sort(report.ok_latencies_ms.begin(), report.ok_latencies_ms.end());
  if (progress) progress({done.load(), failed.load(), report.wall});
  return report;
}

absl::StatusOr<LoadReport> RunLoad(const LoadOptions& options, const StubFactory& new_stub,
                                   const std::function<void(const LoadProgress&)>& progress) {
  if (options.users < 1 || options.accounts < 1) {
    return absl::InvalidArgumentError("users and accounts must be at least 1");
  }
  if (options.photo.empty()) return absl::InvalidArgumentError("no photo to send");

  // Sessions first, outside the measurement: one login per virtual user.
  std::vector<std::unique_ptr<v1::DiagnosisService::StubInterface>> stubs;
  std::vector<std::string> tokens;
  for (int i = 0; i < options.users; ++i) {
    stubs.push_back(new_stub());
    absl::StatusOr<std::string> token = LogIn(
        *stubs.back(), options, absl::StrCat(options.account_prefix, "-", i % options.accounts));
    if (!token.ok()) return token.status();
    tokens.push_back(*std::move(token));
  }

  v1::DiagnoseRequest request;
  request.set_photo(options.photo);
  request.set_include_heatmaps(options.heatmaps);
  v1::DiagnoseRequest with_heatmaps = request;
  with_heatmaps.set_include_heatmaps(true);
  std::vector<int64_t> photos_sent(options.users, 0);
  return RunPhotos(
      options,
      [&](int i) {
        const int64_t n = photos_sent[i]++;
        const bool heatmaps = options.mixed && n % 2 == 1;
        v1::DiagnoseResponse response;
        const absl::Time t0 = absl::Now();
        const grpc::Status s = stubs[i]->Diagnose(Context(options.deadline, tokens[i]).get(),
                                                  heatmaps ? with_heatmaps : request, &response);
        PhotoOutcome outcome;
        outcome.latency_ms = absl::ToDoubleMilliseconds(absl::Now() - t0);
        if (options.mixed && n % 5 == 4) {
          v1::ListDiagnosesRequest list;
          v1::ListDiagnosesResponse page;
          grpc::Status read =
              stubs[i]->ListDiagnoses(Context(options.deadline, tokens[i]).get(), list, &page);
          if (!read.ok()) outcome.other_errors.push_back("read " + CodeName(read.error_code()));
          v1::GetTrendRequest trend;
          trend.add_attributes(v1::ATTRIBUTE_OIL);
          trend.set_bucket(v1::TREND_BUCKET_DAY);
          v1::GetTrendResponse points;
          read = stubs[i]->GetTrend(Context(options.deadline, tokens[i]).get(), trend, &points);
          if (!read.ok()) outcome.other_errors.push_back("read " + CodeName(read.error_code()));
        }
        if (!s.ok()) {
          outcome.error = CodeName(s.error_code());
          outcome.busy = s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED;
          return outcome;
        }
        outcome.saved = response.saved();
        outcome.diagnosis_id = response.diagnosis().id();
        outcome.timings = response.timings();
        return outcome;
      },
      progress);
}

}  // namespace skinlens::load
