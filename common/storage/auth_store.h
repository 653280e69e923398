// Storage of the auth service: user accounts and their sessions.
//
// AuthStore is the small interface the auth logic talks to; SQLite
// (sqlite_auth_store.h) and PostgreSQL (postgres_auth_store.h) implement it and
// one test suite (auth_store_contract.h) runs against both. Every query is
// parameterised; usernames, hashes and user agents are stored literally.
//
//   SKINLENS_ASSIGN_OR_RETURN(std::unique_ptr<AuthStore> store,
//                             OpenAuthStore("sqlite:///var/lib/skinlens/auth.db"));
//   SKINLENS_ASSIGN_OR_RETURN(UserRecord user, store->FindUserByKey("alice"));
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace skinlens::storage {

// A user account as stored.
struct UserRecord {
  std::string id;             // Opaque, never reused.
  std::string username;       // As registered.
  std::string username_key;   // The unique, case-folded form used for lookups.
  std::string password_hash;  // argon2id PHC string.
  absl::Time create_time;
};

// A session as stored: the token itself is never stored, only its hash.
struct SessionRecord {
  std::string token_hash;  // SHA-256 of the token, lower-case hex.
  std::string user_id;
  absl::Time create_time;
  absl::Time expire_time;     // Absolute end.
  absl::Time last_used_time;  // For the idle timeout.
  std::string user_agent;
};

// Users and sessions. Implementations are thread-safe; times are stored with
// microsecond precision.
class AuthStore {
 public:
  virtual ~AuthStore() = default;

  // Adds `user`. ALREADY_EXISTS when its id or username_key is taken.
  virtual absl::Status CreateUser(const UserRecord& user) = 0;
  // NOT_FOUND when no user has this key.
  virtual absl::StatusOr<UserRecord> FindUserByKey(absl::string_view username_key) = 0;
  // NOT_FOUND when no user has this id.
  virtual absl::StatusOr<UserRecord> FindUserById(absl::string_view user_id) = 0;
  // Replaces the password hash. NOT_FOUND for an unknown user.
  virtual absl::Status UpdatePasswordHash(absl::string_view user_id,
                                          absl::string_view password_hash) = 0;
  // Deletes the user and, in the same transaction, all its sessions. NOT_FOUND
  // for an unknown user.
  virtual absl::Status DeleteUser(absl::string_view user_id) = 0;

  // Adds `session`. ALREADY_EXISTS for a duplicate token hash, NOT_FOUND when
  // its user does not exist.
  virtual absl::Status CreateSession(const SessionRecord& session) = 0;
  // NOT_FOUND when no session has this token hash.
  virtual absl::StatusOr<SessionRecord> FindSession(absl::string_view token_hash) = 0;
  // Sets the session's last use. NOT_FOUND for an unknown session.
  virtual absl::Status TouchSession(absl::string_view token_hash, absl::Time last_used) = 0;
  // Deletes one session; OK when it does not exist.
  virtual absl::Status DeleteSession(absl::string_view token_hash) = 0;
  // Deletes every session of `user_id` except `keep_token_hash` and returns
  // how many were deleted.
  virtual absl::StatusOr<int> DeleteOtherSessions(absl::string_view user_id,
                                                  absl::string_view keep_token_hash) = 0;
  // Deletes sessions whose absolute expiry is at or before `now`, and those
  // last used at or before `idle_before` (idle-expired); returns how many.
  virtual absl::StatusOr<int> DeleteExpiredSessions(absl::Time now, absl::Time idle_before) = 0;
};

// Opens the store a URL names, creating and migrating its schema:
//   sqlite:///absolute/path.db or sqlite:relative/path.db  -> SQLite file
//   postgresql://user:password@host:port/db[?...]           -> PostgreSQL pool
// INVALID_ARGUMENT for another scheme; UNAVAILABLE when the database cannot be
// reached.
absl::StatusOr<std::unique_ptr<AuthStore>> OpenAuthStore(absl::string_view url);

// Microseconds since the Unix epoch, the stored form of a time.
inline int64_t ToStoredTime(absl::Time t) { return absl::ToUnixMicros(t); }
inline absl::Time FromStoredTime(int64_t us) { return absl::FromUnixMicros(us); }

}  // namespace skinlens::storage
