#include "common/storage/postgres_auth_store.h"

#include <string>
#include <utility>

#include "common/status/status_macros.h"

namespace skinlens::storage {
namespace {

#define SKINLENS_USER_COLUMNS "id, username, username_key, password_hash, create_time_us"
#define SKINLENS_SESSION_COLUMNS \
  "token_hash, user_id, create_time_us, expire_time_us, last_used_time_us, user_agent"

const std::map<std::string, std::string>& Statements() {
  static const auto* statements = new std::map<std::string, std::string>{
      {"auth_create_user",
       "INSERT INTO users (" SKINLENS_USER_COLUMNS ") VALUES ($1, $2, $3, $4, $5)"},
      {"auth_find_user_by_key",
       "SELECT " SKINLENS_USER_COLUMNS " FROM users WHERE username_key = $1"},
      {"auth_find_user_by_id", "SELECT " SKINLENS_USER_COLUMNS " FROM users WHERE id = $1"},
      {"auth_update_password", "UPDATE users SET password_hash = $2 WHERE id = $1"},
      {"auth_delete_user", "DELETE FROM users WHERE id = $1"},
      {"auth_create_session",
       "INSERT INTO sessions (" SKINLENS_SESSION_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6)"},
      {"auth_find_session",
       "SELECT " SKINLENS_SESSION_COLUMNS " FROM sessions WHERE token_hash = $1"},
      {"auth_touch_session", "UPDATE sessions SET last_used_time_us = $2 WHERE token_hash = $1"},
      {"auth_delete_session", "DELETE FROM sessions WHERE token_hash = $1"},
      {"auth_delete_other_sessions",
       "DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2"},
      {"auth_delete_expired_sessions",
       "DELETE FROM sessions WHERE expire_time_us <= $1 OR last_used_time_us <= $2"},
  };
  return *statements;
}

#undef SKINLENS_USER_COLUMNS
#undef SKINLENS_SESSION_COLUMNS

std::string S(absl::string_view v) { return std::string(v); }

}  // namespace

absl::StatusOr<std::unique_ptr<PostgresAuthStore>> PostgresAuthStore::Open(
    PostgresOptions options) {
  options.statements = Statements();
  SKINLENS_ASSIGN_OR_RETURN(std::unique_ptr<PostgresDatabase> db,
                            PostgresDatabase::Open(std::move(options)));
  SKINLENS_ASSIGN_OR_RETURN(std::vector<Migration> migrations, AuthMigrations());
  SKINLENS_RETURN_IF_ERROR(db->Migrate("auth", migrations));
  return std::unique_ptr<PostgresAuthStore>(new PostgresAuthStore(std::move(db)));
}

absl::Status PostgresAuthStore::CreateUser(const UserRecord& user) {
  return db_->Transaction([&](pqxx::work& tx) {
    tx.exec_prepared0("auth_create_user", user.id, user.username, user.username_key,
                      user.password_hash, ToStoredTime(user.create_time));
    return absl::OkStatus();
  });
}

absl::StatusOr<UserRecord> PostgresAuthStore::FindUser(const char* statement,
                                                       absl::string_view value) {
  UserRecord user;
  bool found = false;
  SKINLENS_RETURN_IF_ERROR(db_->Transaction([&](pqxx::work& tx) {
    const pqxx::result r = tx.exec_prepared(statement, S(value));
    found = !r.empty();
    if (found) {
      user = UserRecord{r[0][0].as<std::string>(), r[0][1].as<std::string>(),
                        r[0][2].as<std::string>(), r[0][3].as<std::string>(),
                        FromStoredTime(r[0][4].as<int64_t>())};
    }
    return absl::OkStatus();
  }));
  if (!found) return absl::NotFoundError("no such user");
  return user;
}

absl::StatusOr<UserRecord> PostgresAuthStore::FindUserByKey(absl::string_view username_key) {
  return FindUser("auth_find_user_by_key", username_key);
}

absl::StatusOr<UserRecord> PostgresAuthStore::FindUserById(absl::string_view user_id) {
  return FindUser("auth_find_user_by_id", user_id);
}

absl::Status PostgresAuthStore::UpdatePasswordHash(absl::string_view user_id,
                                                   absl::string_view password_hash) {
  return db_->Transaction([&](pqxx::work& tx) {
    if (tx.exec_prepared("auth_update_password", S(user_id), S(password_hash)).affected_rows() ==
        0) {
      return absl::NotFoundError("no such user");
    }
    return absl::OkStatus();
  });
}

absl::Status PostgresAuthStore::DeleteUser(absl::string_view user_id) {
  // Sessions go with the user through ON DELETE CASCADE, in the same statement.
  return db_->Transaction([&](pqxx::work& tx) {
    if (tx.exec_prepared("auth_delete_user", S(user_id)).affected_rows() == 0) {
      return absl::NotFoundError("no such user");
    }
    return absl::OkStatus();
  });
}

absl::Status PostgresAuthStore::CreateSession(const SessionRecord& session) {
  return db_->Transaction([&](pqxx::work& tx) {
    tx.exec_prepared0("auth_create_session", session.token_hash, session.user_id,
                      ToStoredTime(session.create_time), ToStoredTime(session.expire_time),
                      ToStoredTime(session.last_used_time), session.user_agent);
    return absl::OkStatus();
  });
}

absl::StatusOr<SessionRecord> PostgresAuthStore::FindSession(absl::string_view token_hash) {
  SessionRecord session;
  bool found = false;
  SKINLENS_RETURN_IF_ERROR(db_->Transaction([&](pqxx::work& tx) {
    const pqxx::result r = tx.exec_prepared("auth_find_session", S(token_hash));
    found = !r.empty();
    if (found) {
      session = SessionRecord{r[0][0].as<std::string>(),
                              r[0][1].as<std::string>(),
                              FromStoredTime(r[0][2].as<int64_t>()),
                              FromStoredTime(r[0][3].as<int64_t>()),
                              FromStoredTime(r[0][4].as<int64_t>()),
                              r[0][5].as<std::string>()};
    }
    return absl::OkStatus();
  }));
  if (!found) return absl::NotFoundError("no such session");
  return session;
}

absl::Status PostgresAuthStore::TouchSession(absl::string_view token_hash, absl::Time last_used) {
  return db_->Transaction([&](pqxx::work& tx) {
    if (tx.exec_prepared("auth_touch_session", S(token_hash), ToStoredTime(last_used))
            .affected_rows() == 0) {
      return absl::NotFoundError("no such session");
    }
    return absl::OkStatus();
  });
}

absl::Status PostgresAuthStore::DeleteSession(absl::string_view token_hash) {
  return db_->Transaction([&](pqxx::work& tx) {
    tx.exec_prepared("auth_delete_session", S(token_hash));
    return absl::OkStatus();
  });
}

absl::StatusOr<int> PostgresAuthStore::DeleteOtherSessions(absl::string_view user_id,
                                                           absl::string_view keep_token_hash) {
  int deleted = 0;
  SKINLENS_RETURN_IF_ERROR(db_->Transaction([&](pqxx::work& tx) {
    deleted = static_cast<int>(
        tx.exec_prepared("auth_delete_other_sessions", S(user_id), S(keep_token_hash))
            .affected_rows());
    return absl::OkStatus();
  }));
  return deleted;
}

absl::StatusOr<int> PostgresAuthStore::DeleteExpiredSessions(absl::Time now,
                                                             absl::Time idle_before) {
  int deleted = 0;
  SKINLENS_RETURN_IF_ERROR(db_->Transaction([&](pqxx::work& tx) {
    deleted = static_cast<int>(tx.exec_prepared("auth_delete_expired_sessions", ToStoredTime(now),
                                                ToStoredTime(idle_before))
                                   .affected_rows());
    return absl::OkStatus();
  }));
  return deleted;
}

}  // namespace skinlens::storage
