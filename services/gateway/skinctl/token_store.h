// Where skinctl keeps the session token between runs: a file only its owner
// can read (mode 0600, in a folder of mode 0700), by default
// $XDG_CONFIG_HOME/skinlens/token or ~/.config/skinlens/token.
//
//   std::string path = DefaultTokenPath();
//   SKINLENS_RETURN_IF_ERROR(SaveToken(path, login.token()));
//   SKINLENS_ASSIGN_OR_RETURN(std::string token, LoadToken(path));
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace skinlens::skinctl {

// The default token file from $XDG_CONFIG_HOME, else $HOME/.config; empty
// when neither is set.
std::string DefaultTokenPath();

// Writes `token` to `path` with mode 0600 (created, or truncated and re-moded),
// creating missing parent folders with mode 0700. INTERNAL with the reason on
// failure.
absl::Status SaveToken(const std::string& path, absl::string_view token);

// The token in `path`, without surrounding white space. NOT_FOUND ("not logged
// in") when there is no file or it is empty; PERMISSION_DENIED when others may
// read it (mode wider than 0600), since the token may have leaked.
absl::StatusOr<std::string> LoadToken(const std::string& path);

// Removes `path`; a missing file is fine.
absl::Status DeleteToken(const std::string& path);

}  // namespace skinlens::skinctl
