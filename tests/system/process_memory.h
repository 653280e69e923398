// Resident memory of running processes, for the load generator's report.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace skinlens::load {

// VmRSS of `pid` in bytes (from /proc/<pid>/status); NOT_FOUND when the
// process is gone.
absl::StatusOr<int64_t> ResidentBytes(pid_t pid);

// "name:pid,name:pid" -> pairs; INVALID_ARGUMENT naming the bad entry.
absl::StatusOr<std::vector<std::pair<std::string, pid_t>>> ParsePidList(absl::string_view list);

// The services of a `scripts/run` session: the `service_pids=` line of its
// run.info file, each pid named by its executable (skinlens-auth -> auth).
absl::StatusOr<std::vector<std::pair<std::string, pid_t>>> PidsFromRunInfo(const std::string& path);

}  // namespace skinlens::load
