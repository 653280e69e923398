#include "common/storage/postgres_database.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"

namespace skinlens::storage {
namespace {

// pg_advisory_xact_lock key for migrations: "skinlens" in ASCII.
constexpr int64_t kMigrationLockKey = 0x736b696e6c656e73;

}  // namespace

absl::StatusOr<std::unique_ptr<PostgresDatabase>> PostgresDatabase::Open(PostgresOptions options) {
  if (options.pool_size < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("PostgreSQL pool size must be at least 1, not ", options.pool_size));
  }
  std::unique_ptr<PostgresDatabase> db(new PostgresDatabase(std::move(options)));
  SKINLENS_ASSIGN_OR_RETURN(std::unique_ptr<pqxx::connection> first, db->Connect());
  {
    absl::MutexLock lock(&db->mu_);
    ++db->open_count_;
  }
  db->Release(std::move(first));
  return db;
}

PostgresDatabase::~PostgresDatabase() = default;

absl::StatusOr<std::unique_ptr<pqxx::connection>> PostgresDatabase::Connect() const {
  try {
    auto connection = std::make_unique<pqxx::connection>(options_.url);
    // set_variable, unlike a plain SET, is restored when libpqxx reconnects.
    if (!options_.schema.empty()) {
      connection->set_variable("search_path", connection->quote_name(options_.schema));
    }
    for (const auto& [name, sql] : options_.statements) connection->prepare(name, sql);
    return connection;
  } catch (const std::exception& e) {
    // libpq's messages name host and port, never the password.
    return absl::UnavailableError(absl::StrCat("cannot connect to PostgreSQL: ", e.what()));
  }
}

absl::StatusOr<std::unique_ptr<pqxx::connection>> PostgresDatabase::Acquire() {
  {
    absl::MutexLock lock(&mu_);
    const bool ready = mu_.AwaitWithTimeout(
        absl::Condition(this, &PostgresDatabase::CanAcquireLocked), options_.acquire_timeout);
    if (!ready) {
      return absl::UnavailableError(absl::StrCat("no free PostgreSQL connection within ",
                                                 absl::FormatDuration(options_.acquire_timeout)));
    }
    if (!idle_.empty()) {
      std::unique_ptr<pqxx::connection> connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
    ++open_count_;  // Reserve the slot while connecting without the lock.
  }
  auto connection = Connect();
  if (!connection.ok()) Release(nullptr);
  return connection;
}

void PostgresDatabase::Release(std::unique_ptr<pqxx::connection> connection) {
  absl::MutexLock lock(&mu_);  // Waiters' conditions are checked as it is released.
  if (connection != nullptr && connection->is_open()) {
    idle_.push_back(std::move(connection));
  } else {
    --open_count_;
  }
}

absl::Status PostgresDatabase::Transaction(const std::function<absl::Status(pqxx::work&)>& fn) {
  for (int attempt = 0;; ++attempt) {
    SKINLENS_ASSIGN_OR_RETURN(std::unique_ptr<pqxx::connection> connection, Acquire());
    absl::Status status;
    bool broken = false;
    try {
      pqxx::work tx(*connection);
      status = fn(tx);
      if (status.ok()) tx.commit();  // Otherwise the destructor rolls back.
    } catch (const pqxx::in_doubt_error& e) {
      // Lost during COMMIT: it may or may not have happened; never retry.
      broken = true;
      status = absl::UnavailableError(
          absl::StrCat("PostgreSQL connection lost during commit (outcome unknown): ", e.what()));
    } catch (const pqxx::broken_connection& e) {
      broken = true;
      status = absl::UnavailableError(absl::StrCat("PostgreSQL connection lost: ", e.what()));
      if (attempt == 0) {
        Release(nullptr);
        continue;  // Nothing was committed: run it once more on a new connection.
      }
    } catch (const pqxx::unique_violation& e) {
      status = absl::AlreadyExistsError(e.what());
    } catch (const pqxx::foreign_key_violation& e) {
      status = absl::NotFoundError(e.what());
    } catch (const pqxx::sql_error& e) {
      status = absl::InternalError(absl::StrCat("PostgreSQL error: ", e.what()));
    } catch (const std::exception& e) {
      status = absl::InternalError(absl::StrCat("PostgreSQL call failed: ", e.what()));
    }
    Release(broken ? nullptr : std::move(connection));
    return status;
  }
}

absl::Status PostgresDatabase::Migrate(absl::string_view component,
                                       const std::vector<Migration>& migrations) {
  const std::string component_name(component);
  return Transaction([&](pqxx::work& tx) -> absl::Status {
    tx.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrationLockKey);
    if (!options_.schema.empty()) {
      tx.exec0("CREATE SCHEMA IF NOT EXISTS " + tx.quote_name(options_.schema));
    }
    tx.exec0(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        "component TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, "
        "applied_time_us BIGINT NOT NULL, PRIMARY KEY (component, version))");
    std::map<int, std::string> applied;
    for (const auto& row : tx.exec_params(
             "SELECT version, name FROM schema_migrations WHERE component = $1", component_name)) {
      applied[row[0].as<int>()] = row[1].as<std::string>();
    }
    SKINLENS_ASSIGN_OR_RETURN(std::vector<const Migration*> pending,
                              PendingMigrations(component, migrations, applied));
    for (const Migration* migration : pending) {
      const Migration& m = *migration;
      tx.exec(m.sql);  // No parameters: the simple protocol runs several statements.
      tx.exec_params(
          "INSERT INTO schema_migrations (component, version, name, applied_time_us) "
          "VALUES ($1, $2, $3, $4)",
          component_name, m.version, m.name, static_cast<int64_t>(absl::ToUnixMicros(absl::Now())));
    }
    return absl::OkStatus();
  });
}

}  // namespace skinlens::storage
