// The auth service's logic with no gRPC types: accounts, password checks and
// sessions on an AuthStore (SQLite or PostgreSQL), tested on its own and
// wrapped by AuthService (auth_service.h).
//
// Security behaviour (see README.md): argon2id hashes, rehashed on login when
// the configured parameters rose; tokens of 256 random bits stored as SHA-256;
// sessions end at an absolute expiry or after an idle timeout; failed password
// checks are throttled per (username, client address) and per client address,
// and a username's failures from everywhere only slow its log-ins down (so no
// one can lock an owner out from elsewhere); an unknown user
// and a wrong password give the same error after the same work (a dummy hash
// is verified for unknown users); passwords are NFKC-normalised before they
// are checked or hashed (password_text.h; a hash set from the password as typed
// before that still verifies and is replaced); expired sessions are purged;
// passwords and tokens are never logged.
//
//   SKINLENS_ASSIGN_OR_RETURN(auto manager, AccountManager::Create(std::move(store), options));
//   SKINLENS_ASSIGN_OR_RETURN(LoginResult login, manager->Login({"alice", pw, "10.0.0.1", ""}));
//   SKINLENS_ASSIGN_OR_RETURN(SessionInfo who, manager->ValidateToken(login.token));
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/storage/auth_store.h"
#include "services/auth/attempt_throttle.h"
#include "services/auth/credential_policy.h"
#include "services/auth/password_hasher.h"

namespace skinlens::auth {

// Settings of the account logic.
struct AccountOptions {
  Argon2Params hashing;                                    // Cheaper ones only in tests.
  absl::Duration session_lifetime = absl::Hours(24 * 30);  // Absolute expiry.
  absl::Duration idle_timeout = absl::Hours(24 * 7);       // Without use.
  // Password checks (log-in, change password, delete account) are refused
  // with a back-off per (username, address) and per address.
  ThrottleOptions login_throttle_per_user_and_address{5, absl::Seconds(1), absl::Minutes(15),
                                                      absl::Hours(1)};
  ThrottleOptions login_throttle_per_address{20, absl::Seconds(1), absl::Minutes(15),
                                             absl::Hours(1)};
  // A username's failures from all addresses: past the allowance every check
  // of that username waits `login_slowdown` first, but is never refused, so a
  // correct password from an address with no failures always gets in.
  ThrottleOptions login_budget_per_user{10, absl::Seconds(1), absl::Minutes(15), absl::Hours(1)};
  absl::Duration login_slowdown = absl::Seconds(1);
  // How long failed log-ins are remembered to tell the owner at the next
  // successful one.
  absl::Duration failed_login_memory = absl::Hours(24 * 30);
  ThrottleOptions signup_throttle_per_address{10, absl::Seconds(30), absl::Hours(1),
                                              absl::Hours(24)};
  // Expired and idle-expired sessions are deleted at start-up and then by a
  // log-in at most this often (no thread of its own).
  absl::Duration session_purge_interval = absl::Minutes(10);
  const CredentialPolicy* policy = nullptr;   // Not owned; nullptr: the default.
  std::function<absl::Time()> clock;          // nullptr: absl::Now.
  std::function<void(absl::Duration)> sleep;  // nullptr: absl::SleepFor.
};

// What Register returns.
struct RegisteredUser {
  std::string user_id;
  std::string username;
  absl::Time create_time;
};

// What Login returns. `token` is the only copy of the secret.
struct LoginResult {
  std::string token;
  std::string user_id;
  std::string username;
  absl::Time expire_time;
  absl::Duration idle_timeout;
  // Failed password checks of this username since its last successful log-in
  // (remembered by this process for failed_login_memory).
  int failed_attempts = 0;
};

// What ValidateToken returns.
struct SessionInfo {
  std::string user_id;
  std::string username;
  absl::Time expire_time;
  absl::Time idle_expire_time;  // Never after expire_time.
};

// A Register or Login request.
struct Credentials {
  std::string username;
  std::string password;
  std::string client_address;  // For throttling; may be empty.
  std::string user_agent;      // Login only; stored with the session.
};

// Accounts and sessions. Thread-safe; each call may block on the store and
// spends one argon2id computation where it checks or sets a password.
class AccountManager {
 public:
  // INVALID_ARGUMENT for argon2 parameters libsodium refuses.
  static absl::StatusOr<std::unique_ptr<AccountManager>> Create(
      std::unique_ptr<storage::AuthStore> store, AccountOptions options);

  // Creates an account. INVALID_ARGUMENT (violations), ALREADY_EXISTS
  // (USERNAME_TAKEN), RESOURCE_EXHAUSTED (SIGNUP_THROTTLED).
  absl::StatusOr<RegisteredUser> Register(const Credentials& credentials);

  // Checks the password and opens a session. INVALID_ARGUMENT (empty field),
  // UNAUTHENTICATED ("invalid username or password", reason
  // INVALID_CREDENTIALS, for unknown users and wrong passwords alike),
  // RESOURCE_EXHAUSTED (LOGIN_THROTTLED with a retry delay).
  absl::StatusOr<LoginResult> Login(const Credentials& credentials);

  // The session's user; refreshes the idle timer. INVALID_ARGUMENT (empty),
  // UNAUTHENTICATED (TOKEN_INVALID or TOKEN_EXPIRED).
  absl::StatusOr<SessionInfo> ValidateToken(absl::string_view token);

  // Ends the token's session; OK for unknown tokens. INVALID_ARGUMENT (empty).
  absl::Status Logout(absl::string_view token);

  // Sets a new password after checking the current one and revokes the user's
  // other sessions; returns how many. UNAUTHENTICATED (bad token),
  // PERMISSION_DENIED (WRONG_PASSWORD), INVALID_ARGUMENT (violations, field
  // new_password), RESOURCE_EXHAUSTED (PASSWORD_THROTTLED).
  absl::StatusOr<int> ChangePassword(absl::string_view token, absl::string_view current_password,
                                     absl::string_view new_password,
                                     absl::string_view client_address);

  // Deletes the account and all its sessions after checking the password;
  // returns the user id. Errors as ChangePassword.
  absl::StatusOr<std::string> DeleteAccount(absl::string_view token, absl::string_view password,
                                            absl::string_view client_address);

  const AccountOptions& options() const { return options_; }
  absl::Time Now() const { return options_.clock(); }

 private:
  AccountManager(std::unique_ptr<storage::AuthStore> store, AccountOptions options,
                 PasswordHasher hasher, std::string dummy_hash);

  // The live session of `token` and its user, or UNAUTHENTICATED.
  absl::StatusOr<std::pair<storage::SessionRecord, storage::UserRecord>> LiveSession(
      absl::string_view token);
  // Checks `password` of `user` for ChangePassword/DeleteAccount, throttled.
  absl::Status CheckPasswordAgain(const storage::UserRecord& user, absl::string_view password,
                                  absl::string_view client_address);
  // Before a password check of `username_key` from `address`: a refusal when
  // that pair or that address is backing off (reason `reason`), else OK, after
  // waiting login_slowdown when the username's global budget is spent.
  absl::Status GatePasswordCheck(absl::string_view username_key, absl::string_view address,
                                 absl::string_view reason);
  // Counts a failed password check everywhere it counts.
  void RecordPasswordFailure(absl::string_view username_key, absl::string_view address);
  // Whether `typed` is the password of `hash`: its NFKC form, or for a hash set
  // before passwords were normalised, the text as typed (`*stale_hash` then).
  bool VerifyPassword(const std::string& hash, absl::string_view typed, bool* stale_hash) const;
  // Replaces `user`'s hash with one of `password` (normalised) with the
  // current parameters; failures are only logged (the old hash still works).
  void Rehash(const storage::UserRecord& user, const std::string& password, absl::string_view why);
  // Deletes expired and idle-expired sessions when the last purge is older
  // than session_purge_interval (or `force`).
  void MaybePurgeSessions(bool force);

  const std::unique_ptr<storage::AuthStore> store_;
  const AccountOptions options_;
  const PasswordHasher hasher_;
  // A hash of a random password with the current parameters, verified for
  // unknown usernames so that they cost the same time as known ones.
  const std::string dummy_hash_;
  AttemptThrottle pair_throttle_;     // Keys: PairKey(username key, address).
  AttemptThrottle address_throttle_;  // Keys: client addresses.
  AttemptThrottle user_budget_;       // Keys: username keys; slows, never refuses.
  AttemptThrottle failed_logins_;     // Keys: username keys; what the owner is told.
  AttemptThrottle signup_throttle_;   // Keys: client addresses.
  absl::Mutex purge_mu_;
  absl::Time last_purge_ ABSL_GUARDED_BY(purge_mu_) = absl::InfinitePast();
};

}  // namespace skinlens::auth
