// AuthStore on PostgreSQL through a libpqxx connection pool.
//
//   PostgresOptions options;
//   options.url = "postgresql://skinlens:secret@db:5432/skinlens";
//   SKINLENS_ASSIGN_OR_RETURN(std::unique_ptr<AuthStore> store,
//                             PostgresAuthStore::Open(std::move(options)));
#pragma once

#include <memory>

#include "common/storage/auth_store.h"
#include "common/storage/postgres_database.h"

namespace skinlens::storage {

// Users and sessions in PostgreSQL (see auth_store.h), every query a named
// prepared statement. Thread-safe.
class PostgresAuthStore : public AuthStore {
 public:
  // Connects with `options` (its `statements` are replaced by this store's)
  // and applies the auth migrations.
  static absl::StatusOr<std::unique_ptr<PostgresAuthStore>> Open(PostgresOptions options);

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
  explicit PostgresAuthStore(std::unique_ptr<PostgresDatabase> db) : db_(std::move(db)) {}
  absl::StatusOr<UserRecord> FindUser(const char* statement, absl::string_view value);

  std::unique_ptr<PostgresDatabase> db_;
};

}  // namespace skinlens::storage
