// The one test suite every HistoryStore backend passes (idempotent records,
// paging, per-user isolation, deletion, trends, atomic writes, concurrency).
//
// A backend's test binary compiles history_store_contract.cc and instantiates
// the suite with a factory of fresh databases:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, HistoryStoreContract,
//                            ::testing::Values(HistoryStoreBackend{"sqlite", MakeSqlite}));
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "common/storage/history_store.h"
#include "common/storage/testing/store_backend.h"
#include "gtest/gtest.h"

namespace skinlens::storage::testing {

// A named factory of empty test databases.
struct HistoryStoreBackend {
  std::string name;
  std::function<absl::StatusOr<std::unique_ptr<TestDatabase>>()> make;
};

inline std::ostream& operator<<(std::ostream& os, const HistoryStoreBackend& b) {
  return os << b.name;
}

// Fixture: a fresh database and one store on it per test.
class HistoryStoreContract : public ::testing::TestWithParam<HistoryStoreBackend> {
 protected:
  void SetUp() override;

  std::unique_ptr<TestDatabase> database_;
  std::unique_ptr<HistoryStore> store_;
};

}  // namespace skinlens::storage::testing
