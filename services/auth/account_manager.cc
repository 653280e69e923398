#include "services/auth/account_manager.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "services/auth/auth_errors.h"
#include "services/auth/password_text.h"
#include "services/auth/session_token.h"
#include "spdlog/spdlog.h"

namespace skinlens::auth {
namespace {

// A password no account can have; refused before hashing, and not counted
// as a failed attempt (it says nothing about the account).
absl::Status PasswordTooLong() {
  return WithReason(
      absl::InvalidArgumentError(absl::StrCat("a password has at most ",
                                              CredentialPolicy::kMaxPasswordLength, " characters")),
      "PASSWORD_TOO_LONG");
}

absl::Status InvalidCredentials() {
  // One message for unknown user and wrong password: no account enumeration.
  return WithReason(absl::UnauthenticatedError("invalid username or password"),
                    "INVALID_CREDENTIALS");
}

// A username key and an address as one throttle key (neither contains '\n').
std::string PairKey(absl::string_view username_key, absl::string_view address) {
  return absl::StrCat(username_key, "\n", address);
}

ThrottleOptions Remembering(absl::Duration memory) {
  ThrottleOptions options;
  options.free_failures = 1 << 30;  // counts only
  options.forget_after = memory;
  return options;
}

absl::Status InvalidToken() {
  return WithReason(absl::UnauthenticatedError("invalid session token"), "TOKEN_INVALID");
}

}  // namespace

absl::StatusOr<std::unique_ptr<AccountManager>> AccountManager::Create(
    std::unique_ptr<storage::AuthStore> store, AccountOptions options) {
  if (store == nullptr) return absl::InvalidArgumentError("AccountManager needs a store");
  if (options.session_lifetime <= absl::ZeroDuration() ||
      options.idle_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("session lifetime and idle timeout must be positive");
  }
  if (!options.clock) options.clock = [] { return absl::Now(); };
  if (!options.sleep) options.sleep = [](absl::Duration d) { absl::SleepFor(d); };
  if (options.policy == nullptr) options.policy = &CredentialPolicy::Default();
  SKINLENS_ASSIGN_OR_RETURN(PasswordHasher hasher, PasswordHasher::Create(options.hashing));
  SKINLENS_ASSIGN_OR_RETURN(std::string dummy, hasher.Hash(NewSessionToken()));
  std::unique_ptr<AccountManager> manager(
      new AccountManager(std::move(store), std::move(options), hasher, std::move(dummy)));
  manager->MaybePurgeSessions(/*force=*/true);
  return manager;
}

AccountManager::AccountManager(std::unique_ptr<storage::AuthStore> store, AccountOptions options,
                               PasswordHasher hasher, std::string dummy_hash)
    : store_(std::move(store)),
      options_(std::move(options)),
      hasher_(hasher),
      dummy_hash_(std::move(dummy_hash)),
      pair_throttle_(options_.login_throttle_per_user_and_address, options_.clock),
      address_throttle_(options_.login_throttle_per_address, options_.clock),
      user_budget_(options_.login_budget_per_user, options_.clock),
      failed_logins_(Remembering(options_.failed_login_memory), options_.clock),
      signup_throttle_(options_.signup_throttle_per_address, options_.clock) {}

absl::StatusOr<RegisteredUser> AccountManager::Register(const Credentials& credentials) {
  const std::string& address = credentials.client_address;
  if (absl::Duration wait = signup_throttle_.RetryAfter({address}); wait > absl::ZeroDuration()) {
    spdlog::warn("sign-up throttled for a client address");
    return Throttled(wait, "SIGNUP_THROTTLED");
  }
  const std::string password = NormalizePassword(credentials.password);
  std::vector<Violation> violations = options_.policy->CheckUsername(credentials.username);
  for (Violation& v : options_.policy->CheckPassword(password, credentials.username)) {
    violations.push_back(std::move(v));
  }
  if (!violations.empty()) return PolicyError(violations);
  // Every well-formed sign-up counts: the allowance is sign-ups per address.
  signup_throttle_.RecordFailure({address});

  SKINLENS_ASSIGN_OR_RETURN(std::string hash, hasher_.Hash(password));
  storage::UserRecord user{NewRandomId(), credentials.username,
                           CredentialPolicy::UsernameKey(credentials.username), std::move(hash),
                           absl::FromUnixMicros(absl::ToUnixMicros(Now()))};
  absl::Status created = store_->CreateUser(user);
  if (absl::IsAlreadyExists(created)) {
    return WithReason(absl::AlreadyExistsError("this username is taken"), "USERNAME_TAKEN");
  }
  SKINLENS_RETURN_IF_ERROR(created);
  spdlog::info("registered user {}", user.id);
  return RegisteredUser{user.id, user.username, user.create_time};
}

absl::StatusOr<LoginResult> AccountManager::Login(const Credentials& credentials) {
  if (credentials.username.empty() || credentials.password.empty()) {
    return absl::InvalidArgumentError("username and password are required");
  }
  if (credentials.password.size() > CredentialPolicy::kMaxPasswordBytes) return PasswordTooLong();
  const std::string key = CredentialPolicy::UsernameKey(credentials.username);
  const std::string& address = credentials.client_address;
  SKINLENS_RETURN_IF_ERROR(GatePasswordCheck(key, address, "LOGIN_THROTTLED"));

  absl::StatusOr<storage::UserRecord> user = store_->FindUserByKey(key);
  if (!user.ok() && !absl::IsNotFound(user.status())) return user.status();
  bool verified = false;
  bool stale_hash = false;
  // Unknown users get the same argon2 work as a real account (one check, or
  // two for a password that normalisation changes), so timing does not tell
  // unknown users from wrong passwords.
  bool dummy_stale = false;
  if (user.ok()) {
    verified = VerifyPassword(user->password_hash, credentials.password, &stale_hash);
  } else {
    VerifyPassword(dummy_hash_, credentials.password, &dummy_stale);
  }
  if (!verified) {
    RecordPasswordFailure(key, address);
    failed_logins_.RecordFailure({key});
    spdlog::warn("login failed user_key={} address={}", key, address);
    return InvalidCredentials();
  }
  pair_throttle_.Clear(PairKey(key, address));
  user_budget_.Clear(key);
  const int failed_attempts = failed_logins_.Clear(key);

  if (stale_hash || hasher_.NeedsRehash(user->password_hash)) {
    Rehash(*user, NormalizePassword(credentials.password),
           stale_hash ? "its normalised form" : "new parameters");
  }

  const absl::Time now = absl::FromUnixMicros(absl::ToUnixMicros(Now()));
  LoginResult result{NewSessionToken(),     user->id,
                     user->username,        now + options_.session_lifetime,
                     options_.idle_timeout, failed_attempts};
  storage::SessionRecord session{
      HashSessionToken(result.token), user->id, now, result.expire_time, now,
      credentials.user_agent};
  SKINLENS_RETURN_IF_ERROR(store_->CreateSession(session));
  spdlog::info("login ok user={}", user->id);
  MaybePurgeSessions(/*force=*/false);
  return result;
}

bool AccountManager::VerifyPassword(const std::string& hash, absl::string_view typed,
                                    bool* stale_hash) const {
  *stale_hash = false;
  const std::string normal = NormalizePassword(typed);
  if (hasher_.Verify(hash, normal)) return true;
  if (normal == typed) return false;
  *stale_hash = hasher_.Verify(hash, typed);
  return *stale_hash;
}

void AccountManager::Rehash(const storage::UserRecord& user, const std::string& password,
                            absl::string_view why) {
  absl::StatusOr<std::string> rehashed = hasher_.Hash(password);
  absl::Status updated =
      rehashed.ok() ? store_->UpdatePasswordHash(user.id, *rehashed) : rehashed.status();
  // Not fatal: the old hash still verifies; the next login tries again.
  if (updated.ok()) {
    spdlog::info("rehashed the password of user {} with {}", user.id, std::string(why));
  } else {
    spdlog::warn("cannot rehash the password of user {}: {}", user.id,
                 std::string(updated.message()));
  }
}

void AccountManager::MaybePurgeSessions(bool force) {
  const absl::Time now = Now();
  {
    absl::MutexLock lock(&purge_mu_);
    if (!force && now - last_purge_ < options_.session_purge_interval) return;
    last_purge_ = now;
  }
  absl::StatusOr<int> purged = store_->DeleteExpiredSessions(now, now - options_.idle_timeout);
  if (!purged.ok()) {
    spdlog::warn("cannot purge expired sessions: {}", std::string(purged.status().message()));
  } else if (*purged > 0) {
    spdlog::info("purged {} expired sessions", *purged);
  }
}

absl::StatusOr<std::pair<storage::SessionRecord, storage::UserRecord>> AccountManager::LiveSession(
    absl::string_view token) {
  if (!LooksLikeSessionToken(token)) return InvalidToken();
  const std::string hash = HashSessionToken(token);
  absl::StatusOr<storage::SessionRecord> session = store_->FindSession(hash);
  if (absl::IsNotFound(session.status())) return InvalidToken();
  SKINLENS_RETURN_IF_ERROR(session.status());
  // The lookup matched by index; compare again in constant time so no code
  // path depends on how much of a hash matched.
  if (!ConstantTimeEquals(session->token_hash, hash)) return InvalidToken();
  const absl::Time now = Now();
  if (now >= session->expire_time || now >= session->last_used_time + options_.idle_timeout) {
    store_->DeleteSession(hash).IgnoreError();  // Refused either way.
    return WithReason(absl::UnauthenticatedError("session expired"), "TOKEN_EXPIRED");
  }
  absl::StatusOr<storage::UserRecord> user = store_->FindUserById(session->user_id);
  if (absl::IsNotFound(user.status())) return InvalidToken();
  SKINLENS_RETURN_IF_ERROR(user.status());
  return std::make_pair(*std::move(session), *std::move(user));
}

absl::StatusOr<SessionInfo> AccountManager::ValidateToken(absl::string_view token) {
  if (token.empty()) return absl::InvalidArgumentError("token is required");
  SKINLENS_ASSIGN_OR_RETURN(auto live, LiveSession(token));
  const auto& [session, user] = live;
  const absl::Time now = absl::FromUnixMicros(absl::ToUnixMicros(Now()));
  absl::Status touched = store_->TouchSession(session.token_hash, now);
  if (absl::IsNotFound(touched)) return InvalidToken();  // Logged out meanwhile.
  SKINLENS_RETURN_IF_ERROR(touched);
  return SessionInfo{user.id, user.username, session.expire_time,
                     std::min(session.expire_time, now + options_.idle_timeout)};
}

absl::Status AccountManager::Logout(absl::string_view token) {
  if (token.empty()) return absl::InvalidArgumentError("token is required");
  if (!LooksLikeSessionToken(token)) return absl::OkStatus();
  SKINLENS_RETURN_IF_ERROR(store_->DeleteSession(HashSessionToken(token)));
  spdlog::info("logout");
  return absl::OkStatus();
}

absl::Status AccountManager::CheckPasswordAgain(const storage::UserRecord& user,
                                                absl::string_view password,
                                                absl::string_view client_address) {
  if (password.size() > CredentialPolicy::kMaxPasswordBytes) return PasswordTooLong();
  SKINLENS_RETURN_IF_ERROR(
      GatePasswordCheck(user.username_key, client_address, "PASSWORD_THROTTLED"));
  bool stale_hash = false;
  if (!VerifyPassword(user.password_hash, password, &stale_hash)) {
    RecordPasswordFailure(user.username_key, client_address);
    spdlog::warn("wrong password for user {} address={}", user.id, std::string(client_address));
    return WithReason(absl::PermissionDeniedError("wrong password"), "WRONG_PASSWORD");
  }
  pair_throttle_.Clear(PairKey(user.username_key, client_address));
  return absl::OkStatus();
}

absl::Status AccountManager::GatePasswordCheck(absl::string_view username_key,
                                               absl::string_view address,
                                               absl::string_view reason) {
  const absl::Duration wait = std::max(pair_throttle_.RetryAfter({PairKey(username_key, address)}),
                                       address_throttle_.RetryAfter({address}));
  if (wait > absl::ZeroDuration()) {
    spdlog::warn("password check throttled ({}) user_key={} address={}", std::string(reason),
                 std::string(username_key), std::string(address));
    return Throttled(wait, reason);
  }
  // The username is under attack from elsewhere: slower, still possible.
  if (user_budget_.RetryAfter({username_key}) > absl::ZeroDuration()) {
    options_.sleep(options_.login_slowdown);
  }
  return absl::OkStatus();
}

void AccountManager::RecordPasswordFailure(absl::string_view username_key,
                                           absl::string_view address) {
  pair_throttle_.RecordFailure({PairKey(username_key, address)});
  address_throttle_.RecordFailure({address});
  user_budget_.RecordFailure({username_key});
}

absl::StatusOr<int> AccountManager::ChangePassword(absl::string_view token,
                                                   absl::string_view current_password,
                                                   absl::string_view new_password,
                                                   absl::string_view client_address) {
  if (token.empty()) return InvalidToken();
  SKINLENS_ASSIGN_OR_RETURN(auto live, LiveSession(token));
  const auto& [session, user] = live;
  SKINLENS_RETURN_IF_ERROR(CheckPasswordAgain(user, current_password, client_address));
  const std::string password = NormalizePassword(new_password);
  std::vector<Violation> violations =
      options_.policy->CheckPassword(password, user.username, "new_password");
  if (!violations.empty()) return PolicyError(violations);
  SKINLENS_ASSIGN_OR_RETURN(std::string hash, hasher_.Hash(password));
  SKINLENS_RETURN_IF_ERROR(store_->UpdatePasswordHash(user.id, hash));
  SKINLENS_ASSIGN_OR_RETURN(int revoked, store_->DeleteOtherSessions(user.id, session.token_hash));
  spdlog::info("password changed for user {}; {} other sessions revoked", user.id, revoked);
  return revoked;
}

absl::StatusOr<std::string> AccountManager::DeleteAccount(absl::string_view token,
                                                          absl::string_view password,
                                                          absl::string_view client_address) {
  if (token.empty()) return InvalidToken();
  SKINLENS_ASSIGN_OR_RETURN(auto live, LiveSession(token));
  const storage::UserRecord& user = live.second;
  SKINLENS_RETURN_IF_ERROR(CheckPasswordAgain(user, password, client_address));
  absl::Status deleted = store_->DeleteUser(user.id);
  if (absl::IsNotFound(deleted)) return InvalidToken();  // Deleted meanwhile.
  SKINLENS_RETURN_IF_ERROR(deleted);
  spdlog::info("deleted user {}", user.id);
  return user.id;
}

}  // namespace skinlens::auth
