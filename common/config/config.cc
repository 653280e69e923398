#include "common/config/config.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace skinlens {
namespace {

// Abseil registers a few flags of its own (--flagfile, --fromenv, ...); they are
// not part of SkinLens' configuration surface.
bool IsProjectFlag(const absl::CommandLineFlag& flag) {
  return !absl::StrContains(flag.Filename(), "absl/");
}

std::vector<absl::CommandLineFlag*> ProjectFlags() {
  std::vector<absl::CommandLineFlag*> flags;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (IsProjectFlag(*flag)) {
      flags.push_back(flag);
    }
  }
  std::sort(flags.begin(), flags.end(),
            [](const auto* a, const auto* b) { return a->Name() < b->Name(); });
  return flags;
}

}  // namespace

std::string EnvVarNameForFlag(absl::string_view flag_name) {
  return absl::StrCat("SKINLENS_", absl::AsciiStrToUpper(flag_name));
}

std::vector<std::string> ProjectFlagNames() {
  std::vector<std::string> names;
  for (const absl::CommandLineFlag* flag : ProjectFlags()) {
    names.emplace_back(flag->Name());
  }
  return names;
}

absl::Status ApplyEnvironmentOverrides(const std::function<const char*(const char*)>& getenv) {
  for (absl::CommandLineFlag* flag : ProjectFlags()) {
    const std::string var = EnvVarNameForFlag(flag->Name());
    const char* value = getenv ? getenv(var.c_str()) : std::getenv(var.c_str());
    if (value == nullptr) {
      continue;
    }
    std::string error;
    if (!flag->ParseFrom(value, &error)) {
      return absl::InvalidArgumentError(absl::StrCat("environment variable ", var, "=\"", value,
                                                     "\" is not a valid value for --", flag->Name(),
                                                     ": ", error));
    }
  }
  return absl::OkStatus();
}

std::string FlagsHelp(absl::string_view usage) {
  std::string out = absl::StrCat(usage,
                                 "\n\nFlags (each also read from the environment variable "
                                 "shown; the command line wins):\n");
  for (const absl::CommandLineFlag* flag : ProjectFlags()) {
    absl::StrAppend(&out, "  --", flag->Name(), "  [", EnvVarNameForFlag(flag->Name()),
                    "]  default: \"", flag->DefaultValue(), "\"\n      ", flag->Help(), "\n");
  }
  absl::StrAppend(&out, "  --help     print this text\n  --version  print the version\n");
  return out;
}

std::vector<char*> InitCommandLine(int argc, char** argv, absl::string_view usage) {
  absl::SetProgramUsageMessage(usage);
  absl::FlagsUsageConfig usage_config;
  usage_config.version_string = [] { return std::string("SkinLens " SKINLENS_VERSION "\n"); };
  absl::SetFlagsUsageConfig(usage_config);

  // --help is answered here rather than by Abseil so that it lists every
  // project flag with its environment variable, not only main()'s own flags.
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-help") == 0 ||
        std::strcmp(argv[i], "-h") == 0) {
      std::fputs(FlagsHelp(usage).c_str(), stdout);
      std::exit(0);
    }
    if (std::strcmp(argv[i], "--") == 0) {
      break;
    }
  }

  if (absl::Status env = ApplyEnvironmentOverrides(); !env.ok()) {
    std::fprintf(stderr, "%s: configuration error: %s\n", argv[0],
                 std::string(env.message()).c_str());
    std::exit(2);
  }

  // Abseil reports an unknown flag or a bad value on stderr and exits non-zero;
  // it also answers --version and --helpfull.
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  return positional;
}

}  // namespace skinlens
