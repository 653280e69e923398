// The AccountManager tests, run on every storage backend: a backend's test
// binary compiles account_manager_suite.cc and instantiates the suite
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, AccountManagerSuite, ::testing::Values(kSqliteBackend));
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "common/storage/auth_store_contract.h"
#include "gtest/gtest.h"
#include "services/auth/account_manager.h"

namespace skinlens::auth::testing {

// A clock tests move by hand; it also records the pauses the code under test
// asks for instead of sleeping. Thread-safe.
class FakeClock {
 public:
  absl::Time Now() {
    std::lock_guard<std::mutex> lock(mu_);
    return now_;
  }
  void Advance(absl::Duration d) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ += d;
  }
  void Sleep(absl::Duration d) {
    std::lock_guard<std::mutex> lock(mu_);
    sleeps_.push_back(d);
  }
  std::vector<absl::Duration> Sleeps() {
    std::lock_guard<std::mutex> lock(mu_);
    return sleeps_;
  }

 private:
  std::mutex mu_;
  absl::Time now_ = absl::FromUnixSeconds(1'780'000'000);
  std::vector<absl::Duration> sleeps_;
};

// Options for tests: argon2id at libsodium's minimum cost (8 KiB, 1 pass) so
// the suite stays fast, the given clock, short sessions.
AccountOptions TestOptions(FakeClock* clock);

// Fixture: a fresh database and a manager on it.
class AccountManagerSuite : public ::testing::TestWithParam<storage::testing::AuthStoreBackend> {
 protected:
  void SetUp() override;
  // Another manager on the same database with `options`.
  std::unique_ptr<AccountManager> NewManager(AccountOptions options);
  // Registers `name` with a good password and returns its login token.
  std::string RegisterAndLogin(const std::string& name, const std::string& address = "10.0.0.1");

  FakeClock clock_;
  std::unique_ptr<storage::testing::TestDatabase> database_;
  std::unique_ptr<AccountManager> manager_;
};

}  // namespace skinlens::auth::testing
