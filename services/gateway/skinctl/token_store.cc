#include "services/gateway/skinctl/token_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace skinlens::skinctl {

namespace fs = std::filesystem;

std::string DefaultTokenPath() {
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  if (xdg != nullptr && xdg[0] != '\0') return (fs::path(xdg) / "skinlens" / "token").string();
  const char* home = std::getenv("HOME");
  if (home != nullptr && home[0] != '\0') {
    return (fs::path(home) / ".config" / "skinlens" / "token").string();
  }
  return "";
}

absl::Status SaveToken(const std::string& path, absl::string_view token) {
  if (path.empty()) {
    return absl::FailedPreconditionError(
        "no place for the token: set HOME or XDG_CONFIG_HOME, or pass --token_file");
  }
  const fs::path parent = fs::path(path).parent_path();
  if (!parent.empty() && !fs::exists(parent)) {
    std::error_code error;
    fs::create_directories(parent, error);
    if (error)
      return absl::InternalError(
          absl::StrCat("cannot create '", parent.string(), "': ", error.message()));
    fs::permissions(parent, fs::perms::owner_all, error);
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return absl::InternalError(absl::StrCat("cannot write '", path, "': ", std::strerror(errno)));
  // An existing file keeps its mode through O_CREAT: narrow it explicitly.
  const bool ok = ::fchmod(fd, 0600) == 0 &&
                  ::write(fd, token.data(), token.size()) == static_cast<ssize_t>(token.size());
  const int saved_errno = errno;
  ::close(fd);
  if (!ok)
    return absl::InternalError(
        absl::StrCat("cannot write '", path, "': ", std::strerror(saved_errno)));
  return absl::OkStatus();
}

absl::StatusOr<std::string> LoadToken(const std::string& path) {
  struct stat st;
  if (path.empty() || ::stat(path.c_str(), &st) != 0) {
    return absl::NotFoundError("not logged in: run `skinctl login <username>` first");
  }
  if ((st.st_mode & 077) != 0) {
    return absl::PermissionDeniedError(absl::StrCat(
        "the token file '", path, "' can be read by others; delete it and log in again"));
  }
  std::ifstream in(path, std::ios::binary);
  std::string token(std::istreambuf_iterator<char>(in), {});
  token = std::string(absl::StripAsciiWhitespace(token));
  if (token.empty())
    return absl::NotFoundError("not logged in: run `skinctl login <username>` first");
  return token;
}

absl::Status DeleteToken(const std::string& path) {
  std::error_code error;
  fs::remove(path, error);
  if (error)
    return absl::InternalError(absl::StrCat("cannot remove '", path, "': ", error.message()));
  return absl::OkStatus();
}

}  // namespace skinlens::skinctl
