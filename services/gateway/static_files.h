// Serving the built web app: which file a URL path names inside the web root,
// refusing everything that could leave it, and the file's media type.
//
// A URL path (already percent-decoded by the HTTP library) maps to a file only
// when every segment is a plain name: no "..", no ".", no hidden names
// (".git"), no backslashes or NUL bytes; and the file's canonical path (with
// symbolic links resolved) still lies inside the canonical web root. "/" and
// folders map to their index.html. Paths without an extension that name no
// file fall back to /index.html, so client-side routes of the app load it.
//
//   absl::StatusOr<std::filesystem::path> file = ResolveStaticPath(root, "/assets/app.js");
//   std::string type = ContentTypeFor(*file);  // "text/javascript; charset=utf-8"
#pragma once

#include <filesystem>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace skinlens::gateway {

// The regular file under `web_root` that `url_path` names (see above).
// NOT_FOUND when there is none or the path is refused (the two are not told
// apart, so probing learns nothing).
absl::StatusOr<std::filesystem::path> ResolveStaticPath(const std::filesystem::path& web_root,
                                                        absl::string_view url_path);

// The Content-Type for a file by its extension; application/octet-stream for
// unknown ones.
std::string ContentTypeFor(const std::filesystem::path& file);

}  // namespace skinlens::gateway
