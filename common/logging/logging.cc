#include "common/logging/logging.h"

#include <chrono>
#include <ctime>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/logging/request_id.h"
#include "nlohmann/json.hpp"
#include "spdlog/pattern_formatter.h"
#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(std::string, log_level, "info",
          "Least severe log level written: trace, debug, info, warn, error, critical or off.");
ABSL_FLAG(std::string, log_format, "text",
          "Log line format: text (for people) or json (one object per line, for collectors).");

namespace skinlens {
namespace {

// RFC 3339 UTC time with milliseconds; both formats use it so lines sort alike.
std::string FormatTime(spdlog::log_clock::time_point tp) {
  const auto since_epoch = tp.time_since_epoch();
  const std::time_t seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count();
  const int millis = static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count() % 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return absl::StrFormat("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                         utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, millis);
}

absl::string_view LevelName(spdlog::level::level_enum level) {
  const auto& name = spdlog::level::to_string_view(level);
  return absl::string_view(name.data(), name.size());
}

// "%*" in a text pattern: the current request id, or "-" outside a request.
class RequestIdFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg&, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    absl::string_view id = CurrentRequestId();
    if (id.empty()) {
      id = "-";
    }
    dest.append(id.data(), id.data() + id.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<RequestIdFlag>();
  }
};

// "%T" in a text pattern: RFC 3339 UTC time with milliseconds.
class TimeFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    std::string t = FormatTime(msg.time);
    dest.append(t.data(), t.data() + t.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<TimeFlag>();
  }
};

// "%~" in a text pattern: the message with control characters escaped, so
// text that came from a request (a path with %0a, a NUL) can neither forge a
// second line nor make the log binary. A backslash is doubled, so an escape
// in the log always means an escaped byte.
class EscapedMessageFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    static constexpr char kHex[] = "0123456789abcdef";
    auto append = [&dest](absl::string_view text) {
      dest.append(text.data(), text.data() + text.size());
    };
    for (const char c : absl::string_view(msg.payload.data(), msg.payload.size())) {
      const auto byte = static_cast<unsigned char>(c);
      if (c == '\\') {
        append("\\\\");
      } else if (c == '\n') {
        append("\\n");
      } else if (c == '\r') {
        append("\\r");
      } else if (c == '\t') {
        append("\\t");
      } else if (byte < 0x20 || byte == 0x7f) {
        const char escaped[] = {'\\', 'x', kHex[byte >> 4], kHex[byte & 15]};
        dest.append(escaped, escaped + 4);
      } else {
        dest.push_back(c);
      }
    }
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<EscapedMessageFlag>();
  }
};

// One JSON object per line. nlohmann::json does the escaping (and replaces
// invalid UTF-8 rather than throwing), so a message can never break the line
// structure a collector relies on.
class JsonFormatter : public spdlog::formatter {
 public:
  explicit JsonFormatter(std::string service) : service_(std::move(service)) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    nlohmann::ordered_json line;
    line["time"] = FormatTime(msg.time);
    line["level"] = LevelName(msg.level);
    line["service"] = service_;
    absl::string_view id = CurrentRequestId();
    if (!id.empty()) {
      line["request_id"] = id;
    }
    line["message"] = absl::string_view(msg.payload.data(), msg.payload.size());
    std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    text.push_back('\n');
    dest.append(text.data(), text.data() + text.size());
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>(service_);
  }

 private:
  const std::string service_;
};

std::unique_ptr<spdlog::formatter> MakeFormatter(const LoggingOptions& options) {
  if (options.format == LogFormat::kJson) {
    return std::make_unique<JsonFormatter>(options.service);
  }
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<TimeFlag>('T').add_flag<RequestIdFlag>('*').add_flag<EscapedMessageFlag>('~');
  formatter->set_pattern(absl::StrCat("%T %-7l ", options.service, " [%*] %~"));
  return formatter;
}

}  // namespace

absl::Status ParseLogLevel(absl::string_view text, spdlog::level::level_enum* level) {
  // spdlog::level::from_str() answers "off" for anything it does not know.
  const std::string name(text);
  const spdlog::level::level_enum parsed = spdlog::level::from_str(name);
  if (parsed == spdlog::level::off && name != "off") {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown log level \"", text,
                     "\"; expected trace, debug, info, warn, error, critical or off"));
  }
  *level = parsed;
  return absl::OkStatus();
}

absl::Status ParseLogFormat(absl::string_view text, LogFormat* format) {
  if (text == "text") {
    *format = LogFormat::kText;
  } else if (text == "json") {
    *format = LogFormat::kJson;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown log format \"", text, "\"; expected text or json"));
  }
  return absl::OkStatus();
}

void SetupLogging(const LoggingOptions& options, std::shared_ptr<spdlog::sinks::sink> sink) {
  if (!sink) {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  }
  sink->set_formatter(MakeFormatter(options));
  auto logger = std::make_shared<spdlog::logger>(options.service, std::move(sink));
  logger->set_level(options.level);
  // Warnings and errors reach the collector at once, even if the process dies next.
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
}

absl::Status SetupLoggingFromFlags(absl::string_view service) {
  LoggingOptions options;
  options.service = std::string(service);
  if (absl::Status s = ParseLogLevel(absl::GetFlag(FLAGS_log_level), &options.level); !s.ok()) {
    return s;
  }
  if (absl::Status s = ParseLogFormat(absl::GetFlag(FLAGS_log_format), &options.format); !s.ok()) {
    return s;
  }
  SetupLogging(options);
  return absl::OkStatus();
}

}  // namespace skinlens
