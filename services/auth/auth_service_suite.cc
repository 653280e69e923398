// AuthService over gRPC: a real server on an ephemeral loopback port (the
// shared runner) called through the generated stub, on each storage backend
// (instantiated in account_manager_test.cc and account_manager_pgtest.cc).
#include "services/auth/auth_service_suite.h"

#include "absl/strings/str_cat.h"
#include "common/grpc/call_assertion.h"
#include "common/grpc/channel_factory.h"
#include "common/grpc/rich_status.h"
#include "common/grpc/server_runner.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "services/auth/account_manager_suite.h"
#include "services/auth/auth_errors.h"

namespace skinlens::auth::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;

constexpr char kPassword[] = "correct horse battery staple";

// The secret the suite's gateway-like client and the service share.
const CallAssertionKey& CallerKey() {
  static const CallAssertionKey* key =
      new CallAssertionKey(*CallAssertionKey::FromSecret("auth-service-suite-caller-secret-0123"));
  return *key;
}

std::string Target(const ServerRunner& runner) { return absl::StrCat("127.0.0.1:", runner.port()); }

}  // namespace

void AuthServiceSuite::SetUp() {
  auto database = GetParam().make();
  ASSERT_TRUE(database.ok()) << database.status();
  database_ = std::move(*database);
  auto store = database_->OpenAuthStore();
  ASSERT_TRUE(store.ok()) << store.status();
  auto manager = AccountManager::Create(std::move(*store), TestOptions(&clock_));
  ASSERT_TRUE(manager.ok()) << manager.status();
  manager_ = std::move(*manager);
  service_ = std::make_unique<AuthService>(manager_.get(), CallerKey());
  ServerOptions options;
  options.service_name = "auth";
  options.admin_port = -1;
  options.shutdown_grace = absl::Seconds(1);
  auto runner = ServerRunner::Start(
      options, {{v1::AuthService::service_full_name(), service_.get()}}, &registry_);
  ASSERT_TRUE(runner.ok()) << runner.status();
  runner_ = std::move(*runner);
  // Signed as the gateway signs its calls.
  stub_ = v1::AuthService::NewStub(CreateChannel(Target(*runner_), {}, CallSigner(CallerKey())));
}

grpc::Status AuthServiceSuite::Register(const std::string& name, const std::string& password,
                                        v1::AuthServiceRegisterResponse* response) {
  grpc::ClientContext context;
  v1::AuthServiceRegisterRequest request;
  request.set_username(name);
  request.set_password(password);
  ClaimClientAddress("192.0.2.1", &context);
  v1::AuthServiceRegisterResponse ignored;
  return stub_->Register(&context, request, response ? response : &ignored);
}

grpc::Status AuthServiceSuite::Login(const std::string& name, const std::string& password,
                                     v1::AuthServiceLoginResponse* response,
                                     const std::string& address) {
  grpc::ClientContext context;
  v1::AuthServiceLoginRequest request;
  request.set_username(name);
  request.set_password(password);
  ClaimClientAddress(address, &context);
  request.set_user_agent("auth_service_test");
  return stub_->Login(&context, request, response);
}

grpc::Status AuthServiceSuite::Validate(const std::string& token,
                                        v1::AuthServiceValidateTokenResponse* response) {
  grpc::ClientContext context;
  v1::AuthServiceValidateTokenRequest request;
  request.set_token(token);
  return stub_->ValidateToken(&context, request, response);
}

TEST_P(AuthServiceSuite, RegisterLoginValidateChangePasswordLogout) {
  v1::AuthServiceRegisterResponse registered;
  ASSERT_TRUE(Register("Alice", kPassword, &registered).ok());
  EXPECT_EQ(registered.username(), "Alice");
  EXPECT_EQ(registered.create_time().seconds(), absl::ToUnixSeconds(clock_.Now()));

  v1::AuthServiceLoginResponse login;
  ASSERT_TRUE(Login("alice", kPassword, &login).ok());
  EXPECT_EQ(login.user_id(), registered.user_id());
  EXPECT_EQ(login.token().size(), 43u);
  EXPECT_EQ(login.expire_time().seconds(), absl::ToUnixSeconds(clock_.Now() + absl::Hours(10)));
  EXPECT_EQ(login.idle_timeout().seconds(), 3600);
  v1::AuthServiceLoginResponse second;
  ASSERT_TRUE(Login("alice", kPassword, &second).ok());

  clock_.Advance(absl::Minutes(5));
  v1::AuthServiceValidateTokenResponse who;
  ASSERT_TRUE(Validate(login.token(), &who).ok());
  EXPECT_EQ(who.user_id(), registered.user_id());
  EXPECT_EQ(who.idle_expire_time().seconds(), absl::ToUnixSeconds(clock_.Now() + absl::Hours(1)));

  {
    grpc::ClientContext context;
    v1::AuthServiceChangePasswordRequest request;
    request.set_token(login.token());
    request.set_current_password(kPassword);
    request.set_new_password("a completely new passphrase");
    v1::AuthServiceChangePasswordResponse response;
    ASSERT_TRUE(stub_->ChangePassword(&context, request, &response).ok());
    EXPECT_EQ(response.revoked_session_count(), 1);
  }
  grpc::Status revoked = Validate(second.token(), &who);
  EXPECT_EQ(revoked.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ErrorReason(FromGrpcStatus(revoked)), "TOKEN_INVALID");

  {
    grpc::ClientContext context;
    v1::AuthServiceLogoutRequest request;
    request.set_token(login.token());
    v1::AuthServiceLogoutResponse response;
    ASSERT_TRUE(stub_->Logout(&context, request, &response).ok());
  }
  EXPECT_EQ(Validate(login.token(), &who).error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_P(AuthServiceSuite, PolicyViolationsArriveAsBadRequest) {
  const grpc::Status s = Register("ok_name", "password1");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Violations(FromGrpcStatus(s)),
              ElementsAre(AllOf(Field(&Violation::field, "password"),
                                Field(&Violation::reason, "PASSWORD_TOO_COMMON"))));
  ASSERT_TRUE(Register("ok_name", kPassword).ok());
  const grpc::Status taken = Register("OK_NAME", kPassword);
  EXPECT_EQ(taken.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(ErrorReason(FromGrpcStatus(taken)), "USERNAME_TAKEN");
  EXPECT_EQ(DetailOf<v1::ErrorInfo>(FromGrpcStatus(taken))->domain(), "auth.skinlens.v1");
}

TEST_P(AuthServiceSuite, UnknownUserAndWrongPasswordAreIndistinguishable) {
  ASSERT_TRUE(Register("alice", kPassword).ok());
  v1::AuthServiceLoginResponse response;
  const grpc::Status wrong = Login("alice", "not the password", &response, "198.51.100.1");
  const grpc::Status unknown = Login("mallory", "not the password", &response, "198.51.100.2");
  EXPECT_EQ(wrong.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(wrong.error_code(), unknown.error_code());
  EXPECT_EQ(wrong.error_message(), unknown.error_message());
  EXPECT_EQ(wrong.error_details(), unknown.error_details());
  EXPECT_TRUE(response.token().empty());
}

TEST_P(AuthServiceSuite, ThrottledLoginIsResourceExhaustedWithRetryInfo) {
  ASSERT_TRUE(Register("alice", kPassword).ok());
  v1::AuthServiceLoginResponse response;
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(Login("alice", "not the password", &response).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  const grpc::Status s = Login("alice", kPassword, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  const absl::Status e = FromGrpcStatus(s);
  EXPECT_EQ(ErrorReason(e), "LOGIN_THROTTLED");
  EXPECT_EQ(RetryDelay(e), absl::Seconds(1));
  clock_.Advance(absl::Seconds(1));
  EXPECT_TRUE(Login("alice", kPassword, &response).ok());
}

// Only calls signed with the gateway's secret are answered: unsigned, signed
// with another secret, or an assertion made for another method or request
// are UNAUTHENTICATED, and change nothing.
TEST_P(AuthServiceSuite, OnlyTheGatewaysSignedCallsAreAnswered) {
  auto unsigned_stub = v1::AuthService::NewStub(CreateChannel(Target(*runner_)));
  auto other_key = CallAssertionKey::FromSecret(std::string(40, 'o'));
  ASSERT_TRUE(other_key.ok());
  auto forged_stub =
      v1::AuthService::NewStub(CreateChannel(Target(*runner_), {}, CallSigner(*other_key)));
  const int64_t in_a_minute = absl::ToUnixSeconds(absl::Now() + absl::Minutes(1));
  for (v1::AuthService::Stub* stub : {unsigned_stub.get(), forged_stub.get()}) {
    grpc::ClientContext context;
    v1::AuthServiceRegisterRequest request;
    request.set_username("mallory");
    request.set_password(kPassword);
    v1::AuthServiceRegisterResponse response;
    EXPECT_EQ(stub->Register(&context, request, &response).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  ASSERT_TRUE(Register("alice", kPassword).ok());
  v1::AuthServiceLoginResponse login;
  ASSERT_TRUE(Login("alice", kPassword, &login).ok());
  // A genuine assertion for ValidateToken, presented on a Login.
  {
    grpc::ClientContext context;
    AssertCall(CallerKey(), {"/skinlens.v1.AuthService/ValidateToken", "", "", "", in_a_minute},
               &context);
    v1::AuthServiceLoginRequest request;
    request.set_username("alice");
    request.set_password(kPassword);
    v1::AuthServiceLoginResponse response;
    EXPECT_EQ(unsigned_stub->Login(&context, request, &response).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_TRUE(response.token().empty());
  }
  // One made for another request id.
  {
    grpc::ClientContext context;
    context.AddMetadata("x-request-id", "request-b");
    AssertCall(CallerKey(),
               {"/skinlens.v1.AuthService/ValidateToken", "request-a", "", "", in_a_minute},
               &context);
    v1::AuthServiceValidateTokenRequest request;
    request.set_token(login.token());
    v1::AuthServiceValidateTokenResponse response;
    EXPECT_EQ(unsigned_stub->ValidateToken(&context, request, &response).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_TRUE(response.user_id().empty());
  }
  // Unsigned calls revoke and delete nothing.
  for (v1::AuthService::Stub* stub : {unsigned_stub.get(), forged_stub.get()}) {
    grpc::ClientContext logout_context;
    v1::AuthServiceLogoutRequest logout;
    logout.set_token(login.token());
    v1::AuthServiceLogoutResponse logged_out;
    EXPECT_EQ(stub->Logout(&logout_context, logout, &logged_out).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
    grpc::ClientContext delete_context;
    v1::AuthServiceDeleteAccountRequest remove;
    remove.set_token(login.token());
    remove.set_password(kPassword);
    v1::AuthServiceDeleteAccountResponse removed;
    EXPECT_EQ(stub->DeleteAccount(&delete_context, remove, &removed).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  v1::AuthServiceValidateTokenResponse who;
  EXPECT_TRUE(Validate(login.token(), &who).ok());
  EXPECT_TRUE(Register("mallory", kPassword).ok()) << "the refused Register created nothing";
}

// The address throttled on is the one the gateway signed, whatever the
// request's own (deprecated) client_address field says.
TEST_P(AuthServiceSuite, ThrottlesTheSignedAddressNotTheClaimedField) {
  ASSERT_TRUE(Register("alice", kPassword).ok());
  for (int i = 0; i < 6; ++i) {
    grpc::ClientContext context;
    ClaimClientAddress("198.51.100.9", &context);
    v1::AuthServiceLoginRequest request;
    request.set_username("alice");
    request.set_password("not the password");
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    request.set_client_address(absl::StrCat("192.0.2.", 10 + i));  // What a forger would set.
#pragma GCC diagnostic pop
    v1::AuthServiceLoginResponse response;
    EXPECT_EQ(stub_->Login(&context, request, &response).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  v1::AuthServiceLoginResponse response;
  EXPECT_EQ(Login("alice", kPassword, &response, "198.51.100.9").error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(Login("alice", kPassword, &response, "203.0.113.50").ok());
}

TEST_P(AuthServiceSuite, DeleteAccountEndsEverything) {
  ASSERT_TRUE(Register("alice", kPassword).ok());
  v1::AuthServiceLoginResponse login;
  ASSERT_TRUE(Login("alice", kPassword, &login).ok());
  grpc::ClientContext context;
  v1::AuthServiceDeleteAccountRequest request;
  request.set_token(login.token());
  request.set_password(kPassword);
  v1::AuthServiceDeleteAccountResponse response;
  ASSERT_TRUE(stub_->DeleteAccount(&context, request, &response).ok());
  EXPECT_EQ(response.user_id(), login.user_id());
  v1::AuthServiceValidateTokenResponse who;
  EXPECT_EQ(Validate(login.token(), &who).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Login("alice", kPassword, &login).error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_P(AuthServiceSuite, ExpiredSessionsAreRefusedWithTokenExpired) {
  ASSERT_TRUE(Register("alice", kPassword).ok());
  v1::AuthServiceLoginResponse idle, old;
  ASSERT_TRUE(Login("alice", kPassword, &idle).ok());
  ASSERT_TRUE(Login("alice", kPassword, &old).ok());
  v1::AuthServiceValidateTokenResponse who;
  for (int i = 0; i < 10; ++i) {  // Keeps `old` in use up to its absolute expiry.
    clock_.Advance(absl::Minutes(59));
    ASSERT_TRUE(Validate(old.token(), &who).ok()) << i;
  }
  const grpc::Status idle_expired = Validate(idle.token(), &who);
  EXPECT_EQ(idle_expired.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ErrorReason(FromGrpcStatus(idle_expired)), "TOKEN_EXPIRED");
  clock_.Advance(absl::Minutes(10));  // 10 h after login.
  const grpc::Status expired = Validate(old.token(), &who);
  EXPECT_EQ(expired.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ErrorReason(FromGrpcStatus(expired)), "TOKEN_EXPIRED");
}

TEST_P(AuthServiceSuite, EmptyTokenIsInvalidArgument) {
  v1::AuthServiceValidateTokenResponse who;
  EXPECT_EQ(Validate("", &who).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace skinlens::auth::testing
