// A load generator for the gateway's gRPC DiagnosisService: N concurrent
// virtual users, each logged in with its own session, diagnosing one photo
// over and over for a fixed time or count. It measures what a mobile client
// sees: photos per second, latency percentiles, errors by status code.
//
//   LoadOptions options;
//   options.users = 16;
//   options.duration = absl::Seconds(30);
//   options.photo = ReadFile("face.jpg");
//   absl::StatusOr<LoadReport> report =
//       RunLoad(options, [&] { return v1::DiagnosisService::NewStub(NewChannel()); });
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "skinlens/v1/diagnosis.grpc.pb.h"

namespace skinlens::load {

struct LoadOptions {
  // Virtual users diagnosing at the same time.
  int users = 4;
  // Accounts they share (auth limits sign-ups per client address, and every
  // virtual user runs on this machine): user i logs in as account i % accounts.
  int accounts = 4;
  // No new photo starts after this long...
  absl::Duration duration = absl::Seconds(10);
  // ...or after this many photos in all (0: no count limit).
  int64_t max_photos = 0;
  // The photo every call sends.
  std::string photo;
  // Ask for heatmaps (values only, no overlays, as a mobile app would).
  bool heatmaps = false;
  // Mixed traffic, as people use the app: every other photo with heatmaps,
  // and after every 5th photo the user reads their history (ListDiagnoses)
  // and a trend (GetTrend). Reads are not counted as photos; their failures
  // are counted as errors named "read <CODE>".
  bool mixed = false;
  // Deadline of each call.
  absl::Duration deadline = absl::Seconds(30);
  // After RESOURCE_EXHAUSTED (the gateway is full) a virtual user waits this
  // long before its next photo, as a client honouring RetryInfo would, rather
  // than spinning.
  absl::Duration busy_backoff = absl::Milliseconds(200);
  // Accounts are "<prefix>-<index>"; registered when missing.
  std::string account_prefix = "load";
  std::string password = "load generator password";
};

// Progress while running, for a progress line.
struct LoadProgress {
  int64_t done = 0;    // Photos finished, ok or not.
  int64_t failed = 0;  // Of those, failed.
  absl::Duration elapsed;
};

struct LoadReport {
  int64_t ok = 0;
  // Of the ok calls, those whose result history did not save (saved = false),
  // and the ids of those it did: what a client was told is stored.
  int64_t unsaved = 0;
  std::vector<std::string> saved_diagnosis_ids;
  // Failed calls by gRPC status code name ("UNAVAILABLE", ...).
  std::map<std::string, int64_t> errors;
  // Latency of each successful call, in milliseconds, ascending.
  std::vector<double> ok_latencies_ms;
  // The slowest call of all, failed ones included (a hang shows here).
  double max_latency_ms = 0;
  // Stage times the gateway reported (DiagnoseTimings), summed over the
  // successful calls, in milliseconds: authenticate, preprocess, inference,
  // explain, record, total.
  std::map<std::string, double> stage_ms_sum;
  // From the first call's start to the last call's end.
  absl::Duration wall;

  int64_t failed() const;
  double photos_per_second() const;
  // The p-th percentile (0..100) of ok_latencies_ms, nearest rank; 0 if none.
  double LatencyPercentileMs(double p) const;
};

using StubFactory = std::function<std::unique_ptr<v1::DiagnosisService::StubInterface>()>;

// What one photo's call returned, for RunPhotos.
struct PhotoOutcome {
  // Empty when the call succeeded; otherwise the error's name, e.g.
  // "UNAVAILABLE" or "HTTP_503".
  std::string error;
  // The system stored the result (and under which id).
  bool saved = false;
  std::string diagnosis_id;
  // The gateway's stage times, when it reported them.
  std::optional<v1::DiagnoseTimings> timings;
  // The system asked the caller to come back later (RESOURCE_EXHAUSTED, 429).
  bool busy = false;
  // The photo's own latency when the call did more than the photo (mixed
  // traffic's reads); unset: the whole call's time.
  std::optional<double> latency_ms;
  // Failed calls besides the photo, by error name.
  std::vector<std::string> other_errors;
};

// The virtual users' loop on its own: `call(user)` sends one photo as virtual
// user `user` (0..users-1) and says how it went. RunLoad is this with the
// gateway's Diagnose; other systems (the seed's design) plug in their own call.
LoadReport RunPhotos(const LoadOptions& options, const std::function<PhotoOutcome(int)>& call,
                     const std::function<void(const LoadProgress&)>& progress = {});

// Registers (when missing) and logs in the accounts, then runs the virtual
// users until the time or count runs out and every call has returned. Each
// virtual user gets its own stub from `new_stub` (its own connection when the
// factory makes a channel per call). An error only when setting up fails
// (an account cannot log in); failed diagnoses are counted in the report.
absl::StatusOr<LoadReport> RunLoad(const LoadOptions& options, const StubFactory& new_stub,
                                   const std::function<void(const LoadProgress&)>& progress = {});

}  // namespace skinlens::load
