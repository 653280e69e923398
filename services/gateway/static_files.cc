#include "services/gateway/static_files.h"

#include <system_error>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"

namespace skinlens::gateway {
namespace {

namespace fs = std::filesystem;

absl::Status NotFound() { return absl::NotFoundError("no such file"); }

bool IsPlainSegment(absl::string_view segment) {
  if (segment.empty() || segment[0] == '.') return false;  // "..", ".", hidden files
  for (char c : segment) {
    if (c == '\\' || c == '\0' || c == ':' || static_cast<unsigned char>(c) < 0x20) return false;
  }
  return true;
}

// True when `path` (canonical) is `root` (canonical) or inside it.
bool IsInside(const fs::path& path, const fs::path& root) {
  auto p = path.begin();
  for (auto r = root.begin(); r != root.end(); ++r, ++p) {
    if (p == path.end() || *p != *r) return false;
  }
  return true;
}

// The canonical regular file `relative` names under `root`, or NOT_FOUND.
absl::StatusOr<fs::path> RegularFileUnder(const fs::path& root, const fs::path& relative) {
  std::error_code error;
  fs::path candidate = fs::canonical(root / relative, error);
  if (error) return NotFound();
  if (fs::is_directory(candidate, error)) {
    candidate = fs::canonical(candidate / "index.html", error);
    if (error) return NotFound();
  }
  if (!IsInside(candidate, root) || !fs::is_regular_file(candidate, error)) return NotFound();
  return candidate;
}

}  // namespace

absl::StatusOr<fs::path> ResolveStaticPath(const fs::path& web_root, absl::string_view url_path) {
  if (!absl::StartsWith(url_path, "/")) return NotFound();
  std::error_code error;
  const fs::path root = fs::canonical(web_root, error);
  if (error) return NotFound();
  fs::path relative;
  std::vector<absl::string_view> segments = absl::StrSplit(url_path.substr(1), '/');
  for (size_t i = 0; i < segments.size(); ++i) {
    // A trailing slash ("/app/") leaves one empty last segment; any other
    // empty segment ("//") is refused like every odd path.
    if (segments[i].empty() && i + 1 == segments.size()) break;
    if (!IsPlainSegment(segments[i])) return NotFound();
    relative /= std::string(segments[i]);
  }
  absl::StatusOr<fs::path> file = RegularFileUnder(root, relative);
  if (file.ok() || relative.has_extension()) return file;
  return RegularFileUnder(root, "index.html");  // A client-side route of the app.
}

std::string ContentTypeFor(const fs::path& file) {
  const std::string ext = absl::AsciiStrToLower(file.extension().string());
  struct Entry {
    const char* ext;
    const char* type;
  };
  static constexpr Entry kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".webp", "image/webp"},
      {".gif", "image/gif"},
      {".ico", "image/x-icon"},
      {".woff", "font/woff"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".wasm", "application/wasm"},
  };
  for (const Entry& e : kTypes) {
    if (ext == e.ext) return e.type;
  }
  return "application/octet-stream";
}

}  // namespace skinlens::gateway
