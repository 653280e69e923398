// AccountManagerSuite and AuthServiceSuite on SQLite.
#include "services/auth/account_manager_suite.h"
#include "services/auth/auth_service_suite.h"

namespace skinlens::auth::testing {
namespace {

const storage::testing::AuthStoreBackend kBackend{
    "sqlite", []() -> absl::StatusOr<std::unique_ptr<storage::testing::TestDatabase>> {
      return storage::testing::MakeSqliteTestDatabase();
    }};

INSTANTIATE_TEST_SUITE_P(Sqlite, AccountManagerSuite, ::testing::Values(kBackend),
                         [](const auto& p) { return p.param.name; });
INSTANTIATE_TEST_SUITE_P(Sqlite, AuthServiceSuite, ::testing::Values(kBackend),
                         [](const auto& p) { return p.param.name; });

}  // namespace
}  // namespace skinlens::auth::testing
