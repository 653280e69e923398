#include "common/storage/migration.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace skinlens::storage {

absl::StatusOr<Migration> ParseMigration(absl::string_view file_name, std::string sql) {
  const auto bad = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat("migration file '", file_name, "' is not named V<number>__<name>.sql"));
  };
  if (!absl::StartsWith(file_name, "V") || !absl::EndsWith(file_name, ".sql")) return bad();
  const size_t sep = file_name.find("__");
  if (sep == absl::string_view::npos || sep < 2) return bad();
  int version = 0;
  if (!absl::SimpleAtoi(file_name.substr(1, sep - 1), &version) || version <= 0) return bad();
  Migration m;
  m.version = version;
  m.name = std::string(file_name.substr(0, file_name.size() - 4));
  m.sql = std::move(sql);
  return m;
}

absl::StatusOr<std::vector<Migration>> SortMigrations(std::vector<Migration> migrations) {
  std::sort(migrations.begin(), migrations.end(),
            [](const Migration& a, const Migration& b) { return a.version < b.version; });
  for (size_t i = 1; i < migrations.size(); ++i) {
    if (migrations[i].version == migrations[i - 1].version) {
      return absl::InvalidArgumentError(
          absl::StrCat("two migrations with version ", migrations[i].version, ": '",
                       migrations[i - 1].name, "' and '", migrations[i].name, "'"));
    }
  }
  return migrations;
}

absl::StatusOr<std::vector<const Migration*>> PendingMigrations(
    absl::string_view component, const std::vector<Migration>& migrations,
    const std::map<int, std::string>& applied) {
  std::vector<const Migration*> pending;
  for (const Migration& m : migrations) {
    auto it = applied.find(m.version);
    if (it == applied.end()) {
      pending.push_back(&m);
    } else if (it->second != m.name) {
      return absl::FailedPreconditionError(absl::StrCat("migration ", m.version, " of '", component,
                                                        "' was applied as '", it->second,
                                                        "' but the file is now '", m.name, "'"));
    }
  }
  return pending;
}

}  // namespace skinlens::storage
