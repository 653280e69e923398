// Process-wide logging set-up on spdlog.
//
// Each service calls SetupLoggingFromFlags() once after parsing its flags;
// from then on `spdlog::info(...)` etc. write one line per event to stderr,
// as text for people or as one JSON object per line for log collectors, each
// line stamped with the service name and the current request id (see
// request_id.h).
//
//   text: 2026-11-26T15:04:05.123Z info    auth [3f9c...] login ok user=42
//   json: {"time":"2026-11-26T15:04:05.123Z","level":"info","service":"auth",
//          "request_id":"3f9c...","message":"login ok user=42"}
//
// Passwords and tokens must never be passed to the logger; no filter here can
// know which strings are secret.
#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "spdlog/common.h"
#include "spdlog/sinks/sink.h"

namespace skinlens {

enum class LogFormat { kText, kJson };

struct LoggingOptions {
  std::string service;  // Stamped on every line, e.g. "inference".
  spdlog::level::level_enum level = spdlog::level::info;
  LogFormat format = LogFormat::kText;
};

// Parses "trace|debug|info|warn|error|critical|off".
absl::Status ParseLogLevel(absl::string_view text, spdlog::level::level_enum* level);
// Parses "text|json".
absl::Status ParseLogFormat(absl::string_view text, LogFormat* format);

// Installs the default logger writing to `sink` (stderr when null) with the
// given options. Not thread-safe: call at start, before other threads log.
void SetupLogging(const LoggingOptions& options,
                  std::shared_ptr<spdlog::sinks::sink> sink = nullptr);

// SetupLogging() from the --log_level and --log_format flags; fails with
// INVALID_ARGUMENT on a bad value.
absl::Status SetupLoggingFromFlags(absl::string_view service);

}  // namespace skinlens
