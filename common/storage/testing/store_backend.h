// Test support: fresh databases on either backend, for suites that run the
// same tests against SQLite and PostgreSQL.
//
// A TestDatabase is one empty database (a temporary SQLite file, or a new
// PostgreSQL schema with a random name in the cluster that scripts/pg-local
// started), removed when the object dies. Open a store on it as often as a
// test needs: every store opened on it sees the same data.
//
//   std::unique_ptr<TestDatabase> db = MakeSqliteTestDatabase();
//   ASSERT_OK_AND_ASSIGN(auto store, OpenAuthStoreOn(*db));
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/storage/auth_store.h"
#include "common/storage/history_store.h"
#include "common/storage/postgres_database.h"

namespace skinlens::storage::testing {

// One empty database for one test. Not thread-safe; the stores it opens are.
class TestDatabase {
 public:
  virtual ~TestDatabase() = default;
  // "sqlite" or "postgres".
  virtual std::string backend() const = 0;
  // A new AuthStore on this database (migrating it if needed).
  virtual absl::StatusOr<std::unique_ptr<AuthStore>> OpenAuthStore() = 0;
  // A new HistoryStore on this database (migrating it if needed).
  virtual absl::StatusOr<std::unique_ptr<HistoryStore>> OpenHistoryStore(
      const HistoryStoreOptions& options) = 0;
};

// A temporary SQLite file under TEST_TMPDIR or /tmp.
std::unique_ptr<TestDatabase> MakeSqliteTestDatabase();

// The connection string of the test cluster: $SKINLENS_PG_URL, else the first
// line of the file $SKINLENS_PG_URL_FILE names (CTest's pg fixture sets it).
// FAILED_PRECONDITION with instructions when neither is set: PostgreSQL tests
// fail rather than skip.
absl::StatusOr<std::string> TestPostgresUrl();

// A fresh schema in the test cluster; dropped with everything in it at the
// end. Connections of its stores carry `application_name()`, so a test can
// terminate them on the server to simulate a restart.
class PostgresTestDatabase : public TestDatabase {
 public:
  static absl::StatusOr<std::unique_ptr<PostgresTestDatabase>> Create();
  ~PostgresTestDatabase() override;
  std::string backend() const override { return "postgres"; }
  absl::StatusOr<std::unique_ptr<AuthStore>> OpenAuthStore() override;
  absl::StatusOr<std::unique_ptr<HistoryStore>> OpenHistoryStore(
      const HistoryStoreOptions& options) override;

  // Options reaching this database's schema.
  PostgresOptions Options() const;
  const std::string& schema() const { return schema_; }
  const std::string& application_name() const { return schema_; }
  // Terminates, on the server, every connection opened through this database.
  // Returns how many it ended.
  absl::StatusOr<int> TerminateConnections() const;

 private:
  PostgresTestDatabase(std::string url, std::string schema)
      : url_(std::move(url)), schema_(std::move(schema)) {}
  std::string url_;     // Of the cluster, without application_name.
  std::string schema_;  // Random: "t_" and 16 hex digits.
};

}  // namespace skinlens::storage::testing
