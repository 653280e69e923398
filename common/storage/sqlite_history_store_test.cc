// The HistoryStore suite on SQLite, plus the shared helpers of the backends.
#include "common/storage/sqlite_history_store.h"

#include "common/storage/history_store_contract.h"
#include "gtest/gtest.h"

namespace skinlens::storage::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(Sqlite, HistoryStoreContract,
                         ::testing::Values(HistoryStoreBackend{
                             "sqlite",
                             []() -> absl::StatusOr<std::unique_ptr<TestDatabase>> {
                               return MakeSqliteTestDatabase();
                             }}),
                         [](const auto& p) { return p.param.name; });

TEST(HistoryMigrations, SchemaIsEmbeddedInOrder) {
  auto migrations = HistoryMigrations();
  ASSERT_TRUE(migrations.ok()) << migrations.status();
  ASSERT_FALSE(migrations->empty());
  EXPECT_EQ((*migrations)[0].name, "V001__create_diagnoses");
  EXPECT_NE((*migrations)[0].sql.find("CREATE TABLE diagnosis_attributes"), std::string::npos);
}

TEST(HistoryPageToken, RoundTripsForTheSameListing) {
  const history_internal::StoredRange range{10, 20};
  const std::string token = history_internal::EncodePageToken({15, "abc"}, "u1", range);
  auto cursor = history_internal::DecodePageToken(token, "u1", range);
  ASSERT_TRUE(cursor.ok()) << cursor.status();
  EXPECT_EQ(cursor->time_us, 15);
  EXPECT_EQ(cursor->id, "abc");
  EXPECT_EQ(token.find("u1"), std::string::npos);  // Opaque: no user id inside.
}

TEST(HistoryPageToken, IsRefusedForAnotherUserOrRange) {
  const history_internal::StoredRange range{10, 20};
  const std::string token = history_internal::EncodePageToken({15, "abc"}, "u1", range);
  EXPECT_EQ(history_internal::DecodePageToken(token, "u2", range).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(history_internal::DecodePageToken(token, "u1", {10, 21}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(HistoryPageSize, DefaultsClampsAndRefusesNegative) {
  EXPECT_EQ(*history_internal::EffectivePageSize(0), kDefaultPageSize);
  EXPECT_EQ(*history_internal::EffectivePageSize(7), 7);
  EXPECT_EQ(*history_internal::EffectivePageSize(1000), kMaxPageSize);
  EXPECT_EQ(history_internal::EffectivePageSize(-1).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(OpenHistoryStore, RefusesAnUnknownSchemeWithoutEchoingIt) {
  auto store = OpenHistoryStore("mysql://root:hunter2@x/y");
  EXPECT_EQ(store.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(store.status().message()).find("hunter2"), std::string::npos);
}

}  // namespace
}  // namespace skinlens::storage::testing
