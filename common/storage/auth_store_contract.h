// The one test suite every AuthStore backend passes (users, sessions,
// migrations, literal storage of hostile strings, concurrency).
//
// A backend's test binary compiles auth_store_contract.cc and instantiates the
// suite with a factory of fresh databases:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, AuthStoreContract,
//                            ::testing::Values(AuthStoreBackend{"sqlite", MakeSqlite}));
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "common/storage/testing/store_backend.h"
#include "gtest/gtest.h"

namespace skinlens::storage::testing {

// A named factory of empty test databases.
struct AuthStoreBackend {
  std::string name;
  std::function<absl::StatusOr<std::unique_ptr<TestDatabase>>()> make;
};

inline std::ostream& operator<<(std::ostream& os, const AuthStoreBackend& b) {
  return os << b.name;
}

// Fixture: a fresh database and one store on it per test.
class AuthStoreContract : public ::testing::TestWithParam<AuthStoreBackend> {
 protected:
  void SetUp() override;

  std::unique_ptr<TestDatabase> database_;
  std::unique_ptr<AuthStore> store_;
};

}  // namespace skinlens::storage::testing
