#include "process_memory.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace skinlens::load {

absl::StatusOr<int64_t> ResidentBytes(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  if (!in) return absl::NotFoundError(absl::StrCat("no process ", pid));
  std::string line;
  while (std::getline(in, line)) {
    absl::string_view rest = line;
    if (!absl::ConsumePrefix(&rest, "VmRSS:")) continue;
    rest = absl::StripAsciiWhitespace(rest);
    int64_t kib = 0;
    if (absl::ConsumeSuffix(&rest, " kB") && absl::SimpleAtoi(rest, &kib)) return kib * 1024;
    break;
  }
  return absl::InternalError(absl::StrCat("/proc/", pid, "/status has no readable VmRSS"));
}

absl::StatusOr<std::vector<std::pair<std::string, pid_t>>> ParsePidList(absl::string_view list) {
  std::vector<std::pair<std::string, pid_t>> out;
  for (absl::string_view entry : absl::StrSplit(list, ',', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> parts = absl::StrSplit(entry, ':');
    int pid = 0;
    if (parts.first.empty() || !absl::SimpleAtoi(parts.second, &pid) || pid <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", entry, "' is not name:pid (e.g. inference:1234)"));
    }
    out.emplace_back(std::string(parts.first), static_cast<pid_t>(pid));
  }
  return out;
}

absl::StatusOr<std::vector<std::pair<std::string, pid_t>>> PidsFromRunInfo(
    const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::string line;
  while (std::getline(in, line)) {
    absl::string_view rest = line;
    if (!absl::ConsumePrefix(&rest, "service_pids=")) continue;
    std::vector<std::pair<std::string, pid_t>> out;
    for (absl::string_view p : absl::StrSplit(rest, ' ', absl::SkipEmpty())) {
      int pid = 0;
      if (!absl::SimpleAtoi(p, &pid)) continue;
      std::error_code error;
      const std::filesystem::path exe =
          std::filesystem::read_symlink(absl::StrCat("/proc/", pid, "/exe"), error);
      if (error) continue;  // Gone, or not ours.
      std::string name = exe.filename().string();
      absl::string_view short_name = name;
      if (!absl::ConsumePrefix(&short_name, "skinlens-")) continue;
      out.emplace_back(std::string(short_name), static_cast<pid_t>(pid));
    }
    if (out.empty()) return absl::NotFoundError(absl::StrCat(path, ": no running service"));
    return out;
  }
  return absl::NotFoundError(absl::StrCat(path, " has no service_pids line"));
}

}  // namespace skinlens::load
