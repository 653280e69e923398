#include "common/logging/logging.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <sstream>

#include "common/logging/request_id.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "spdlog/sinks/ostream_sink.h"
#include "spdlog/spdlog.h"

namespace skinlens {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

class LoggingTest : public ::testing::Test {
 protected:
  void Setup(LogFormat format, spdlog::level::level_enum level = spdlog::level::info) {
    SetupLogging({"unit", level, format}, std::make_shared<spdlog::sinks::ostream_sink_mt>(out_));
  }
  std::ostringstream out_;
};

TEST_F(LoggingTest, TextLineCarriesTimeLevelServiceAndRequestId) {
  Setup(LogFormat::kText);
  {
    ScopedRequestId scope("req-42");
    spdlog::info("decoded {} bytes", 1024);
  }
  EXPECT_THAT(out_.str(), MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{12}Z info    unit "
                                       "\\[req-42\\] decoded 1024 bytes\n"));
}

TEST_F(LoggingTest, TextLineOutsideRequestShowsDash) {
  Setup(LogFormat::kText);
  spdlog::warn("starting");
  EXPECT_THAT(out_.str(), HasSubstr("warning unit [-] starting"));
}

// A request path with %0a or a NUL must not forge a line nor make the log
// binary: control characters are escaped, a backslash doubled.
TEST_F(LoggingTest, TextLineEscapesControlCharactersFromRequests) {
  Setup(LogFormat::kText);
  const std::string path =
      std::string("/v1/x\n2026-01-01T00:00:00.000Z info    gateway [-] forged") + '\0' +
      "\x1b[31m\\n";
  spdlog::info("http GET {} -> 404", path);
  const std::string text = out_.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
  EXPECT_EQ(text.find('\0'), std::string::npos);
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_THAT(text, HasSubstr("/v1/x\\n2026-01-01T00:00:00.000Z info    gateway [-] "
                              "forged\\x00\\x1b[31m\\\\n -> 404\n"));
}

TEST_F(LoggingTest, JsonLineIsOneParsableObject) {
  Setup(LogFormat::kJson);
  {
    ScopedRequestId scope("abc");
    spdlog::error("quote \" newline \n backslash \\ done");
  }
  std::string text = out_.str();
  ASSERT_EQ(text.back(), '\n');
  EXPECT_EQ(text.find('\n'), text.size() - 1) << "exactly one line";
  nlohmann::json line = nlohmann::json::parse(text);
  EXPECT_EQ(line["level"], "error");
  EXPECT_EQ(line["service"], "unit");
  EXPECT_EQ(line["request_id"], "abc");
  EXPECT_EQ(line["message"], "quote \" newline \n backslash \\ done");
  EXPECT_THAT(line["time"].get<std::string>(), MatchesRegex(".*T.*Z"));
}

TEST_F(LoggingTest, JsonSurvivesInvalidUtf8) {
  Setup(LogFormat::kJson);
  spdlog::info("bad byte \xff here");
  nlohmann::json line = nlohmann::json::parse(out_.str());
  EXPECT_THAT(line["message"].get<std::string>(), HasSubstr("bad byte"));
  EXPECT_FALSE(line.contains("request_id"));
}

TEST_F(LoggingTest, LevelFiltersLowerSeverities) {
  Setup(LogFormat::kText, spdlog::level::warn);
  spdlog::info("hidden");
  spdlog::warn("shown");
  EXPECT_THAT(out_.str(), Not(HasSubstr("hidden")));
  EXPECT_THAT(out_.str(), HasSubstr("shown"));
}

TEST(ParseLogLevel, AcceptsNamesRejectsOthers) {
  spdlog::level::level_enum level = spdlog::level::info;
  EXPECT_TRUE(ParseLogLevel("warn", &level).ok());
  EXPECT_EQ(level, spdlog::level::warn);
  EXPECT_TRUE(ParseLogLevel("off", &level).ok());
  EXPECT_EQ(level, spdlog::level::off);
  EXPECT_TRUE(ParseLogLevel("debug", &level).ok());
  EXPECT_EQ(level, spdlog::level::debug);
  EXPECT_EQ(ParseLogLevel("verbose", &level).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(level, spdlog::level::debug);
}

TEST(ParseLogFormat, AcceptsTextAndJsonOnly) {
  LogFormat format = LogFormat::kText;
  EXPECT_TRUE(ParseLogFormat("json", &format).ok());
  EXPECT_EQ(format, LogFormat::kJson);
  EXPECT_EQ(ParseLogFormat("xml", &format).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace skinlens
