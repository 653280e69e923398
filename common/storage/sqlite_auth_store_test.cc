// The AuthStore suite on SQLite, plus what only SQLite has: pragmas, files and
// migration bookkeeping.
#include "common/storage/sqlite_auth_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/storage/auth_store_contract.h"
#include "common/storage/migration.h"
#include "common/storage/sqlite_database.h"
#include "gtest/gtest.h"

namespace skinlens::storage::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(Sqlite, AuthStoreContract,
                         ::testing::Values(AuthStoreBackend{
                             "sqlite",
                             []() -> absl::StatusOr<std::unique_ptr<TestDatabase>> {
                               return MakeSqliteTestDatabase();
                             }}),
                         [](const auto& p) { return p.param.name; });

// A fresh folder per test, removed afterwards.
class SqliteFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           absl::StrCat("skinlens-sqlite-test-", ::getpid(), "-",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  std::string TempPath(const std::string& name) const { return (dir_ / name).string(); }

  std::filesystem::path dir_;
};

std::string Pragma(SqliteDatabase& db, const std::string& pragma) {
  std::string value;
  EXPECT_TRUE(db.Run([&](SqliteDatabase::Connection& c) -> absl::Status {
                  auto st = c.Prepare("PRAGMA " + pragma);
                  if (!st.ok()) return st.status();
                  auto row = (*st)->Step();
                  if (!row.ok()) return row.status();
                  value = (*st)->ColumnText(0);
                  return absl::OkStatus();
                }).ok());
  return value;
}

TEST_F(SqliteFiles, DatabaseOpensInWalModeWithForeignKeysAndBusyTimeout) {
  auto db = SqliteDatabase::Open(TempPath("x.db"));
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ(Pragma(**db, "journal_mode"), "wal");
  EXPECT_EQ(Pragma(**db, "foreign_keys"), "1");
  EXPECT_EQ(Pragma(**db, "busy_timeout"), "5000");
}

TEST_F(SqliteFiles, ANewDatabaseAndItsLogAreReadableByTheOwnerOnly) {
  const ::mode_t old_umask = ::umask(0);  // Even under a permissive umask.
  auto db = SqliteDatabase::Open(TempPath("private.db"));
  ::umask(old_umask);
  ASSERT_TRUE(db.ok()) << db.status();
  ASSERT_TRUE((*db)
                  ->Run([](SqliteDatabase::Connection& c) {
                    return c.Exec("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);");
                  })
                  .ok());
  namespace fs = std::filesystem;
  for (const char* name : {"private.db", "private.db-wal", "private.db-shm"}) {
    ASSERT_TRUE(fs::exists(dir_ / name)) << name;
    EXPECT_EQ(fs::status(dir_ / name).permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write)
        << name;
  }
}

TEST_F(SqliteFiles, DatabaseMissingFolderIsUnavailable) {
  auto db = SqliteDatabase::Open("/nonexistent-skinlens-dir/x.db");
  EXPECT_EQ(db.status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(SqliteFiles, ManyOpenersOfAFreshFileAllOpenAndMigrate) {
  // Services starting together open one new file at once; turning it into WAL
  // answers "database is locked" to some of them without waiting, which Open
  // and Migrate must ride out. Rounds, because the race is won most times.
  const std::vector<Migration> migrations = {{1, "V001__a", "CREATE TABLE a (x INTEGER)"}};
  constexpr int kRounds = 20, kOpeners = 8;
  for (int round = 0; round < kRounds; ++round) {
    const std::string path = TempPath(absl::StrCat("fresh-", round, ".db"));
    std::vector<absl::Status> results(kOpeners);
    std::vector<std::thread> threads;
    for (int i = 0; i < kOpeners; ++i) {
      threads.emplace_back([&, i] {
        auto db = SqliteDatabase::Open(path);
        results[i] = db.ok() ? (*db)->Migrate("demo", migrations) : db.status();
      });
    }
    for (std::thread& t : threads) t.join();
    for (int i = 0; i < kOpeners; ++i) {
      ASSERT_TRUE(results[i].ok()) << "round " << round << ", opener " << i << ": " << results[i];
    }
  }
}

// Another process's write transaction on `path`, held until Release().
class ForeignWriter {
 public:
  explicit ForeignWriter(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  }
  ~ForeignWriter() { sqlite3_close(db_); }
  void Release() { sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr); }

 private:
  sqlite3* db_ = nullptr;
};

TEST_F(SqliteFiles, ALockHeldPastTheBusyTimeoutIsABusyUnavailable) {
  const std::string path = TempPath("held.db");
  auto first = SqliteDatabase::Open(path);
  ASSERT_TRUE(first.ok()) << first.status();
  SqliteOptions impatient;
  impatient.busy_timeout = absl::Milliseconds(50);
  auto db = SqliteDatabase::Open(path, impatient);
  ASSERT_TRUE(db.ok()) << db.status();
  ForeignWriter writer(path);
  const std::vector<Migration> migrations = {{1, "V001__a", "CREATE TABLE a (x INTEGER)"}};
  absl::Status held = (*db)->Migrate("demo", migrations);
  EXPECT_EQ(held.code(), absl::StatusCode::kUnavailable) << held;
  EXPECT_TRUE(IsSqliteBusy(held)) << held;
  writer.Release();
  EXPECT_TRUE((*db)->Migrate("demo", migrations).ok());
  // Other failures are not "busy": a retry would not help them.
  EXPECT_FALSE(IsSqliteBusy(SqliteDatabase::Open("/nonexistent-skinlens-dir/x.db").status()));
  EXPECT_FALSE(IsSqliteBusy((*db)->Migrate("demo", {{2, "V002__bad", "CREATE TABLE oops ("}})));
}

TEST_F(SqliteFiles, MigrateWaitsForAWriterThatFinishesWithinTheTimeout) {
  const std::string path = TempPath("waits.db");
  auto db = SqliteDatabase::Open(path);
  ASSERT_TRUE(db.ok()) << db.status();
  ForeignWriter writer(path);
  std::thread release([&] {
    absl::SleepFor(absl::Milliseconds(200));
    writer.Release();
  });
  absl::Status status = (*db)->Migrate("demo", {{1, "V001__a", "CREATE TABLE a (x INTEGER)"}});
  release.join();
  EXPECT_TRUE(status.ok()) << status;
}

TEST_F(SqliteFiles, DatabaseMigrationRecordsEachVersionOnce) {
  const std::string path = TempPath("m.db");
  auto db = SqliteDatabase::Open(path);
  ASSERT_TRUE(db.ok());
  std::vector<Migration> migrations = {
      {1, "V001__a", "CREATE TABLE a (x INTEGER)"},
      {2, "V002__b", "CREATE TABLE b (y INTEGER); INSERT INTO b VALUES (1)"}};
  ASSERT_TRUE((*db)->Migrate("demo", migrations).ok());
  ASSERT_TRUE((*db)->Migrate("demo", migrations).ok());  // A second run does nothing.
  EXPECT_EQ(Pragma(**db, "table_info(b)").empty(), false);
  int64_t rows = -1;
  ASSERT_TRUE((*db)
                  ->Run([&](SqliteDatabase::Connection& c) -> absl::Status {
                    auto st = c.Prepare("SELECT count(*) FROM b");
                    if (!st.ok()) return st.status();
                    auto row = (*st)->Step();
                    if (!row.ok()) return row.status();
                    rows = (*st)->ColumnInt64(0);
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(rows, 1);
}

TEST_F(SqliteFiles, DatabaseFailedMigrationLeavesNothingBehind) {
  auto db = SqliteDatabase::Open(TempPath("f.db"));
  ASSERT_TRUE(db.ok());
  std::vector<Migration> migrations = {{1, "V001__a", "CREATE TABLE a (x INTEGER)"},
                                       {2, "V002__bad", "CREATE TABLE oops ("}};
  EXPECT_FALSE((*db)->Migrate("demo", migrations).ok());
  // The whole run rolled back: V001's table is gone with V002's failure (a
  // migration committed on its own would leave it, recorded as applied).
  EXPECT_TRUE(Pragma(**db, "table_info(a)").empty());
  EXPECT_TRUE(Pragma(**db, "table_info(oops)").empty());
  // And V001 is applied again cleanly.
  EXPECT_TRUE((*db)->Migrate("demo", {migrations[0]}).ok());
  EXPECT_FALSE(Pragma(**db, "table_info(a)").empty());
}

TEST_F(SqliteFiles, DatabaseEditedMigrationIsFailedPrecondition) {
  auto db = SqliteDatabase::Open(TempPath("e.db"));
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->Migrate("demo", {{1, "V001__a", "CREATE TABLE a (x INTEGER)"}}).ok());
  EXPECT_EQ((*db)->Migrate("demo", {{1, "V001__renamed", "CREATE TABLE a (x INTEGER)"}}).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(SqliteFiles, StoresInTwoFilesAreIndependent) {
  auto a = SqliteAuthStore::Open(TempPath("a.db"));
  auto b = SqliteAuthStore::Open(TempPath("b.db"));
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE((*a)->CreateUser({"u1", "alice", "alice", "h", absl::UnixEpoch()}).ok());
  EXPECT_EQ((*b)->FindUserById("u1").status().code(), absl::StatusCode::kNotFound);
}

TEST(Migration, ParsesVersionAndNameFromFileName) {
  auto m = ParseMigration("V012__add_index.sql", "SELECT 1");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->version, 12);
  EXPECT_EQ(m->name, "V012__add_index");
}

TEST(Migration, RejectsBadFileNames) {
  for (const char* name : {"001__x.sql", "V__x.sql", "V0__x.sql", "V1_x.sql", "V1__x.txt"}) {
    EXPECT_EQ(ParseMigration(name, "").status().code(), absl::StatusCode::kInvalidArgument) << name;
  }
}

TEST(Migration, DuplicateVersionsAreRejected) {
  EXPECT_EQ(SortMigrations({{1, "V1__a", ""}, {1, "V1__b", ""}}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(Migration, AuthSchemaIsEmbeddedInOrder) {
  auto migrations = AuthMigrations();
  ASSERT_TRUE(migrations.ok()) << migrations.status();
  ASSERT_FALSE(migrations->empty());
  EXPECT_EQ((*migrations)[0].name, "V001__create_users_and_sessions");
  EXPECT_NE((*migrations)[0].sql.find("CREATE TABLE sessions"), std::string::npos);
}

TEST_F(SqliteFiles, OpenAuthStoreChoosesBackendByScheme) {
  EXPECT_TRUE(OpenAuthStore("sqlite://" + TempPath("s.db")).ok());
  EXPECT_TRUE(OpenAuthStore("sqlite:" + TempPath("r.db")).ok());
  auto bad = OpenAuthStore("mysql://root:hunter2@x/y");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message().find("hunter2"), absl::string_view::npos);
}

}  // namespace
}  // namespace skinlens::storage::testing
