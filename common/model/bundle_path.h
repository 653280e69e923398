// Where a model reload may load from: the one path rule of the inference and explain
// services' ReloadModel (and SIGHUP), so that both accept and refuse the same paths.
//
//   BundleLocation where{.model_path = "/models/demo", .model_dir = ""};
//   ResolveBundlePath(where, std::nullopt);         // "/models/demo": the configured bundle
//   ResolveBundlePath(where, "demo-2026.12c");       // "/models/demo-2026.12c": beside it
//   ResolveBundlePath(where, "/etc");                // PERMISSION_DENIED
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace skinlens::model {

// The configured bundle and the folder reloads may load from.
struct BundleLocation {
  // The bundle loaded at start; what a reload without a path loads (as it is on disk now).
  std::string model_path;
  // Reloads may load bundles inside this folder. Empty: the folder containing `model_path`.
  std::string model_dir;
};

// The canonical path a reload of `requested` loads. Unset: the configured bundle. A relative
// path is taken inside the model folder; an absolute one must lie inside it (or be the
// configured bundle itself). Nothing is opened: whether a bundle is there is the loader's
// question (NOT_FOUND, FAILED_PRECONDITION). Errors: INVALID_ARGUMENT (set but empty, a NUL
// character, or unset with no bundle configured), PERMISSION_DENIED (outside the folder,
// e.g. through "..").
absl::StatusOr<std::string> ResolveBundlePath(const BundleLocation& where,
                                              const std::optional<std::string>& requested);

}  // namespace skinlens::model
