// The AuthStore suite on a live PostgreSQL (the cluster CTest's pg fixture
// starts with scripts/pg-local), plus what only PostgreSQL has: the pool,
// advisory-locked migrations, reconnection after the server drops connections.
// Each test works in its own schema, so test processes running at once
// (ctest -j) never see each other's rows.
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/storage/auth_store_contract.h"
#include "common/storage/postgres_auth_store.h"
#include "common/storage/postgres_database.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skinlens::storage::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(Postgres, AuthStoreContract,
                         ::testing::Values(AuthStoreBackend{
                             "postgres",
                             []() -> absl::StatusOr<std::unique_ptr<TestDatabase>> {
                               auto db = PostgresTestDatabase::Create();
                               if (!db.ok()) return db.status();
                               return std::unique_ptr<TestDatabase>(std::move(*db));
                             }}),
                         [](const auto& p) { return p.param.name; });

TEST(PostgresTestServer, IsAvailable) {
  // Fails (never skips) when the suite runs without a server.
  auto url = TestPostgresUrl();
  ASSERT_TRUE(url.ok()) << url.status();
  PostgresOptions options;
  options.url = *url;
  auto db = PostgresDatabase::Open(options);
  ASSERT_TRUE(db.ok()) << db.status();
}

TEST(PostgresAuthStore, SurvivesServerDroppingItsConnections) {
  auto database = PostgresTestDatabase::Create();
  ASSERT_TRUE(database.ok()) << database.status();
  auto store = PostgresAuthStore::Open((*database)->Options());
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE((*store)->CreateUser({"u1", "alice", "alice", "h", absl::UnixEpoch()}).ok());

  // What a server restart does to a client: every open connection dies.
  auto terminated = (*database)->TerminateConnections();
  ASSERT_TRUE(terminated.ok()) << terminated.status();
  EXPECT_GE(*terminated, 1);

  auto user = (*store)->FindUserById("u1");
  ASSERT_TRUE(user.ok()) << user.status();
  EXPECT_EQ(user->username, "alice");
  EXPECT_TRUE((*store)->CreateUser({"u2", "bob", "bob", "h", absl::UnixEpoch()}).ok());
}

// Runs scripts/pg-local with `args`; true when it exits 0.
bool PgLocal(const std::string& args) {
  const std::string command = std::string(SKINLENS_PG_LOCAL) + " " + args + " >/dev/null 2>&1";
  return std::system(command.c_str()) == 0;
}

TEST(PostgresAuthStore, ReconnectsAfterARealServerRestart) {
  // A private cluster: restarting the shared one would disturb tests running
  // at the same time.
  const std::string dir = absl::StrCat("/tmp/skinlens-pg-restart-", ::getpid());
  const std::string url_file = dir + ".url";
  ASSERT_TRUE(PgLocal(absl::StrCat("start --dir ", dir, " --url-file ", url_file)));
  std::ifstream in(url_file);
  std::string url;
  std::getline(in, url);
  PostgresOptions options;
  options.url = url;
  options.pool_size = 2;
  auto store = PostgresAuthStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE((*store)->CreateUser({"u1", "alice", "alice", "h", absl::UnixEpoch()}).ok());

  ASSERT_TRUE(PgLocal("restart " + dir));
  auto user = (*store)->FindUserById("u1");
  EXPECT_TRUE(user.ok()) << user.status();
  EXPECT_TRUE((*store)->CreateUser({"u2", "bob", "bob", "h", absl::UnixEpoch()}).ok());

  store->reset();
  EXPECT_TRUE(PgLocal("stop " + dir));
  std::remove(url_file.c_str());
}

TEST(PostgresDatabase, UnreachableServerIsUnavailable) {
  PostgresOptions options;
  options.url = "postgresql://skinlens:secret-pw@127.0.0.1:1/skinlens?connect_timeout=2";
  auto db = PostgresDatabase::Open(options);
  EXPECT_EQ(db.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(db.status().message().find("secret-pw"), absl::string_view::npos);
}

TEST(PostgresDatabase, PoolNeverExceedsItsSize) {
  auto database = PostgresTestDatabase::Create();
  ASSERT_TRUE(database.ok()) << database.status();
  PostgresOptions options = (*database)->Options();
  options.pool_size = 2;
  options.acquire_timeout = absl::Milliseconds(300);
  auto db = PostgresDatabase::Open(options);
  ASSERT_TRUE(db.ok()) << db.status();
  // Two transactions hold both connections until released.
  std::atomic<int> inside{0};
  absl::Notification both_inside, release;
  std::vector<std::thread> holders;
  for (int i = 0; i < 2; ++i) {
    holders.emplace_back([&] {
      EXPECT_TRUE((*db)
                      ->Transaction([&](pqxx::work& tx) {
                        tx.exec("SELECT 1");
                        if (++inside == 2) both_inside.Notify();
                        release.WaitForNotification();
                        return absl::OkStatus();
                      })
                      .ok());
    });
  }
  both_inside.WaitForNotification();
  // A third finds no connection within the acquire timeout: refused, not a third connection.
  const absl::Status third = (*db)->Transaction([](pqxx::work&) { return absl::OkStatus(); });
  EXPECT_EQ(third.code(), absl::StatusCode::kUnavailable) << third;
  EXPECT_THAT(std::string(third.message()), ::testing::HasSubstr("no free PostgreSQL connection"));
  release.Notify();
  for (std::thread& t : holders) t.join();
  // Given back, the connections serve the next caller.
  EXPECT_TRUE((*db)
                  ->Transaction([](pqxx::work& tx) {
                    tx.exec("SELECT 1");
                    return absl::OkStatus();
                  })
                  .ok());
}

TEST(PostgresDatabase, MigrationRecordsEachVersionOnceAndRollsBackFailures) {
  auto database = PostgresTestDatabase::Create();
  ASSERT_TRUE(database.ok()) << database.status();
  auto db = PostgresDatabase::Open((*database)->Options());
  ASSERT_TRUE(db.ok()) << db.status();
  std::vector<Migration> good = {
      {1, "V001__a", "CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (7)"}};
  ASSERT_TRUE((*db)->Migrate("demo", good).ok());
  ASSERT_TRUE((*db)->Migrate("demo", good).ok());
  std::vector<Migration> bad = good;
  bad.push_back({2, "V002__bad", "CREATE TABLE b (y INTEGER); CREATE TABLE oops ("});
  EXPECT_EQ((*db)->Migrate("demo", bad).code(), absl::StatusCode::kInternal);
  EXPECT_EQ((*db)->Migrate("demo", {{1, "V001__renamed", ""}}).code(),
            absl::StatusCode::kFailedPrecondition);
  int rows = -1;
  bool b_exists = true;
  ASSERT_TRUE((*db)
                  ->Transaction([&](pqxx::work& tx) {
                    rows = tx.exec("SELECT count(*) FROM a")[0][0].as<int>();
                    b_exists = !tx.exec(
                                      "SELECT 1 FROM information_schema.tables WHERE "
                                      "table_schema = current_schema() AND table_name = 'b'")
                                    .empty();
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(rows, 1);
  EXPECT_FALSE(b_exists);
}

}  // namespace
}  // namespace skinlens::storage::testing
