// AccountManagerSuite and AuthServiceSuite on a live PostgreSQL (CTest's pg fixture), one schema
// per test.
#include "services/auth/account_manager_suite.h"
#include "services/auth/auth_service_suite.h"

namespace skinlens::auth::testing {
namespace {

const storage::testing::AuthStoreBackend kBackend{
    "postgres", []() -> absl::StatusOr<std::unique_ptr<storage::testing::TestDatabase>> {
      auto db = storage::testing::PostgresTestDatabase::Create();
      if (!db.ok()) return db.status();
      return std::unique_ptr<storage::testing::TestDatabase>(std::move(*db));
    }};

INSTANTIATE_TEST_SUITE_P(Postgres, AccountManagerSuite, ::testing::Values(kBackend),
                         [](const auto& p) { return p.param.name; });
INSTANTIATE_TEST_SUITE_P(Postgres, AuthServiceSuite, ::testing::Values(kBackend),
                         [](const auto& p) { return p.param.name; });

}  // namespace
}  // namespace skinlens::auth::testing
