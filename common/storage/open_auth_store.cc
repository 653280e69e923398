#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/storage/auth_store.h"
#include "common/storage/postgres_auth_store.h"
#include "common/storage/sqlite_auth_store.h"

namespace skinlens::storage {

absl::StatusOr<std::unique_ptr<AuthStore>> OpenAuthStore(absl::string_view url) {
  if (absl::StartsWith(url, "sqlite:")) {
    absl::string_view path = url.substr(7);
    if (absl::StartsWith(path, "//")) path.remove_prefix(2);  // sqlite:///abs -> /abs
    if (path.empty()) return absl::InvalidArgumentError("sqlite: URL without a path");
    auto store = SqliteAuthStore::Open(std::string(path));
    if (!store.ok()) return store.status();
    return std::unique_ptr<AuthStore>(std::move(*store));
  }
  if (absl::StartsWith(url, "postgresql://") || absl::StartsWith(url, "postgres://")) {
    PostgresOptions options;
    options.url = std::string(url);
    auto store = PostgresAuthStore::Open(std::move(options));
    if (!store.ok()) return store.status();
    return std::unique_ptr<AuthStore>(std::move(*store));
  }
  // Do not echo the URL: it may hold a password.
  return absl::InvalidArgumentError(
      "database URL must start with sqlite: or postgresql:// (see common/storage/README.md)");
}

}  // namespace skinlens::storage
