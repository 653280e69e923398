// Versioned schema migrations, shared by the SQLite and PostgreSQL backends.
//
// Each service's schema is a list of SQL files `V<version>__<name>.sql` (for
// example common/storage/migrations/auth/V001__create_users_and_sessions.sql),
// embedded into the binary at build time. At start a backend applies the ones
// not yet recorded in its `schema_migrations` table, in version order, inside
// one transaction under a lock, so a second run or a second process at the same
// time finds the work done.
//
//   SKINLENS_ASSIGN_OR_RETURN(std::vector<Migration> migrations, AuthMigrations());
//   SKINLENS_RETURN_IF_ERROR(database.Migrate("auth", migrations));
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace skinlens::storage {

// One schema change: the SQL of one migration file.
struct Migration {
  int version = 0;   // From the file name: V007__x.sql -> 7. Positive, unique.
  std::string name;  // The file name without the .sql suffix ("V007__x").
  std::string sql;   // One or more statements separated by semicolons.
};

// Parses `file_name` ("V001__create_users.sql") into a migration holding
// `sql`. Fails with INVALID_ARGUMENT when the name does not follow the pattern.
absl::StatusOr<Migration> ParseMigration(absl::string_view file_name, std::string sql);

// Sorts by version; fails with INVALID_ARGUMENT on a duplicate version.
absl::StatusOr<std::vector<Migration>> SortMigrations(std::vector<Migration> migrations);

// The auth service's schema (users and sessions), embedded at build time.
absl::StatusOr<std::vector<Migration>> AuthMigrations();

// The migrations of `component` still to apply, given the versions already
// applied (version -> file name, from the schema_migrations table).
// FAILED_PRECONDITION when an applied version's file has since been renamed:
// the database and the code disagree about what was applied.
absl::StatusOr<std::vector<const Migration*>> PendingMigrations(
    absl::string_view component, const std::vector<Migration>& migrations,
    const std::map<int, std::string>& applied);

}  // namespace skinlens::storage
