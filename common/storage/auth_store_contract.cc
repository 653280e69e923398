#include "common/storage/auth_store_contract.h"

#include <atomic>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace skinlens::storage::testing {
namespace {

const absl::Time kT0 = absl::FromUnixMicros(1'767'225'600'123'456);  // 2026-01-01, odd micros.

UserRecord User(const std::string& id, const std::string& name) {
  return UserRecord{id, name, absl::AsciiStrToLower(name),
                    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", kT0};
}

SessionRecord Session(const std::string& token_hash, const std::string& user_id,
                      absl::Time created = kT0) {
  return SessionRecord{
      token_hash,         user_id, created, created + absl::Hours(24), created + absl::Seconds(1),
      "curl/8.0 (x'y\"z)"};
}

}  // namespace

void AuthStoreContract::SetUp() {
  auto database = GetParam().make();
  ASSERT_TRUE(database.ok()) << database.status();
  database_ = std::move(*database);
  auto store = database_->OpenAuthStore();
  ASSERT_TRUE(store.ok()) << store.status();
  store_ = std::move(*store);
}

TEST_P(AuthStoreContract, FindsCreatedUserByKeyAndById) {
  ASSERT_TRUE(store_->CreateUser(User("u1", "Alice")).ok());
  auto by_key = store_->FindUserByKey("alice");
  ASSERT_TRUE(by_key.ok()) << by_key.status();
  EXPECT_EQ(by_key->id, "u1");
  EXPECT_EQ(by_key->username, "Alice");
  EXPECT_EQ(by_key->password_hash, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA");
  EXPECT_EQ(by_key->create_time, kT0);  // Microseconds survive.
  auto by_id = store_->FindUserById("u1");
  ASSERT_TRUE(by_id.ok()) << by_id.status();
  EXPECT_EQ(by_id->username_key, "alice");
}

TEST_P(AuthStoreContract, TakenUsernameKeyIsAlreadyExists) {
  ASSERT_TRUE(store_->CreateUser(User("u1", "Alice")).ok());
  EXPECT_EQ(store_->CreateUser(User("u2", "ALICE")).code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->CreateUser(User("u1", "bob")).code(), absl::StatusCode::kAlreadyExists);
}

TEST_P(AuthStoreContract, UnknownUserIsNotFound) {
  EXPECT_EQ(store_->FindUserByKey("nobody").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->FindUserById("nobody").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->UpdatePasswordHash("nobody", "x").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->DeleteUser("nobody").code(), absl::StatusCode::kNotFound);
}

TEST_P(AuthStoreContract, UpdatePasswordHashReplacesIt) {
  ASSERT_TRUE(store_->CreateUser(User("u1", "alice")).ok());
  ASSERT_TRUE(store_->UpdatePasswordHash("u1", "$argon2id$new").ok());
  EXPECT_EQ(store_->FindUserById("u1")->password_hash, "$argon2id$new");
}

TEST_P(AuthStoreContract, HostileStringsAreStoredLiterally) {
  const std::string name = "x'); DROP TABLE users; --";
  const std::string hash = "' OR '1'='1 \\ $1 ? %s \xe2\x9c\x93";
  UserRecord user = User("id' OR 1=1 --", name);
  user.password_hash = hash;
  ASSERT_TRUE(store_->CreateUser(user).ok());
  auto found = store_->FindUserByKey(absl::AsciiStrToLower(name));
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->id, "id' OR 1=1 --");
  EXPECT_EQ(found->username, name);
  EXPECT_EQ(found->password_hash, hash);
  EXPECT_EQ(store_->FindUserByKey("' OR '1'='1").status().code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(store_->CreateSession(Session("h'; DELETE FROM sessions; --", user.id)).ok());
  auto session = store_->FindSession("h'; DELETE FROM sessions; --");
  ASSERT_TRUE(session.ok()) << session.status();
  EXPECT_EQ(session->user_agent, "curl/8.0 (x'y\"z)");
}

TEST_P(AuthStoreContract, SessionRoundTripsEveryField) {
  ASSERT_TRUE(store_->CreateUser(User("u1", "alice")).ok());
  const SessionRecord s = Session("abc123", "u1");
  ASSERT_TRUE(store_->CreateSession(s).ok());
  auto found = store_->FindSession("abc123");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->user_id, "u1");
  EXPECT_EQ(found->create_time, s.create_time);
  EXPECT_EQ(found->expire_time, s.expire_time);
  EXPECT_EQ(found->last_used_time, s.last_used_time);
  EXPECT_EQ(found->user_agent, s.user_agent);
  EXPECT_EQ(store_->CreateSession(s).code(), absl::StatusCode::kAlreadyExists);
}

TEST_P(AuthStoreContract, SessionOfUnknownUserIsNotFound) {
  EXPECT_EQ(store_->CreateSession(Session("abc", "ghost")).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->FindSession("abc").status().code(), absl::StatusCode::kNotFound);
}

TEST_P(AuthStoreContract, TouchSessionMovesLastUse) {
  ASSERT_TRUE(store_->CreateUser(User("u1", "alice")).ok());
  ASSERT_TRUE(store_->CreateSession(Session("abc", "u1")).ok());
  ASSERT_TRUE(store_->TouchSession("abc", kT0 + absl::Hours(2)).ok());
  EXPECT_EQ(store_->FindSession("abc")->last_used_time, kT0 + absl::Hours(2));
  EXPECT_EQ(store_->TouchSession("zzz", kT0).code(), absl::StatusCode::kNotFound);
}

TEST_P(AuthStoreContract, DeleteSessionIsIdempotent) {
  ASSERT_TRUE(store_->CreateUser(User("u1", "alice")).ok());
  ASSERT_TRUE(store_->CreateSession(Session("abc", "u1")).ok());
  EXPECT_TRUE(store_->DeleteSession("abc").ok());
  EXPECT_EQ(store_->FindSession("abc").status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(store_->DeleteSession("abc").ok());
}

TEST_P(AuthStoreContract, DeleteOtherSessionsKeepsOneAndSparesOtherUsers) {
  ASSERT_TRUE(store_->CreateUser(User("u1", "alice")).ok());
  ASSERT_TRUE(store_->CreateUser(User("u2", "bob")).ok());
  for (const char* h : {"a1", "a2", "a3"})
    ASSERT_TRUE(store_->CreateSession(Session(h, "u1")).ok());
  ASSERT_TRUE(store_->CreateSession(Session("b1", "u2")).ok());
  auto deleted = store_->DeleteOtherSessions("u1", "a2");
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(*deleted, 2);
  EXPECT_TRUE(store_->FindSession("a2").ok());
  EXPECT_EQ(store_->FindSession("a1").status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(store_->FindSession("b1").ok());
}

TEST_P(AuthStoreContract, DeleteUserTakesItsSessions) {
  ASSERT_TRUE(store_->CreateUser(User("u1", "alice")).ok());
  ASSERT_TRUE(store_->CreateUser(User("u2", "bob")).ok());
  ASSERT_TRUE(store_->CreateSession(Session("a1", "u1")).ok());
  ASSERT_TRUE(store_->CreateSession(Session("b1", "u2")).ok());
  ASSERT_TRUE(store_->DeleteUser("u1").ok());
  EXPECT_EQ(store_->FindUserById("u1").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->FindSession("a1").status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(store_->FindSession("b1").ok());
  // The name is free again.
  EXPECT_TRUE(store_->CreateUser(User("u3", "alice")).ok());
}

TEST_P(AuthStoreContract, DeleteExpiredSessionsRemovesOnlyExpired) {
  ASSERT_TRUE(store_->CreateUser(User("u1", "alice")).ok());
  ASSERT_TRUE(store_->CreateSession(Session("old", "u1", kT0 - absl::Hours(48))).ok());
  ASSERT_TRUE(store_->CreateSession(Session("edge", "u1", kT0 - absl::Hours(24))).ok());
  ASSERT_TRUE(store_->CreateSession(Session("new", "u1", kT0)).ok());
  auto deleted = store_->DeleteExpiredSessions(kT0, kT0 - absl::Hours(100));
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(*deleted, 2);
  EXPECT_TRUE(store_->FindSession("new").ok());
}

TEST_P(AuthStoreContract, DeleteExpiredSessionsRemovesIdleOnes) {
  ASSERT_TRUE(store_->CreateUser(User("u1", "alice")).ok());
  // Both live by their absolute expiry; "idle" was last used 2 h ago.
  ASSERT_TRUE(store_->CreateSession(Session("idle", "u1", kT0 - absl::Hours(2))).ok());
  ASSERT_TRUE(store_->CreateSession(Session("used", "u1", kT0 - absl::Hours(2))).ok());
  ASSERT_TRUE(store_->TouchSession("used", kT0).ok());
  auto deleted = store_->DeleteExpiredSessions(kT0, kT0 - absl::Hours(1));
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(*deleted, 1);
  EXPECT_FALSE(store_->FindSession("idle").ok());
  EXPECT_TRUE(store_->FindSession("used").ok());
}

TEST_P(AuthStoreContract, ReopeningRunsMigrationsOnceAndKeepsData) {
  ASSERT_TRUE(store_->CreateUser(User("u1", "alice")).ok());
  auto again = database_->OpenAuthStore();
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ((*again)->FindUserById("u1")->username, "alice");
}

TEST_P(AuthStoreContract, ConcurrentOpensOfAFreshDatabaseBothSucceed) {
  auto fresh = GetParam().make();
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  constexpr int kOpeners = 4;
  std::vector<absl::StatusOr<std::unique_ptr<AuthStore>>> stores(kOpeners);
  std::vector<std::thread> threads;
  for (int i = 0; i < kOpeners; ++i) {
    threads.emplace_back([&, i] { stores[i] = (*fresh)->OpenAuthStore(); });
  }
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < kOpeners; ++i) {
    ASSERT_TRUE(stores[i].ok()) << "opener " << i << ": " << stores[i].status();
  }
  ASSERT_TRUE((*stores[0])->CreateUser(User("u1", "alice")).ok());
  EXPECT_TRUE((*stores[kOpeners - 1])->FindUserById("u1").ok());
}

TEST_P(AuthStoreContract, ConcurrentWritersLoseNothing) {
  constexpr int kThreads = 4, kPerThread = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string id = absl::StrCat("u", t, "_", i);
        if (!store_->CreateUser(User(id, id)).ok()) ++failures;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      EXPECT_TRUE(store_->FindUserById(absl::StrCat("u", t, "_", i)).ok());
    }
  }
}

}  // namespace skinlens::storage::testing
