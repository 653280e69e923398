// AuthStore on an SQLite file: the embedded default, one file per service.
//
//   SKINLENS_ASSIGN_OR_RETURN(std::unique_ptr<AuthStore> store,
//                             SqliteAuthStore::Open("/var/lib/skinlens/auth.db"));
#pragma once

#include <memory>
#include <string>

#include "common/storage/auth_store.h"
#include "common/storage/sqlite_database.h"

namespace skinlens::storage {

// Users and sessions in SQLite (see auth_store.h). Thread-safe.
class SqliteAuthStore : public AuthStore {
 public:
  // Opens `path` (created if missing) and applies the auth migrations.
  static absl::StatusOr<std::unique_ptr<SqliteAuthStore>> Open(const std::string& path,
                                                               const SqliteOptions& options = {});

  absl::Status CreateUser(const UserRecord& user) override;
  absl::StatusOr<UserRecord> FindUserByKey(absl::string_view username_key) override;
  absl::StatusOr<UserRecord> FindUserById(absl::string_view user_id) override;
  absl::Status UpdatePasswordHash(absl::string_view user_id,
                                  absl::string_view password_hash) override;
  absl::Status DeleteUser(absl::string_view user_id) override;
  absl::Status CreateSession(const SessionRecord& session) override;
  absl::StatusOr<SessionRecord> FindSession(absl::string_view token_hash) override;
  absl::Status TouchSession(absl::string_view token_hash, absl::Time last_used) override;
  absl::Status DeleteSession(absl::string_view token_hash) override;
  absl::StatusOr<int> DeleteOtherSessions(absl::string_view user_id,
                                          absl::string_view keep_token_hash) override;
  absl::StatusOr<int> DeleteExpiredSessions(absl::Time now, absl::Time idle_before) override;

 private:
  explicit SqliteAuthStore(std::unique_ptr<SqliteDatabase> db) : db_(std::move(db)) {}
  absl::StatusOr<UserRecord> FindUser(const char* column, absl::string_view value);
  // Runs a one-statement write binding `text` values then `ints`; returns the
  // number of changed rows.
  absl::StatusOr<int> Write(const std::string& sql, std::initializer_list<absl::string_view> text,
                            std::initializer_list<int64_t> ints = {});

  std::unique_ptr<SqliteDatabase> db_;
};

}  // namespace skinlens::storage
