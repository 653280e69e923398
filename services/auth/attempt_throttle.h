// Brute-force defence: counts failures per key (a username, a client address)
// and, past a free allowance, refuses further attempts for a back-off that
// doubles with each failure, up to a cap. A success for a username clears its
// count; an address is only forgotten when it stays quiet, so an attacker
// cannot reset it by logging into an account of their own.
//
//   AttemptThrottle throttle(ThrottleOptions{}, clock);
//   if (absl::Duration wait = throttle.RetryAfter({"user:alice", "addr:10.0.0.1"});
//       wait > absl::ZeroDuration()) { return Throttled(wait); }
//   ... on failure: throttle.RecordFailure({"user:alice", "addr:10.0.0.1"});
#pragma once

#include <functional>
#include <initializer_list>
#include <string>
#include <unordered_map>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace skinlens::auth {

// The back-off schedule of one kind of key.
struct ThrottleOptions {
  int free_failures = 5;                         // Failures before any wait.
  absl::Duration base_delay = absl::Seconds(1);  // Wait after the first failure past them.
  absl::Duration max_delay = absl::Minutes(15);  // Longest wait.
  absl::Duration forget_after = absl::Hours(1);  // Quiet time after which a key starts over.
  size_t max_keys = 100000;                      // Memory bound; oldest quiet keys go first.
};

// Failure counters in memory (per process: each replica throttles on its own).
// Thread-safe.
class AttemptThrottle {
 public:
  AttemptThrottle(const ThrottleOptions& options, std::function<absl::Time()> clock);

  // How long the caller must wait before the next attempt for any of `keys`
  // (the longest of them); zero when it may try now.
  absl::Duration RetryAfter(std::initializer_list<absl::string_view> keys);

  // Counts a failure for each key.
  void RecordFailure(std::initializer_list<absl::string_view> keys);

  // The failures counted for `key` (0 once it was quiet for forget_after).
  int Failures(absl::string_view key);

  // Forgets `key` (a username after a correct password); returns the failures
  // it had counted.
  int Clear(absl::string_view key);

 private:
  struct Entry {
    int failures = 0;
    absl::Time last_failure;
    absl::Time blocked_until;
  };
  void EvictLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const ThrottleOptions options_;
  const std::function<absl::Time()> clock_;
  absl::Mutex mu_;
  std::unordered_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace skinlens::auth
