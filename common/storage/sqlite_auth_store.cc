#include "common/storage/sqlite_auth_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"

namespace skinlens::storage {
namespace {

constexpr char kUserColumns[] = "id, username, username_key, password_hash, create_time_us";
constexpr char kSessionColumns[] =
    "token_hash, user_id, create_time_us, expire_time_us, last_used_time_us, user_agent";

UserRecord ReadUser(const SqliteStatement& st) {
  return UserRecord{st.ColumnText(0), st.ColumnText(1), st.ColumnText(2), st.ColumnText(3),
                    FromStoredTime(st.ColumnInt64(4))};
}

}  // namespace

absl::StatusOr<std::unique_ptr<SqliteAuthStore>> SqliteAuthStore::Open(
    const std::string& path, const SqliteOptions& options) {
  SKINLENS_ASSIGN_OR_RETURN(std::unique_ptr<SqliteDatabase> db,
                            SqliteDatabase::Open(path, options));
  SKINLENS_ASSIGN_OR_RETURN(std::vector<Migration> migrations, AuthMigrations());
  SKINLENS_RETURN_IF_ERROR(db->Migrate("auth", migrations));
  return std::unique_ptr<SqliteAuthStore>(new SqliteAuthStore(std::move(db)));
}

absl::StatusOr<int> SqliteAuthStore::Write(const std::string& sql,
                                           std::initializer_list<absl::string_view> text,
                                           std::initializer_list<int64_t> ints) {
  int changed = 0;
  absl::Status status = (db_->Run([&](SqliteDatabase::Connection& c) -> absl::Status {
    SKINLENS_ASSIGN_OR_RETURN(SqliteStatement * st, c.Prepare(sql));
    int index = 1;
    for (absl::string_view value : text) st->BindText(index++, value);
    for (int64_t value : ints) st->BindInt64(index++, value);
    SKINLENS_RETURN_IF_ERROR(st->StepDone());
    changed = c.Changes();
    return absl::OkStatus();
  }));
  if (!status.ok()) return status;
  return changed;
}

absl::Status SqliteAuthStore::CreateUser(const UserRecord& user) {
  return Write(absl::StrCat("INSERT INTO users (", kUserColumns, ") VALUES (?, ?, ?, ?, ?)"),
               {user.id, user.username, user.username_key, user.password_hash},
               {ToStoredTime(user.create_time)})
      .status();
}

absl::StatusOr<UserRecord> SqliteAuthStore::FindUser(const char* column, absl::string_view value) {
  UserRecord user;
  bool found = false;
  absl::Status status = (db_->Run([&](SqliteDatabase::Connection& c) -> absl::Status {
    SKINLENS_ASSIGN_OR_RETURN(
        SqliteStatement * st,
        c.Prepare(absl::StrCat("SELECT ", kUserColumns, " FROM users WHERE ", column, " = ?")));
    st->BindText(1, value);
    SKINLENS_ASSIGN_OR_RETURN(found, st->Step());
    if (found) user = ReadUser(*st);
    return absl::OkStatus();
  }));
  if (!status.ok()) return status;
  if (!found) return absl::NotFoundError("no such user");
  return user;
}

absl::StatusOr<UserRecord> SqliteAuthStore::FindUserByKey(absl::string_view username_key) {
  return FindUser("username_key", username_key);
}

absl::StatusOr<UserRecord> SqliteAuthStore::FindUserById(absl::string_view user_id) {
  return FindUser("id", user_id);
}

absl::Status SqliteAuthStore::UpdatePasswordHash(absl::string_view user_id,
                                                 absl::string_view password_hash) {
  SKINLENS_ASSIGN_OR_RETURN(int changed, Write("UPDATE users SET password_hash = ? WHERE id = ?",
                                               {password_hash, user_id}));
  if (changed == 0) return absl::NotFoundError("no such user");
  return absl::OkStatus();
}

absl::Status SqliteAuthStore::DeleteUser(absl::string_view user_id) {
  // Sessions go with the user through ON DELETE CASCADE, in the same statement.
  SKINLENS_ASSIGN_OR_RETURN(int changed, Write("DELETE FROM users WHERE id = ?", {user_id}));
  if (changed == 0) return absl::NotFoundError("no such user");
  return absl::OkStatus();
}

absl::Status SqliteAuthStore::CreateSession(const SessionRecord& session) {
  return Write(
             "INSERT INTO sessions (token_hash, user_id, user_agent, create_time_us, "
             "expire_time_us, last_used_time_us) VALUES (?, ?, ?, ?, ?, ?)",
             {session.token_hash, session.user_id, session.user_agent},
             {ToStoredTime(session.create_time), ToStoredTime(session.expire_time),
              ToStoredTime(session.last_used_time)})
      .status();
}

absl::StatusOr<SessionRecord> SqliteAuthStore::FindSession(absl::string_view token_hash) {
  SessionRecord session;
  bool found = false;
  absl::Status status = (db_->Run([&](SqliteDatabase::Connection& c) -> absl::Status {
    SKINLENS_ASSIGN_OR_RETURN(
        SqliteStatement * st,
        c.Prepare(absl::StrCat("SELECT ", kSessionColumns, " FROM sessions WHERE token_hash = ?")));
    st->BindText(1, token_hash);
    SKINLENS_ASSIGN_OR_RETURN(found, st->Step());
    if (found) {
      session = SessionRecord{st->ColumnText(0),
                              st->ColumnText(1),
                              FromStoredTime(st->ColumnInt64(2)),
                              FromStoredTime(st->ColumnInt64(3)),
                              FromStoredTime(st->ColumnInt64(4)),
                              st->ColumnText(5)};
    }
    return absl::OkStatus();
  }));
  if (!status.ok()) return status;
  if (!found) return absl::NotFoundError("no such session");
  return session;
}

absl::Status SqliteAuthStore::TouchSession(absl::string_view token_hash, absl::Time last_used) {
  SKINLENS_ASSIGN_OR_RETURN(
      int changed, Write("UPDATE sessions SET last_used_time_us = ?2 WHERE token_hash = ?1",
                         {token_hash}, {ToStoredTime(last_used)}));
  if (changed == 0) return absl::NotFoundError("no such session");
  return absl::OkStatus();
}

absl::Status SqliteAuthStore::DeleteSession(absl::string_view token_hash) {
  return Write("DELETE FROM sessions WHERE token_hash = ?", {token_hash}).status();
}

absl::StatusOr<int> SqliteAuthStore::DeleteOtherSessions(absl::string_view user_id,
                                                         absl::string_view keep_token_hash) {
  return Write("DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?",
               {user_id, keep_token_hash});
}

absl::StatusOr<int> SqliteAuthStore::DeleteExpiredSessions(absl::Time now, absl::Time idle_before) {
  return Write("DELETE FROM sessions WHERE expire_time_us <= ? OR last_used_time_us <= ?", {},
               {ToStoredTime(now), ToStoredTime(idle_before)});
}

}  // namespace skinlens::storage
