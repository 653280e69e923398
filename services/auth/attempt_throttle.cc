#include "services/auth/attempt_throttle.h"

#include <algorithm>
#include <utility>

namespace skinlens::auth {

AttemptThrottle::AttemptThrottle(const ThrottleOptions& options, std::function<absl::Time()> clock)
    : options_(options), clock_(std::move(clock)) {}

absl::Duration AttemptThrottle::RetryAfter(std::initializer_list<absl::string_view> keys) {
  const absl::Time now = clock_();
  absl::Duration wait = absl::ZeroDuration();
  absl::MutexLock lock(&mu_);
  for (absl::string_view key : keys) {
    auto it = entries_.find(std::string(key));
    if (it == entries_.end()) continue;
    wait = std::max(wait, it->second.blocked_until - now);
  }
  return std::max(wait, absl::ZeroDuration());
}

void AttemptThrottle::RecordFailure(std::initializer_list<absl::string_view> keys) {
  const absl::Time now = clock_();
  absl::MutexLock lock(&mu_);
  for (absl::string_view key : keys) {
    Entry& e = entries_[std::string(key)];
    if (e.failures > 0 && now - e.last_failure >= options_.forget_after) e = Entry{};
    ++e.failures;
    e.last_failure = now;
    const int over = e.failures - options_.free_failures;
    if (over > 0) {
      // base * 2^(over-1), computed without overflowing the shift.
      absl::Duration delay = options_.base_delay;
      for (int i = 1; i < over && delay < options_.max_delay; ++i) delay *= 2;
      e.blocked_until = now + std::min(delay, options_.max_delay);
    }
  }
  if (entries_.size() > options_.max_keys) EvictLocked(now);
}

int AttemptThrottle::Failures(absl::string_view key) {
  const absl::Time now = clock_();
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(std::string(key));
  if (it == entries_.end() || now - it->second.last_failure >= options_.forget_after) return 0;
  return it->second.failures;
}

int AttemptThrottle::Clear(absl::string_view key) {
  const int failures = Failures(key);
  absl::MutexLock lock(&mu_);
  entries_.erase(std::string(key));
  return failures;
}

void AttemptThrottle::EvictLocked(absl::Time now) {
  // First whatever is forgotten anyway; then, under a flood of fresh keys, the
  // least recently failed ones (an attacker cycling addresses loses the
  // oldest, not the blocked).
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (now - it->second.last_failure >= options_.forget_after && it->second.blocked_until <= now) {
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
  while (entries_.size() > options_.max_keys) {
    // Unblocked keys go before blocked ones, older before newer.
    auto oldest =
        std::min_element(entries_.begin(), entries_.end(), [now](const auto& a, const auto& b) {
          const bool a_blocked = a.second.blocked_until > now,
                     b_blocked = b.second.blocked_until > now;
          if (a_blocked != b_blocked) return b_blocked;
          return a.second.last_failure < b.second.last_failure;
        });
    entries_.erase(oldest);
  }
}

}  // namespace skinlens::auth
