// Configuration of a SkinLens binary: Abseil flags with environment overrides.
//
// Every flag `--name` can also be set by the environment variable
// `SKINLENS_NAME` (upper case). Precedence: command line > environment >
// default, so a container sets its configuration in the environment and an
// operator can still override one value on the command line.
//
//   int main(int argc, char** argv) {
//     skinlens::InitCommandLine(argc, argv, "skinlens-auth: accounts and sessions");
//     ...
//   }
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace skinlens {

// "max_batch_size" -> "SKINLENS_MAX_BATCH_SIZE".
std::string EnvVarNameForFlag(absl::string_view flag_name);

// Names of the flags this program defines itself (Abseil's own flags such as
// --flagfile are left out), sorted.
std::vector<std::string> ProjectFlagNames();

// Reads `SKINLENS_<FLAG>` for every project flag through `getenv` and sets the
// flag from it. Fails with INVALID_ARGUMENT naming the variable, the flag and
// Abseil's reason when a value does not parse; flags set before the failure
// keep their new values, so call this once, at start, and exit on failure.
absl::Status ApplyEnvironmentOverrides(
    const std::function<const char*(const char*)>& getenv = nullptr);

// The text `--help` prints: the usage line, then each project flag with its
// environment variable, default and help.
std::string FlagsHelp(absl::string_view usage);

// Parses the configuration of a binary: environment overrides, then the command
// line. `--help` prints FlagsHelp() and exits 0; `--version` prints the version
// and exits 0; a bad environment value exits 2 and a bad or unknown flag on the
// command line exits 1, each with a message naming it. Returns the positional arguments (argv[0]
// first). Call first in main(), before any thread starts.
std::vector<char*> InitCommandLine(int argc, char** argv, absl::string_view usage);

}  // namespace skinlens
