// The AuthService tests over gRPC, run on every storage backend: a real
// server on an ephemeral loopback port, called through the generated stub.
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, AuthServiceSuite, ::testing::Values(backend));
#pragma once

#include <memory>
#include <string>

#include "common/grpc/server_runner.h"
#include "common/metrics/metrics_registry.h"
#include "services/auth/account_manager_suite.h"
#include "services/auth/auth_service.h"

namespace skinlens::auth::testing {

// Fixture: a fresh database, a manager on the fake clock, the service on a
// started server, and a stub to it.
class AuthServiceSuite : public ::testing::TestWithParam<storage::testing::AuthStoreBackend> {
 protected:
  void SetUp() override;

  grpc::Status Register(const std::string& name, const std::string& password,
                        v1::AuthServiceRegisterResponse* response = nullptr);
  grpc::Status Login(const std::string& name, const std::string& password,
                     v1::AuthServiceLoginResponse* response, const std::string& address = "");
  grpc::Status Validate(const std::string& token, v1::AuthServiceValidateTokenResponse* response);

  FakeClock clock_;
  std::unique_ptr<storage::testing::TestDatabase> database_;
  std::unique_ptr<AccountManager> manager_;
  std::unique_ptr<AuthService> service_;
  MetricsRegistry registry_;
  std::unique_ptr<ServerRunner> runner_;
  std::unique_ptr<v1::AuthService::Stub> stub_;
};

}  // namespace skinlens::auth::testing
