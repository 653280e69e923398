#include "common/config/config.h"

#include <map>
#include <string>

#include "absl/flags/flag.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

ABSL_FLAG(int, config_test_port, 50051, "a port used only by this test");
ABSL_FLAG(std::string, config_test_mode, "text", "a string used only by this test");
ABSL_FLAG(bool, config_test_verbose, false, "a bool used only by this test");

namespace skinlens {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

// Restores the test flags to their defaults so tests do not leak into each other.
class ConfigTest : public ::testing::Test {
 protected:
  void TearDown() override {
    absl::SetFlag(&FLAGS_config_test_port, 50051);
    absl::SetFlag(&FLAGS_config_test_mode, "text");
    absl::SetFlag(&FLAGS_config_test_verbose, false);
  }

  static std::function<const char*(const char*)> Env(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](const char* name) -> const char* {
      auto it = vars.find(name);
      return it == vars.end() ? nullptr : it->second.c_str();
    };
  }
};

TEST_F(ConfigTest, EnvVarNameIsPrefixedUpperCase) {
  EXPECT_EQ(EnvVarNameForFlag("max_batch_size"), "SKINLENS_MAX_BATCH_SIZE");
  EXPECT_EQ(EnvVarNameForFlag("port"), "SKINLENS_PORT");
}

TEST_F(ConfigTest, EnvironmentOverridesDefaults) {
  ASSERT_TRUE(ApplyEnvironmentOverrides(Env({{"SKINLENS_CONFIG_TEST_PORT", "7000"},
                                             {"SKINLENS_CONFIG_TEST_MODE", "json"},
                                             {"SKINLENS_CONFIG_TEST_VERBOSE", "true"}}))
                  .ok());
  EXPECT_EQ(absl::GetFlag(FLAGS_config_test_port), 7000);
  EXPECT_EQ(absl::GetFlag(FLAGS_config_test_mode), "json");
  EXPECT_TRUE(absl::GetFlag(FLAGS_config_test_verbose));
}

TEST_F(ConfigTest, UnsetVariablesKeepDefaults) {
  ASSERT_TRUE(ApplyEnvironmentOverrides(Env({{"SKINLENS_UNRELATED", "1"}})).ok());
  EXPECT_EQ(absl::GetFlag(FLAGS_config_test_port), 50051);
  EXPECT_EQ(absl::GetFlag(FLAGS_config_test_mode), "text");
}

TEST_F(ConfigTest, BadValueNamesVariableAndFlag) {
  absl::Status s = ApplyEnvironmentOverrides(Env({{"SKINLENS_CONFIG_TEST_PORT", "fifty"}}));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("SKINLENS_CONFIG_TEST_PORT"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("--config_test_port"));
  EXPECT_EQ(absl::GetFlag(FLAGS_config_test_port), 50051);
}

TEST_F(ConfigTest, ProjectFlagsExcludeAbseilsOwn) {
  std::vector<std::string> names = ProjectFlagNames();
  EXPECT_THAT(names, Contains("config_test_port"));
  EXPECT_THAT(names, Not(Contains("flagfile")));
  EXPECT_THAT(names, Not(Contains("fromenv")));
}

TEST_F(ConfigTest, HelpListsFlagsWithEnvironmentVariables) {
  std::string help = FlagsHelp("skinlens-test: a test binary");
  EXPECT_THAT(help, HasSubstr("skinlens-test: a test binary"));
  EXPECT_THAT(help,
              HasSubstr("--config_test_port  [SKINLENS_CONFIG_TEST_PORT]  default: \"50051\""));
  EXPECT_THAT(help, HasSubstr("a port used only by this test"));
  EXPECT_THAT(help, Not(HasSubstr("--flagfile")));
}

TEST_F(ConfigTest, CommandLineWinsOverEnvironment) {
  setenv("SKINLENS_CONFIG_TEST_PORT", "7000", 1);
  setenv("SKINLENS_CONFIG_TEST_MODE", "json", 1);
  char prog[] = "skinlens-test";
  char port[] = "--config_test_port=9000";
  char positional_arg[] = "photo.jpg";
  char* argv[] = {prog, port, positional_arg, nullptr};
  std::vector<char*> rest = InitCommandLine(3, argv, "skinlens-test");
  unsetenv("SKINLENS_CONFIG_TEST_PORT");
  unsetenv("SKINLENS_CONFIG_TEST_MODE");
  EXPECT_EQ(absl::GetFlag(FLAGS_config_test_port), 9000);
  EXPECT_EQ(absl::GetFlag(FLAGS_config_test_mode), "json");
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_STREQ(rest[1], "photo.jpg");
}

}  // namespace
}  // namespace skinlens
