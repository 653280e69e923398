#include "common/storage/testing/store_backend.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "common/storage/postgres_auth_store.h"
#include "common/storage/postgres_history_store.h"
#include "common/storage/sqlite_auth_store.h"
#include "common/storage/sqlite_history_store.h"

namespace skinlens::storage::testing {
namespace {

std::string RandomHex() {
  std::random_device rd;
  return absl::StrFormat("%08x%08x", rd(), rd());
}

class SqliteTestDatabase : public TestDatabase {
 public:
  SqliteTestDatabase() {
    const char* tmp = std::getenv("TEST_TMPDIR");
    dir_ = std::filesystem::path(tmp != nullptr ? tmp : "/tmp") /
           absl::StrCat("skinlens-store-", getpid(), "-", RandomHex());
    std::filesystem::create_directories(dir_);
  }
  ~SqliteTestDatabase() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  std::string backend() const override { return "sqlite"; }
  absl::StatusOr<std::unique_ptr<AuthStore>> OpenAuthStore() override {
    auto store = SqliteAuthStore::Open((dir_ / "auth.db").string());
    if (!store.ok()) return store.status();
    return std::unique_ptr<AuthStore>(std::move(*store));
  }
  absl::StatusOr<std::unique_ptr<HistoryStore>> OpenHistoryStore(
      const HistoryStoreOptions& options) override {
    auto store = SqliteHistoryStore::Open((dir_ / "history.db").string(), options);
    if (!store.ok()) return store.status();
    return std::unique_ptr<HistoryStore>(std::move(*store));
  }

 private:
  std::filesystem::path dir_;
};

}  // namespace

std::unique_ptr<TestDatabase> MakeSqliteTestDatabase() {
  return std::make_unique<SqliteTestDatabase>();
}

absl::StatusOr<std::string> TestPostgresUrl() {
  if (const char* url = std::getenv("SKINLENS_PG_URL"); url != nullptr && *url != '\0') {
    return std::string(url);
  }
  if (const char* file = std::getenv("SKINLENS_PG_URL_FILE"); file != nullptr && *file != '\0') {
    std::ifstream in(file);
    std::string line;
    if (in && std::getline(in, line) && !line.empty()) return line;
    return absl::FailedPreconditionError(
        absl::StrCat("cannot read a PostgreSQL URL from '", file,
                     "' (did the pg_start fixture run? use ctest, not the binary alone)"));
  }
  return absl::FailedPreconditionError(
      "PostgreSQL tests need a server: run them through ctest (its pg fixture starts one), or "
      "start one with scripts/pg-local start and set SKINLENS_PG_URL");
}

absl::StatusOr<std::unique_ptr<PostgresTestDatabase>> PostgresTestDatabase::Create() {
  auto url = TestPostgresUrl();
  if (!url.ok()) return url.status();
  return std::unique_ptr<PostgresTestDatabase>(
      new PostgresTestDatabase(*url, absl::StrCat("t_", RandomHex())));
}

PostgresTestDatabase::~PostgresTestDatabase() {
  try {
    pqxx::connection c(url_);
    pqxx::nontransaction tx(c);
    tx.exec0("DROP SCHEMA IF EXISTS " + tx.quote_name(schema_) + " CASCADE");
  } catch (const std::exception&) {
    // The cluster is thrown away after the run anyway.
  }
}

PostgresOptions PostgresTestDatabase::Options() const {
  PostgresOptions options;
  const char sep = url_.find('?') == std::string::npos ? '?' : '&';
  options.url = absl::StrCat(url_, std::string(1, sep), "application_name=", schema_);
  options.schema = schema_;
  options.pool_size = 4;
  return options;
}

absl::StatusOr<std::unique_ptr<AuthStore>> PostgresTestDatabase::OpenAuthStore() {
  auto store = PostgresAuthStore::Open(Options());
  if (!store.ok()) return store.status();
  return std::unique_ptr<AuthStore>(std::move(*store));
}

absl::StatusOr<std::unique_ptr<HistoryStore>> PostgresTestDatabase::OpenHistoryStore(
    const HistoryStoreOptions& options) {
  auto store = PostgresHistoryStore::Open(Options(), options);
  if (!store.ok()) return store.status();
  return std::unique_ptr<HistoryStore>(std::move(*store));
}

absl::StatusOr<int> PostgresTestDatabase::TerminateConnections() const {
  try {
    pqxx::connection c(url_);
    pqxx::nontransaction tx(c);
    const pqxx::result r = tx.exec_params(
        "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE application_name = $1 AND pid <> pg_backend_pid()",
        schema_);
    return r[0][0].as<int>();
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("cannot terminate connections: ", e.what()));
  }
}

}  // namespace skinlens::storage::testing
