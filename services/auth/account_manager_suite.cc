#include "services/auth/account_manager_suite.h"

#include <sstream>

#include "gmock/gmock.h"
#include "services/auth/auth_errors.h"
#include "services/auth/session_token.h"
#include "spdlog/sinks/ostream_sink.h"
#include "spdlog/spdlog.h"

namespace skinlens::auth::testing {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kGoodPassword[] = "correct horse battery staple";

AccountOptions TestOptions(FakeClock* clock) {
  AccountOptions options;
  options.hashing = Argon2Params{8, 1};
  options.session_lifetime = absl::Hours(10);
  options.idle_timeout = absl::Hours(1);
  options.clock = [clock] { return clock->Now(); };
  options.sleep = [clock](absl::Duration d) { clock->Sleep(d); };
  return options;
}

void AccountManagerSuite::SetUp() {
  auto database = GetParam().make();
  ASSERT_TRUE(database.ok()) << database.status();
  database_ = std::move(*database);
  manager_ = NewManager(TestOptions(&clock_));
  ASSERT_NE(manager_, nullptr);
}

std::unique_ptr<AccountManager> AccountManagerSuite::NewManager(AccountOptions options) {
  auto store = database_->OpenAuthStore();
  EXPECT_TRUE(store.ok()) << store.status();
  if (!store.ok()) return nullptr;
  auto manager = AccountManager::Create(std::move(*store), std::move(options));
  EXPECT_TRUE(manager.ok()) << manager.status();
  return manager.ok() ? std::move(*manager) : nullptr;
}

std::string AccountManagerSuite::RegisterAndLogin(const std::string& name,
                                                  const std::string& address) {
  auto registered = manager_->Register({name, kGoodPassword, address, ""});
  EXPECT_TRUE(registered.ok()) << registered.status();
  auto login = manager_->Login({name, kGoodPassword, address, "test-agent"});
  EXPECT_TRUE(login.ok()) << login.status();
  return login.ok() ? login->token : std::string();
}

TEST_P(AccountManagerSuite, RegisterLoginValidateLogout) {
  auto registered = manager_->Register({"Alice", kGoodPassword, "10.0.0.1", ""});
  ASSERT_TRUE(registered.ok()) << registered.status();
  EXPECT_EQ(registered->username, "Alice");
  EXPECT_EQ(registered->user_id.size(), 32u);
  EXPECT_EQ(registered->create_time, clock_.Now());

  auto login = manager_->Login({"alice", kGoodPassword, "10.0.0.1", "ua"});
  ASSERT_TRUE(login.ok()) << login.status();
  EXPECT_EQ(login->user_id, registered->user_id);
  EXPECT_EQ(login->username, "Alice");
  EXPECT_EQ(login->expire_time, clock_.Now() + absl::Hours(10));
  EXPECT_EQ(login->idle_timeout, absl::Hours(1));

  auto who = manager_->ValidateToken(login->token);
  ASSERT_TRUE(who.ok()) << who.status();
  EXPECT_EQ(who->user_id, registered->user_id);
  EXPECT_EQ(who->idle_expire_time, clock_.Now() + absl::Hours(1));

  ASSERT_TRUE(manager_->Logout(login->token).ok());
  EXPECT_EQ(ErrorReason(manager_->ValidateToken(login->token).status()), "TOKEN_INVALID");
  EXPECT_TRUE(manager_->Logout(login->token).ok());  // Idempotent.
}

TEST_P(AccountManagerSuite, TokenHas256BitsAndIsStoredOnlyAsItsHash) {
  const std::string token = RegisterAndLogin("alice");
  EXPECT_EQ(token.size(), 43u);  // 32 bytes in base64url.
  auto store = database_->OpenAuthStore();
  ASSERT_TRUE(store.ok());
  EXPECT_TRUE((*store)->FindSession(HashSessionToken(token)).ok());
  EXPECT_EQ((*store)->FindSession(token).status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(RegisterAndLogin("bob"), token);
}

TEST_P(AccountManagerSuite, RegisterListsEveryBrokenRule) {
  auto bad = manager_->Register({"x", "short", "10.0.0.1", ""});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Violations(bad.status()),
              ElementsAre(Field(&Violation::reason, "USERNAME_INVALID"),
                          Field(&Violation::reason, "PASSWORD_TOO_SHORT")));
  auto common = manager_->Register({"alice", "Password123", "10.0.0.1", ""});
  EXPECT_THAT(Violations(common.status()),
              ElementsAre(Field(&Violation::reason, "PASSWORD_TOO_COMMON")));
}

TEST_P(AccountManagerSuite, UsernameIsTakenCaseInsensitively) {
  ASSERT_TRUE(manager_->Register({"Alice", kGoodPassword, "", ""}).ok());
  auto again = manager_->Register({"ALICE", "another good passphrase", "", ""});
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ErrorReason(again.status()), "USERNAME_TAKEN");
}

TEST_P(AccountManagerSuite, UnknownUserAndWrongPasswordLookTheSame) {
  ASSERT_TRUE(manager_->Register({"alice", kGoodPassword, "", ""}).ok());
  const absl::Status wrong = manager_->Login({"alice", "wrong password!", "1.1.1.1", ""}).status();
  const absl::Status unknown =
      manager_->Login({"nobody", "wrong password!", "2.2.2.2", ""}).status();
  EXPECT_EQ(wrong.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(wrong.code(), unknown.code());
  EXPECT_EQ(wrong.message(), unknown.message());
  EXPECT_EQ(ErrorReason(wrong), ErrorReason(unknown));
  const absl::Status injected = manager_->Login({"' OR '1'='1", "' OR '1'='1", "", ""}).status();
  EXPECT_EQ(injected.message(), wrong.message());
}

// A password longer than any account can have is refused before argon2 runs
// and is not a failed attempt: six of them leave the owner's log-in free.
TEST_P(AccountManagerSuite, OverlongPasswordIsRefusedBeforeHashingAndNotCounted) {
  ASSERT_TRUE(manager_->Register({"alice", kGoodPassword, "", ""}).ok());
  const std::string huge(4 * 256 + 1, 'x');
  for (int i = 0; i < 6; ++i) {
    const absl::Status refused = manager_->Login({"alice", huge, "10.0.0.1", ""}).status();
    EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(ErrorReason(refused), "PASSWORD_TOO_LONG");
  }
  EXPECT_TRUE(manager_->Login({"alice", kGoodPassword, "10.0.0.1", ""}).ok());
}

TEST_P(AccountManagerSuite, LoginIsThrottledPerUsernameAndAddressWithBackOff) {
  ASSERT_TRUE(manager_->Register({"alice", kGoodPassword, "", ""}).ok());
  for (int i = 0; i < 5; ++i) {  // The free allowance of one address.
    EXPECT_EQ(manager_->Login({"alice", "bad password", "10.0.0.1", ""}).status().code(),
              absl::StatusCode::kUnauthenticated);
  }
  EXPECT_EQ(manager_->Login({"alice", "bad password", "10.0.0.1", ""}).status().code(),
            absl::StatusCode::kUnauthenticated);  // 6th failure: 1 s back-off starts.
  const absl::Status throttled =
      manager_->Login({"ALICE", kGoodPassword, "10.0.0.1", ""}).status();  // Even the right one.
  EXPECT_EQ(throttled.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ErrorReason(throttled), "LOGIN_THROTTLED");
  EXPECT_EQ(RetryDelay(throttled), absl::Seconds(1));
  clock_.Advance(absl::Seconds(1));
  absl::StatusOr<LoginResult> login = manager_->Login({"alice", kGoodPassword, "10.0.0.1", ""});
  ASSERT_TRUE(login.ok()) << login.status();
  EXPECT_EQ(login->failed_attempts, 6);  // The owner is told.
  // Counted afresh after a success.
  login = manager_->Login({"alice", kGoodPassword, "10.0.0.1", ""});
  ASSERT_TRUE(login.ok()) << login.status();
  EXPECT_EQ(login->failed_attempts, 0);
}

// Spaced or fast wrong guesses from other addresses never keep the owner out:
// the username's own budget only slows its checks down.
TEST_P(AccountManagerSuite, NobodyCanLockTheOwnerOutFromOtherAddresses) {
  ASSERT_TRUE(manager_->Register({"alice", kGoodPassword, "", ""}).ok());
  for (int i = 0; i < 300; ++i) {
    manager_->Login({"alice", "bad password", absl::StrCat("198.51.", i / 200, ".", i % 200), ""})
        .status()
        .IgnoreError();
  }
  const std::vector<absl::Duration> sleeps = clock_.Sleeps();
  EXPECT_FALSE(sleeps.empty());  // past the budget the guesses were slowed
  for (absl::Duration d : sleeps) EXPECT_EQ(d, manager_->options().login_slowdown);
  absl::StatusOr<LoginResult> login = manager_->Login({"alice", kGoodPassword, "10.9.9.9", ""});
  ASSERT_TRUE(login.ok()) << login.status();
  EXPECT_EQ(login->failed_attempts, 300);
  // The same for the password check of a signed-in owner.
  for (int i = 0; i < 50; ++i) {
    manager_->Login({"alice", "bad password", absl::StrCat("203.0.113.", i), ""})
        .status()
        .IgnoreError();
  }
  EXPECT_TRUE(
      manager_->ChangePassword(login->token, kGoodPassword, "a-new-good-password-2", "10.9.9.9")
          .ok());
}

TEST_P(AccountManagerSuite, LoginIsThrottledPerClientAddressAcrossUsernames) {
  for (int i = 0; i < 20; ++i) {
    manager_->Login({absl::StrCat("user", i), "bad password", "203.0.113.9", ""})
        .status()
        .IgnoreError();
  }
  manager_->Login({"user20", "bad password", "203.0.113.9", ""}).status().IgnoreError();
  const absl::Status s = manager_->Login({"someone", "bad password", "203.0.113.9", ""}).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(RetryDelay(s), absl::Seconds(1));
  // Another address is not affected.
  EXPECT_EQ(manager_->Login({"someone", "bad password", "198.51.100.1", ""}).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_P(AccountManagerSuite, SignUpsAreThrottledPerAddress) {
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(manager_->Register({absl::StrCat("user", i), kGoodPassword, "192.0.2.7", ""}).ok());
  }
  auto s = manager_->Register({"user10", kGoodPassword, "192.0.2.7", ""});
  EXPECT_TRUE(s.ok()) << s.status();  // The 11th still passes; it starts the back-off.
  auto t = manager_->Register({"user11", kGoodPassword, "192.0.2.7", ""});
  EXPECT_EQ(t.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ErrorReason(t.status()), "SIGNUP_THROTTLED");
  EXPECT_TRUE(manager_->Register({"user12", kGoodPassword, "192.0.2.8", ""}).ok());
}

TEST_P(AccountManagerSuite, SessionEndsAtAbsoluteExpiryEvenWhenUsed) {
  const std::string token = RegisterAndLogin("alice");
  for (int i = 0; i < 10; ++i) {
    clock_.Advance(absl::Minutes(59));
    ASSERT_TRUE(manager_->ValidateToken(token).ok()) << i;
  }
  clock_.Advance(absl::Minutes(11));  // 10 h after login.
  const absl::Status s = manager_->ValidateToken(token).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(ErrorReason(s), "TOKEN_EXPIRED");
}

TEST_P(AccountManagerSuite, SessionEndsAfterIdleTimeout) {
  const std::string token = RegisterAndLogin("alice");
  clock_.Advance(absl::Minutes(59));
  ASSERT_TRUE(manager_->ValidateToken(token).ok());  // Refreshes the idle timer.
  clock_.Advance(absl::Minutes(59));
  ASSERT_TRUE(manager_->ValidateToken(token).ok());
  clock_.Advance(absl::Hours(1));
  EXPECT_EQ(ErrorReason(manager_->ValidateToken(token).status()), "TOKEN_EXPIRED");
}

TEST_P(AccountManagerSuite, MalformedAndUnknownTokensAreUnauthenticated) {
  EXPECT_EQ(manager_->ValidateToken("").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorReason(manager_->ValidateToken("not-a-token").status()), "TOKEN_INVALID");
  EXPECT_EQ(ErrorReason(manager_->ValidateToken(NewSessionToken()).status()), "TOKEN_INVALID");
}

TEST_P(AccountManagerSuite, ChangePasswordKeepsCallerAndRevokesOthers) {
  const std::string first = RegisterAndLogin("alice");
  auto second = manager_->Login({"alice", kGoodPassword, "", ""});
  auto third = manager_->Login({"alice", kGoodPassword, "", ""});
  ASSERT_TRUE(second.ok() && third.ok());
  const std::string other_user = RegisterAndLogin("bob");

  auto revoked = manager_->ChangePassword(first, kGoodPassword, "a brand new passphrase", "");
  ASSERT_TRUE(revoked.ok()) << revoked.status();
  EXPECT_EQ(*revoked, 2);
  EXPECT_TRUE(manager_->ValidateToken(first).ok());
  EXPECT_FALSE(manager_->ValidateToken(second->token).ok());
  EXPECT_FALSE(manager_->ValidateToken(third->token).ok());
  EXPECT_TRUE(manager_->ValidateToken(other_user).ok());
  EXPECT_EQ(manager_->Login({"alice", kGoodPassword, "", ""}).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(manager_->Login({"alice", "a brand new passphrase", "", ""}).ok());
}

TEST_P(AccountManagerSuite, ChangePasswordChecksCurrentAndNewPassword) {
  const std::string token = RegisterAndLogin("alice");
  auto wrong = manager_->ChangePassword(token, "not my password", "a brand new passphrase", "");
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ErrorReason(wrong.status()), "WRONG_PASSWORD");
  EXPECT_TRUE(manager_->ValidateToken(token).ok());  // The session stays.
  auto weak = manager_->ChangePassword(token, kGoodPassword, "alice2024", "");
  EXPECT_EQ(weak.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Violations(weak.status()), ElementsAre(Field(&Violation::field, "new_password")));
  EXPECT_EQ(manager_->ChangePassword("bogus", kGoodPassword, "a brand new passphrase", "")
                .status()
                .code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_P(AccountManagerSuite, DeleteAccountNeedsPasswordAndRemovesEverything) {
  const std::string token = RegisterAndLogin("alice");
  auto other = manager_->Login({"alice", kGoodPassword, "", ""});
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(manager_->DeleteAccount(token, "not my password", "").status().code(),
            absl::StatusCode::kPermissionDenied);
  auto deleted = manager_->DeleteAccount(token, kGoodPassword, "");
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(manager_->ValidateToken(token).status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(manager_->ValidateToken(other->token).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(manager_->Login({"alice", kGoodPassword, "", ""}).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(manager_->DeleteAccount(token, kGoodPassword, "").status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(manager_->Register({"alice", kGoodPassword, "", ""}).ok());  // Name is free.
}

TEST_P(AccountManagerSuite, LoginRehashesWhenParametersRise) {
  ASSERT_TRUE(manager_->Register({"alice", kGoodPassword, "", ""}).ok());
  AccountOptions stronger = TestOptions(&clock_);
  stronger.hashing = Argon2Params{16, 2};
  auto upgraded = NewManager(stronger);
  ASSERT_NE(upgraded, nullptr);
  ASSERT_TRUE(upgraded->Login({"alice", kGoodPassword, "", ""}).ok());
  auto store = database_->OpenAuthStore();
  ASSERT_TRUE(store.ok());
  auto user = (*store)->FindUserByKey("alice");
  ASSERT_TRUE(user.ok());
  EXPECT_THAT(user->password_hash, StartsWith("$argon2id$v=19$m=16,t=2,p=1$"));
  EXPECT_TRUE(upgraded->Login({"alice", kGoodPassword, "", ""}).ok());
  EXPECT_TRUE(manager_->Login({"alice", kGoodPassword, "", ""}).ok());  // Old settings verify too.
}

// NIST SP 800-63B §5.1.1.2: the same password typed as full-width forms or
// with a decomposed accent is the same password.
TEST_P(AccountManagerSuite, PasswordsAreComparedInTheirNfkcForm) {
  // "ｃｏｒｒｅｃｔ ｈｏｒｓｅ ｓｔａｐｌｅ" in full-width letters, then ASCII.
  const std::string full_width =
      "\xef\xbd\x83\xef\xbd\x8f\xef\xbd\x92\xef\xbd\x92\xef\xbd\x85\xef\xbd\x83\xef\xbd\x94"
      " \xef\xbd\x88\xef\xbd\x8f\xef\xbd\x92\xef\xbd\x93\xef\xbd\x85 staple";
  ASSERT_TRUE(manager_->Register({"alice", full_width, "", ""}).ok());
  EXPECT_TRUE(manager_->Login({"alice", "correct horse staple", "", ""}).ok());
  EXPECT_TRUE(manager_->Login({"alice", full_width, "", ""}).ok());
  // "café au lait 12" precomposed at sign-up, decomposed (e + U+0301) at log-in.
  ASSERT_TRUE(manager_->Register({"bob", "caf\xc3\xa9 au lait 12", "", ""}).ok());
  EXPECT_TRUE(manager_->Login({"bob", "cafe\xcc\x81 au lait 12", "", ""}).ok());
  EXPECT_EQ(manager_->Login({"bob", "cafe au lait 12", "", ""}).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_P(AccountManagerSuite, AHashOfThePasswordAsTypedStillVerifiesAndIsReplaced) {
  // An account whose hash was made before passwords were normalised.
  const std::string typed = "\xef\xbd\x90\xef\xbd\x81\xef\xbd\x93\xef\xbd\x93 phrase 42";
  auto hasher = PasswordHasher::Create(Argon2Params{8, 1});
  ASSERT_TRUE(hasher.ok());
  auto old_hash = hasher->Hash(typed);
  ASSERT_TRUE(old_hash.ok());
  auto store = database_->OpenAuthStore();
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->CreateUser({"u-legacy", "legacy", "legacy", *old_hash, clock_.Now()}).ok());
  ASSERT_TRUE(manager_->Login({"legacy", typed, "", ""}).ok());
  auto user = (*store)->FindUserByKey("legacy");
  ASSERT_TRUE(user.ok());
  EXPECT_NE(user->password_hash, *old_hash) << "replaced by a hash of the normalised form";
  EXPECT_TRUE(hasher->Verify(user->password_hash, "pass phrase 42"));
  EXPECT_TRUE(manager_->Login({"legacy", "pass phrase 42", "", ""}).ok());
}

TEST_P(AccountManagerSuite, OnlyWhitespaceIsNoPassword) {
  // Eight spaces; tabs and ideographic spaces (U+3000).
  for (const std::string& blank :
       {std::string(8, ' '), std::string("\t \t \t \t \t"),
        std::string("\xe3\x80\x80\xe3\x80\x80\xe3\x80\x80\xe3\x80\x80 \xe3\x80\x80\xe3\x80\x80"
                    "\xe3\x80\x80\xe3\x80\x80")}) {
    const absl::Status s = manager_->Register({"alice", blank, "", ""}).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(Violations(s), ::testing::Contains(Field(&Violation::reason, "PASSWORD_BLANK")));
  }
  // Spaces inside a passphrase are fine.
  EXPECT_TRUE(manager_->Register({"alice", "  two   spaces  ", "", ""}).ok());
}

TEST_P(AccountManagerSuite, ExpiredAndIdleSessionsArePurged) {
  const std::string idle = RegisterAndLogin("alice");
  auto store = database_->OpenAuthStore();
  ASSERT_TRUE(store.ok());
  clock_.Advance(absl::Hours(2));  // Past the 1 h idle timeout.
  EXPECT_TRUE((*store)->FindSession(HashSessionToken(idle)).ok()) << "nothing purged it yet";
  // Any log-in after the purge interval purges.
  ASSERT_TRUE(manager_->Login({"alice", kGoodPassword, "", ""}).ok());
  EXPECT_EQ((*store)->FindSession(HashSessionToken(idle)).status().code(),
            absl::StatusCode::kNotFound);
  // So does starting the service.
  auto fresh = manager_->Login({"alice", kGoodPassword, "", ""});
  ASSERT_TRUE(fresh.ok());
  clock_.Advance(absl::Hours(11));  // Past the 10 h absolute expiry.
  auto restarted = NewManager(TestOptions(&clock_));
  ASSERT_NE(restarted, nullptr);
  EXPECT_EQ((*store)->FindSession(HashSessionToken(fresh->token)).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(AccountManagerSuite, PasswordsAndTokensNeverReachTheLog) {
  std::ostringstream captured;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  auto previous = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>("capture", sink);
  logger->set_level(spdlog::level::trace);
  spdlog::set_default_logger(logger);

  const std::string password = "Secret-Passphrase-4711";
  const std::string new_password = "Other-Secret-Phrase-0815";
  ASSERT_TRUE(manager_->Register({"alice", password, "10.9.9.9", ""}).ok());
  auto login = manager_->Login({"alice", password, "10.9.9.9", ""});
  ASSERT_TRUE(login.ok());
  manager_->Login({"alice", "Wrong-Secret-9999", "10.9.9.9", ""}).status().IgnoreError();
  ASSERT_TRUE(manager_->ValidateToken(login->token).ok());
  ASSERT_TRUE(manager_->ChangePassword(login->token, password, new_password, "").ok());
  ASSERT_TRUE(manager_->Logout(login->token).ok());

  spdlog::set_default_logger(previous);
  const std::string log = captured.str();
  EXPECT_THAT(log, HasSubstr("login ok"));  // The capture works.
  for (const std::string& secret : {password, new_password, std::string("Wrong-Secret-9999"),
                                    login->token, HashSessionToken(login->token)}) {
    EXPECT_THAT(log, Not(HasSubstr(secret)));
  }
}

}  // namespace skinlens::auth::testing
