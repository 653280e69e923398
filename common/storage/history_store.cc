#include "common/storage/history_store.h"

#include <algorithm>
#include <random>
#include <set>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/status/status_macros.h"
#include "common/storage/auth_store.h"
#include "common/storage/postgres_history_store.h"
#include "common/storage/sqlite_history_store.h"

namespace skinlens::storage {
namespace history_internal {
namespace {

constexpr absl::string_view kTokenPrefix = "h1.";

std::string NewId() {
  std::random_device rd;
  return absl::StrFormat("%08x%08x%08x%08x", rd(), rd(), rd(), rd());
}

// Binds a page token to its user and range, so a token cannot be replayed on
// another listing. FNV-1a (64 bit): stable across processes and builds. Not a
// secret: every query is scoped to the caller's user id anyway.
std::string Fingerprint(absl::string_view user_id, const StoredRange& range) {
  const std::string text =
      absl::StrCat(user_id, std::string(1, '\0'), range.start_us, ":", range.end_us);
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return absl::StrFormat("%016x", hash);
}

absl::Status BadToken() {
  return absl::InvalidArgumentError(
      "page_token is malformed or belongs to another listing (same user, range and filters "
      "required)");
}

int64_t ToStoredBound(absl::Time t) {
  if (t == absl::InfinitePast()) return INT64_MIN;
  if (t == absl::InfiniteFuture()) return INT64_MAX;
  return ToStoredTime(t);
}

}  // namespace

absl::StatusOr<PreparedDiagnosis> PrepareRecord(absl::string_view user_id,
                                                absl::string_view idempotency_key,
                                                const v1::Diagnosis& diagnosis) {
  if (user_id.empty()) return absl::InvalidArgumentError("user_id is required");
  if (idempotency_key.empty()) return absl::InvalidArgumentError("idempotency_key is required");
  if (idempotency_key.size() > kMaxIdempotencyKeyLength) {
    return absl::InvalidArgumentError(absl::StrCat("idempotency_key has ", idempotency_key.size(),
                                                   " characters; at most ",
                                                   kMaxIdempotencyKeyLength, " allowed"));
  }
  std::set<int> seen;
  for (const v1::AttributeResult& result : diagnosis.results()) {
    if (result.attribute() == v1::ATTRIBUTE_UNSPECIFIED) {
      return absl::InvalidArgumentError("a result has attribute ATTRIBUTE_UNSPECIFIED");
    }
    if (!seen.insert(result.attribute()).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          "attribute ", v1::Attribute_Name(result.attribute()), " has more than one result"));
    }
  }
  PreparedDiagnosis prepared;
  prepared.diagnosis = diagnosis;
  prepared.diagnosis.set_id(NewId());
  absl::Time created = absl::Now();
  if (diagnosis.has_create_time()) {
    created = absl::FromUnixSeconds(diagnosis.create_time().seconds()) +
              absl::Nanoseconds(diagnosis.create_time().nanos());
  }
  prepared.create_time_us = ToStoredTime(created);  // Truncates to microseconds.
  const int64_t us = prepared.create_time_us;
  int64_t seconds = us / 1'000'000, micros = us % 1'000'000;
  if (micros < 0) {
    micros += 1'000'000;
    --seconds;
  }
  prepared.diagnosis.mutable_create_time()->set_seconds(seconds);
  prepared.diagnosis.mutable_create_time()->set_nanos(static_cast<int32_t>(micros * 1000));
  if (!prepared.diagnosis.SerializeToString(&prepared.bytes)) {
    return absl::InvalidArgumentError("diagnosis cannot be serialised");
  }
  return prepared;
}

absl::StatusOr<v1::Diagnosis> ParseStored(absl::string_view bytes) {
  v1::Diagnosis diagnosis;
  if (!diagnosis.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InternalError("stored diagnosis is not a valid skinlens.v1.Diagnosis");
  }
  return diagnosis;
}

absl::StatusOr<StoredRange> ToStoredRange(const TimeRange& range) {
  if (range.start >= range.end) {
    return absl::InvalidArgumentError("start_time must be before end_time");
  }
  return StoredRange{ToStoredBound(range.start), ToStoredBound(range.end)};
}

absl::StatusOr<int> EffectivePageSize(int page_size) {
  if (page_size < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size must not be negative, not ", page_size));
  }
  if (page_size == 0) return kDefaultPageSize;
  return std::min(page_size, kMaxPageSize);
}

absl::StatusOr<PageCursor> DecodePageToken(absl::string_view token, absl::string_view user_id,
                                           const StoredRange& range) {
  if (token.empty()) return PageCursor{};
  if (!absl::ConsumePrefix(&token, kTokenPrefix)) return BadToken();
  std::string payload;
  if (!absl::WebSafeBase64Unescape(token, &payload)) return BadToken();
  const std::vector<std::string> parts = absl::StrSplit(payload, absl::MaxSplits(':', 2));
  PageCursor cursor;
  if (parts.size() != 3 || !absl::SimpleAtoi(parts[0], &cursor.time_us) || parts[2].empty() ||
      parts[1] != Fingerprint(user_id, range)) {
    return BadToken();
  }
  cursor.id = parts[2];
  return cursor;
}

std::string EncodePageToken(const PageCursor& cursor, absl::string_view user_id,
                            const StoredRange& range) {
  return absl::StrCat(kTokenPrefix,
                      absl::WebSafeBase64Escape(absl::StrCat(
                          cursor.time_us, ":", Fingerprint(user_id, range), ":", cursor.id)));
}

absl::StatusOr<RecordedDiagnosis> FinishRecord(PreparedDiagnosis prepared, bool created,
                                               absl::string_view existing_bytes) {
  RecordedDiagnosis recorded;
  recorded.created = created;
  if (created) {
    recorded.diagnosis = std::move(prepared.diagnosis);
  } else {
    SKINLENS_ASSIGN_OR_RETURN(recorded.diagnosis, ParseStored(existing_bytes));
  }
  return recorded;
}

}  // namespace history_internal

absl::StatusOr<std::unique_ptr<HistoryStore>> OpenHistoryStore(absl::string_view url,
                                                               const HistoryStoreOptions& options) {
  if (absl::StartsWith(url, "sqlite:")) {
    absl::string_view path = url.substr(7);
    if (absl::StartsWith(path, "//")) path.remove_prefix(2);  // sqlite:///abs -> /abs
    if (path.empty()) return absl::InvalidArgumentError("sqlite: URL without a path");
    auto store = SqliteHistoryStore::Open(std::string(path), options);
    if (!store.ok()) return store.status();
    return std::unique_ptr<HistoryStore>(std::move(*store));
  }
  if (absl::StartsWith(url, "postgresql://") || absl::StartsWith(url, "postgres://")) {
    PostgresOptions pg;
    pg.url = std::string(url);
    auto store = PostgresHistoryStore::Open(std::move(pg), options);
    if (!store.ok()) return store.status();
    return std::unique_ptr<HistoryStore>(std::move(*store));
  }
  // Do not echo the URL: it may hold a password.
  return absl::InvalidArgumentError(
      "database URL must start with sqlite: or postgresql:// (see common/storage/README.md)");
}

}  // namespace skinlens::storage
