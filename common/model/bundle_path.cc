#include "common/model/bundle_path.h"

#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"

namespace skinlens::model {
namespace {

namespace fs = std::filesystem;

// Whether `path` is `dir` or below it; both canonical.
bool IsInside(const fs::path& path, const fs::path& dir) {
  const fs::path relative = path.lexically_relative(dir);
  return !relative.empty() && *relative.begin() != "..";
}

}  // namespace

absl::StatusOr<std::string> ResolveBundlePath(const BundleLocation& where,
                                              const std::optional<std::string>& requested) {
  if (!requested.has_value()) {
    if (where.model_path.empty()) {
      return absl::InvalidArgumentError("no bundle path given and none configured (--model)");
    }
    return where.model_path;
  }
  if (requested->empty()) return absl::InvalidArgumentError("bundle_path is set but empty");
  if (requested->find('\0') != std::string::npos) {
    return absl::InvalidArgumentError("bundle_path contains a NUL character");
  }
  fs::path dir = where.model_dir.empty() ? fs::path(where.model_path).parent_path()
                                         : fs::path(where.model_dir);
  if (dir.empty()) dir = ".";
  fs::path candidate(*requested);
  if (candidate.is_relative()) candidate = dir / candidate;
  std::error_code error;
  const fs::path canonical = fs::weakly_canonical(fs::absolute(candidate), error);
  if (error) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad bundle_path '", *requested, "': ", error.message()));
  }
  if (!where.model_path.empty()) {
    std::error_code configured_error;
    const fs::path configured =
        fs::weakly_canonical(fs::absolute(where.model_path), configured_error);
    if (!configured_error && configured == canonical) return canonical.string();
  }
  const fs::path canonical_dir = fs::weakly_canonical(fs::absolute(dir), error);
  if (error || !IsInside(canonical, canonical_dir)) {
    return absl::PermissionDeniedError(absl::StrCat("bundle_path '", *requested,
                                                    "' is outside the model directory '",
                                                    canonical_dir.string(), "'"));
  }
  return canonical.string();
}

}  // namespace skinlens::model
