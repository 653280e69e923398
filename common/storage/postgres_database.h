// A pool of libpqxx connections to one PostgreSQL database.
//
// Each connection prepares the named statements given at Open() (so the SQL is
// parsed once per connection and values are always sent as parameters), runs
// work in transactions, and is replaced when the server went away: after a
// restart the first call on a stale connection fails with broken_connection
// before anything was committed, so the pool drops that connection and runs the
// transaction once more on a fresh one. libpqxx exceptions never leave this
// class; they become absl::Status (unique violation -> ALREADY_EXISTS, foreign
// key violation -> NOT_FOUND, lost connection -> UNAVAILABLE).
//
//   PostgresOptions options;
//   options.url = "postgresql://skinlens:secret@127.0.0.1:5432/skinlens";
//   options.statements = {{"find_user", "SELECT name FROM users WHERE id = $1"}};
//   SKINLENS_ASSIGN_OR_RETURN(auto db, PostgresDatabase::Open(options));
//   SKINLENS_RETURN_IF_ERROR(db->Migrate("auth", migrations));
//   absl::Status s = db->Transaction([&](pqxx::work& tx) {
//     pqxx::result r = tx.exec_prepared("find_user", id);
//     ...
//     return absl::OkStatus();
//   });
#pragma once

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
#include "pqxx/pqxx"

namespace skinlens::storage {

// How to reach the database and what to prepare.
struct PostgresOptions {
  // libpq connection string or URL. Holds the password: never log it.
  std::string url;
  // When set, every connection uses this schema (search_path), and Migrate()
  // creates it. Lets several services or tests share one database.
  std::string schema;
  int pool_size = 8;                                  // Connections at most.
  absl::Duration acquire_timeout = absl::Seconds(5);  // Waiting for a free one.
  std::map<std::string, std::string> statements;      // Name -> SQL with $1, $2...
};

// A connection pool. Thread-safe.
class PostgresDatabase {
 public:
  // Connects once to check the settings. UNAVAILABLE when the server cannot be
  // reached, INVALID_ARGUMENT for a bad pool size.
  static absl::StatusOr<std::unique_ptr<PostgresDatabase>> Open(PostgresOptions options);
  ~PostgresDatabase();

  // Runs `fn` in a transaction on a pooled connection; commits when it returns
  // OK, rolls back otherwise. `fn` may run twice when the first connection
  // turns out to be broken before commit, so it must not have effects outside
  // the transaction. Exceptions thrown by libpqxx inside `fn` are turned into
  // statuses here.
  absl::Status Transaction(const std::function<absl::Status(pqxx::work&)>& fn);

  // Applies the migrations of `component` not yet in schema_migrations, in one
  // transaction holding an advisory lock, so concurrent starts serialise.
  // FAILED_PRECONDITION when a recorded version has another name than its file.
  absl::Status Migrate(absl::string_view component, const std::vector<Migration>& migrations);

 private:
  explicit PostgresDatabase(PostgresOptions options) : options_(std::move(options)) {}
  absl::StatusOr<std::unique_ptr<pqxx::connection>> Connect() const;
  absl::StatusOr<std::unique_ptr<pqxx::connection>> Acquire();
  void Release(std::unique_ptr<pqxx::connection> connection);  // nullptr: a broken one.

  const PostgresOptions options_;
  // A connection can be taken: one is idle or the pool may open another.
  bool CanAcquireLocked() const ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return !idle_.empty() || open_count_ < options_.pool_size;
  }

  absl::Mutex mu_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_ ABSL_GUARDED_BY(mu_);
  int open_count_ ABSL_GUARDED_BY(mu_) = 0;  // Idle plus in use.
};

}  // namespace skinlens::storage
