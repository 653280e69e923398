#include "common/storage/sqlite_database.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status/status_macros.h"

namespace skinlens::storage {

namespace {

// Marks an error SQLite reported as SQLITE_BUSY or SQLITE_LOCKED, so a caller
// can tell "another connection holds the lock" from the other UNAVAILABLEs.
constexpr absl::string_view kBusyPayload = "type.skinlens.dev/storage.SqliteBusy";

absl::Status StatusForCode(int rc, std::string message) {
  switch (rc & 0xff) {  // The primary code of an extended one.
    case SQLITE_BUSY:
    case SQLITE_LOCKED: {
      absl::Status status = absl::UnavailableError(std::move(message));
      status.SetPayload(kBusyPayload, absl::Cord());
      return status;
    }
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
      return absl::UnavailableError(std::move(message));
    default:
      break;
  }
  switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return absl::AlreadyExistsError(std::move(message));
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return absl::NotFoundError(std::move(message));
    default:
      return absl::InternalError(std::move(message));
  }
}

// SQLite answers SQLITE_BUSY without calling the busy handler where waiting
// could deadlock, and while another connection turns a fresh file into WAL
// (the journal-mode change takes locks no handler waits for): four openers of
// a new database at once see "database is locked". `attempt` must be
// idempotent; it is retried with a growing pause until `timeout` is spent.
absl::Status RetryWhileBusy(absl::Duration timeout, const std::function<absl::Status()>& attempt) {
  const absl::Time deadline = absl::Now() + timeout;
  absl::Duration pause = absl::Milliseconds(1);
  while (true) {
    absl::Status status = attempt();
    if (!IsSqliteBusy(status) || absl::Now() >= deadline) return status;
    absl::SleepFor(pause);
    pause = std::min(pause * 2, absl::Milliseconds(50));
  }
}

}  // namespace

absl::Status SqliteError(sqlite3* db, int rc, absl::string_view context) {
  return StatusForCode(
      rc, absl::StrCat(context, ": ", db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
}

bool IsSqliteBusy(const absl::Status& status) {
  return status.GetPayload(kBusyPayload).has_value();
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

void SqliteStatement::BindText(int index, absl::string_view value) {
  sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
}

void SqliteStatement::BindInt64(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
}

void SqliteStatement::BindDouble(int index, double value) {
  sqlite3_bind_double(stmt_, index, value);
}

void SqliteStatement::BindBlob(int index, absl::string_view bytes) {
  // A zero-length blob still binds as a blob, not NULL.
  sqlite3_bind_blob(stmt_, index, bytes.empty() ? "" : bytes.data(), static_cast<int>(bytes.size()),
                    SQLITE_TRANSIENT);
}

absl::StatusOr<bool> SqliteStatement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // sqlite3_step returns the extended code with sqlite3_extended_result_codes on.
  return SqliteError(db_, rc, absl::StrCat("cannot run '", sqlite3_sql(stmt_), "'"));
}

absl::Status SqliteStatement::StepDone() {
  SKINLENS_ASSIGN_OR_RETURN(bool row, Step());
  (void)row;
  return absl::OkStatus();
}

std::string SqliteStatement::ColumnText(int index) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, index));
  if (text == nullptr) return {};
  return std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt_, index)));
}

int64_t SqliteStatement::ColumnInt64(int index) const { return sqlite3_column_int64(stmt_, index); }

double SqliteStatement::ColumnDouble(int index) const {
  return sqlite3_column_double(stmt_, index);
}

std::string SqliteStatement::ColumnBlob(int index) const {
  const void* blob = sqlite3_column_blob(stmt_, index);
  if (blob == nullptr) return {};
  return std::string(static_cast<const char*>(blob),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, index)));
}

void SqliteStatement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

absl::StatusOr<SqliteStatement*> SqliteDatabase::Connection::Prepare(const std::string& sql) {
  db_->mu_.AssertHeld();  // A Connection exists only inside Run() or Transaction().
  auto it = db_->statements_.find(sql);
  if (it == db_->statements_.end()) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_->db_, sql.c_str(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
      return SqliteError(db_->db_, rc, absl::StrCat("cannot prepare '", sql, "'"));
    }
    it = db_->statements_.emplace(sql, std::make_unique<SqliteStatement>(db_->db_, stmt)).first;
  }
  it->second->Reset();
  return it->second.get();
}

absl::Status SqliteDatabase::Connection::Exec(const std::string& sql) {
  char* error = nullptr;
  const int rc = sqlite3_exec(db_->db_, sql.c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    const std::string detail = error != nullptr ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    return StatusForCode(sqlite3_extended_errcode(db_->db_),
                         absl::StrCat("cannot execute SQL on '", db_->path_, "': ", detail));
  }
  return absl::OkStatus();
}

int SqliteDatabase::Connection::Changes() const { return sqlite3_changes(db_->db_); }

absl::StatusOr<std::unique_ptr<SqliteDatabase>> SqliteDatabase::Open(const std::string& path,
                                                                     const SqliteOptions& options) {
  // A new database is created readable by its owner only (accounts, sessions,
  // diagnoses); SQLite gives its -wal and -shm files the database's mode.
  if (path != ":memory:" && !path.empty() && path[0] != '\0') {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) ::close(fd);  // EEXIST: an existing database keeps its mode.
  }
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    absl::Status status =
        absl::UnavailableError(absl::StrCat("cannot open SQLite database '", path,
                                            "': ", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
    sqlite3_close(db);
    return status;
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, static_cast<int>(absl::ToInt64Milliseconds(options.busy_timeout)));
  std::unique_ptr<SqliteDatabase> database(new SqliteDatabase(db, path, options));
  // WAL: readers do not block the writer and survive crashes without a hot
  // journal; NORMAL sync is durable in WAL mode except on power loss, FULL on
  // power loss too, which an acknowledged write needs.
  SKINLENS_RETURN_IF_ERROR(RetryWhileBusy(options.busy_timeout, [&] {
    return database->Run([](Connection& c) {
      return c.Exec(
          "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;");
    });
  }));
  return database;
}

SqliteDatabase::~SqliteDatabase() {
  statements_.clear();  // Statements must be finalised before the close.
  sqlite3_close(db_);
}

absl::Status SqliteDatabase::Run(const std::function<absl::Status(Connection&)>& fn) {
  absl::MutexLock lock(&mu_);
  Connection connection(this);
  absl::Status status = fn(connection);
  ResetAllLocked();
  return status;
}

void SqliteDatabase::ResetAllLocked() {
  // A statement left on a row keeps its read transaction (and WAL snapshot)
  // open: the next call would read stale data and block checkpoints.
  for (auto& [sql, statement] : statements_) statement->Reset();
}

absl::Status SqliteDatabase::Transaction(const std::function<absl::Status(Connection&)>& fn) {
  absl::MutexLock lock(&mu_);
  return TransactionLocked(fn);
}

absl::Status SqliteDatabase::TransactionLocked(const std::function<absl::Status(Connection&)>& fn) {
  Connection connection(this);
  // IMMEDIATE takes the write lock up front, so two writers wait on the busy
  // timeout instead of deadlocking on a read-to-write upgrade.
  SKINLENS_RETURN_IF_ERROR(connection.Exec("BEGIN IMMEDIATE"));
  absl::Status status = fn(connection);
  ResetAllLocked();
  if (status.ok()) {
    status = connection.Exec("COMMIT");
    if (status.ok()) return status;
  }
  connection.Exec("ROLLBACK").IgnoreError();
  return status;
}

absl::Status SqliteDatabase::Migrate(absl::string_view component,
                                     const std::vector<Migration>& migrations) {
  // A failed attempt is rolled back whole, so a busy one can run again.
  return RetryWhileBusy(options_.busy_timeout, [&] { return MigrateOnce(component, migrations); });
}

absl::Status SqliteDatabase::MigrateOnce(absl::string_view component,
                                         const std::vector<Migration>& migrations) {
  return Transaction([&](Connection& c) -> absl::Status {
    SKINLENS_RETURN_IF_ERROR(
        c.Exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
               "component TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, "
               "applied_time_us BIGINT NOT NULL, PRIMARY KEY (component, version))"));
    std::map<int, std::string> applied;
    {
      SKINLENS_ASSIGN_OR_RETURN(
          SqliteStatement * select,
          c.Prepare("SELECT version, name FROM schema_migrations WHERE component = ?"));
      select->BindText(1, component);
      while (true) {
        SKINLENS_ASSIGN_OR_RETURN(bool row, select->Step());
        if (!row) break;
        applied[static_cast<int>(select->ColumnInt64(0))] = select->ColumnText(1);
      }
      select->Reset();
    }
    SKINLENS_ASSIGN_OR_RETURN(std::vector<const Migration*> pending,
                              PendingMigrations(component, migrations, applied));
    for (const Migration* migration : pending) {
      const Migration& m = *migration;
      SKINLENS_RETURN_IF_ERROR(c.Exec(m.sql));
      SKINLENS_ASSIGN_OR_RETURN(
          SqliteStatement * insert,
          c.Prepare("INSERT INTO schema_migrations (component, version, name, applied_time_us) "
                    "VALUES (?, ?, ?, ?)"));
      insert->BindText(1, component);
      insert->BindInt64(2, m.version);
      insert->BindText(3, m.name);
      insert->BindInt64(4, absl::ToUnixMicros(absl::Now()));
      SKINLENS_RETURN_IF_ERROR(insert->StepDone());
    }
    return absl::OkStatus();
  });
}

}  // namespace skinlens::storage
