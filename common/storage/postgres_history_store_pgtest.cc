// The HistoryStore suite on PostgreSQL (the cluster of CTest's pg fixture).
#include "common/storage/history_store_contract.h"
#include "common/storage/postgres_history_store.h"
#include "gtest/gtest.h"

namespace skinlens::storage::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(Postgres, HistoryStoreContract,
                         ::testing::Values(HistoryStoreBackend{
                             "postgres",
                             []() -> absl::StatusOr<std::unique_ptr<TestDatabase>> {
                               auto db = PostgresTestDatabase::Create();
                               if (!db.ok()) return db.status();
                               return std::unique_ptr<TestDatabase>(std::move(*db));
                             }}),
                         [](const auto& p) { return p.param.name; });

}  // namespace
}  // namespace skinlens::storage::testing
