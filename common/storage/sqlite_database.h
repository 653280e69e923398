// One SQLite database file, set up the way every SkinLens service uses it.
//
// Open() turns on WAL journaling (readers never block the writer, and other
// processes may open the file at the same time), a busy timeout, and foreign
// keys; Migrate() applies versioned migrations (migration.h) under BEGIN
// IMMEDIATE, so two processes migrating at once serialise. Statements are
// prepared once per SQL text and cached; values are always bound, never
// formatted into SQL.
//
//   SKINLENS_ASSIGN_OR_RETURN(auto db, SqliteDatabase::Open("/var/lib/skinlens/auth.db"));
//   SKINLENS_RETURN_IF_ERROR(db->Migrate("auth", migrations));
//   absl::Status s = db->Run([](SqliteDatabase::Connection& c) -> absl::Status {
//     SKINLENS_ASSIGN_OR_RETURN(SqliteStatement * st, c.Prepare("DELETE FROM t WHERE id = ?"));
//     st->BindText(1, id);
//     return st->StepDone();
//   });
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/storage/migration.h"

namespace skinlens::storage {

// A prepared statement owned by its connection's cache. Bind indexes start at
// 1. Used only inside SqliteDatabase::Run on the thread that runs it.
class SqliteStatement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~SqliteStatement();
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  void BindText(int index, absl::string_view value);
  void BindInt64(int index, int64_t value);
  void BindDouble(int index, double value);
  // Binds bytes as a BLOB (never converted by column affinity).
  void BindBlob(int index, absl::string_view bytes);

  // Steps once: true when a row is ready, false when done. Constraint
  // violations map to ALREADY_EXISTS (unique) and NOT_FOUND (foreign key),
  // a locked database to UNAVAILABLE.
  absl::StatusOr<bool> Step();
  // Steps a statement that returns no rows.
  absl::Status StepDone();

  std::string ColumnText(int index) const;  // Index from 0.
  int64_t ColumnInt64(int index) const;
  double ColumnDouble(int index) const;
  std::string ColumnBlob(int index) const;  // The bytes of a BLOB column.

  // Clears bindings and rewinds; Prepare() does this before handing it out.
  void Reset();

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

// Settings of a database file.
struct SqliteOptions {
  absl::Duration busy_timeout = absl::Seconds(5);  // Waiting for another writer.
};

// An open SQLite file. Thread-safe: Run() serialises users of the one
// connection (SQLite's own locking serialises other processes).
class SqliteDatabase {
 public:
  // The connection, valid only inside Run().
  class Connection {
   public:
    // The cached statement for `sql`, reset and with cleared bindings.
    absl::StatusOr<SqliteStatement*> Prepare(const std::string& sql);
    // Executes one or more statements without parameters.
    absl::Status Exec(const std::string& sql);
    // Rows changed by the last INSERT/UPDATE/DELETE.
    int Changes() const;

   private:
    friend class SqliteDatabase;
    explicit Connection(SqliteDatabase* db) : db_(db) {}
    SqliteDatabase* db_;
  };

  // Opens (creating if needed) the file at `path` (":memory:" for a private
  // in-memory database). UNAVAILABLE when it cannot be opened.
  static absl::StatusOr<std::unique_ptr<SqliteDatabase>> Open(const std::string& path,
                                                              const SqliteOptions& options = {});
  ~SqliteDatabase();

  // Runs `fn` with exclusive use of the connection.
  absl::Status Run(const std::function<absl::Status(Connection&)>& fn);
  // Runs `fn` in a transaction (BEGIN IMMEDIATE): committed when it returns OK,
  // rolled back otherwise.
  absl::Status Transaction(const std::function<absl::Status(Connection&)>& fn);

  // Applies the migrations of `component` that schema_migrations does not list
  // yet, in one transaction. FAILED_PRECONDITION when a recorded version has
  // another name than the file of that version (the files were edited).
  // Another process migrating at the same moment is waited for.
  absl::Status Migrate(absl::string_view component, const std::vector<Migration>& migrations);

 private:
  SqliteDatabase(sqlite3* db, std::string path, const SqliteOptions& options)
      : db_(db), path_(std::move(path)), options_(options) {}
  absl::Status MigrateOnce(absl::string_view component, const std::vector<Migration>& migrations);
  absl::Status TransactionLocked(const std::function<absl::Status(Connection&)>& fn)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ResetAllLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;  // Held by Run() and Transaction().
  sqlite3* db_;     // Owned; used only with mu_ held.
  std::string path_;
  const SqliteOptions options_;
  std::map<std::string, std::unique_ptr<SqliteStatement>> statements_ ABSL_GUARDED_BY(mu_);
};

// The absl::Status for SQLite result code `rc` on `db`, with `context`.
absl::Status SqliteError(sqlite3* db, int rc, absl::string_view context);

// Whether `status` is SQLite's "database is locked" (SQLITE_BUSY or
// SQLITE_LOCKED): another connection holds the lock, a retry may succeed.
bool IsSqliteBusy(const absl::Status& status);

}  // namespace skinlens::storage
