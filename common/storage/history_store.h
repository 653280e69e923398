// Storage of the history service: every user's diagnoses over time.
//
// HistoryStore is the small interface the history service talks to; SQLite
// (sqlite_history_store.h) and PostgreSQL (postgres_history_store.h) implement
// it and one test suite (history_store_contract.h) runs against both. A
// diagnosis is kept whole as serialised protobuf, next to indexed columns for
// paging (user, time, id) and trends (per attribute grade and expected score),
// all written in one transaction. Every call is scoped to one user: another
// user's record reads as NOT_FOUND, exactly like a missing one.
//
//   SKINLENS_ASSIGN_OR_RETURN(std::unique_ptr<HistoryStore> store,
//                             OpenHistoryStore("sqlite:///var/lib/skinlens/history.db"));
//   SKINLENS_ASSIGN_OR_RETURN(RecordedDiagnosis r,
//                             store->RecordDiagnosis(user_id, request_id, diagnosis));
//   SKINLENS_ASSIGN_OR_RETURN(DiagnosisPage page, store->ListDiagnoses(user_id, {}));
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/storage/migration.h"
#include "skinlens/v1/common.pb.h"

namespace skinlens::storage {

// Longest idempotency key accepted (history.proto).
inline constexpr size_t kMaxIdempotencyKeyLength = 128;
// Page size when 0 is asked for, and the most one page holds.
inline constexpr int kDefaultPageSize = 20;
inline constexpr int kMaxPageSize = 100;

// A half-open time range [start, end); the defaults mean unbounded.
struct TimeRange {
  absl::Time start = absl::InfinitePast();
  absl::Time end = absl::InfiniteFuture();
};

// What RecordDiagnosis returns.
struct RecordedDiagnosis {
  v1::Diagnosis diagnosis;  // As stored: with its id and create_time.
  bool created = false;     // False when the key was used before (a retry).
};

// One request for a page of ListDiagnoses.
struct ListRequest {
  int page_size = 0;       // 0 means kDefaultPageSize; above kMaxPageSize reads as it.
  std::string page_token;  // Empty for the first page.
  TimeRange range;         // Must be the same for every page of one listing.
};

// One page of ListDiagnoses, newest first.
struct DiagnosisPage {
  std::vector<v1::Diagnosis> diagnoses;
  std::string next_page_token;  // Empty on the last page.
};

// One diagnosis's photo-level result for one attribute.
struct TrendSample {
  std::string diagnosis_id;
  absl::Time time;  // The diagnosis's create_time.
  int grade = 0;
  double expected_score = 0;
};

// Settings of a history store.
struct HistoryStoreOptions {
  // Tests only: called inside RecordDiagnosis's transaction after the first
  // statements wrote (the diagnosis row and its first attribute row); a
  // non-OK status aborts the write there, as a crash or lost connection would.
  std::function<absl::Status()> fault_after_first_write_for_testing;
};

// Diagnoses of users. Implementations are thread-safe; times are stored with
// microsecond precision (finer parts of create_time are dropped).
class HistoryStore {
 public:
  virtual ~HistoryStore() = default;

  // Stores `diagnosis` for `user_id` unless (user_id, idempotency_key) was
  // used before; then stores nothing and returns the first record (also when
  // two calls race). diagnosis.id is replaced by a new id; an unset
  // create_time becomes now. The record and its attribute rows are written in
  // one transaction. INVALID_ARGUMENT for an empty user id or key, a key
  // longer than kMaxIdempotencyKeyLength, or results with an unspecified or
  // repeated attribute.
  virtual absl::StatusOr<RecordedDiagnosis> RecordDiagnosis(absl::string_view user_id,
                                                            absl::string_view idempotency_key,
                                                            const v1::Diagnosis& diagnosis) = 0;

  // NOT_FOUND when `user_id` has no diagnosis `diagnosis_id`.
  virtual absl::StatusOr<v1::Diagnosis> GetDiagnosis(absl::string_view user_id,
                                                     absl::string_view diagnosis_id) = 0;

  // The user's diagnoses in `request.range`, newest first (by create_time,
  // then id), one page at a time. Paging is by key, so records added between
  // pages never make a page repeat or skip an older record. INVALID_ARGUMENT
  // for a negative page size, an empty range (start not before end), or a
  // page token that is malformed or was issued for another user or range.
  virtual absl::StatusOr<DiagnosisPage> ListDiagnoses(absl::string_view user_id,
                                                      const ListRequest& request) = 0;

  // Deletes one diagnosis. NOT_FOUND when `user_id` has no such diagnosis.
  virtual absl::Status DeleteDiagnosis(absl::string_view user_id,
                                       absl::string_view diagnosis_id) = 0;

  // Deletes every diagnosis of `user_id`; returns how many.
  virtual absl::StatusOr<int64_t> DeleteUserData(absl::string_view user_id) = 0;

  // The photo-level results of `attribute` in the user's diagnoses within
  // `range`, oldest first. INVALID_ARGUMENT for ATTRIBUTE_UNSPECIFIED or an
  // empty range.
  virtual absl::StatusOr<std::vector<TrendSample>> Trend(absl::string_view user_id,
                                                         v1::Attribute attribute,
                                                         const TimeRange& range) = 0;
};

// Opens the store a URL names, creating and migrating its schema (URLs as for
// OpenAuthStore in auth_store.h). INVALID_ARGUMENT for another scheme;
// UNAVAILABLE when the database cannot be reached.
absl::StatusOr<std::unique_ptr<HistoryStore>> OpenHistoryStore(
    absl::string_view url, const HistoryStoreOptions& options = {});

// The history service's schema, embedded at build time.
absl::StatusOr<std::vector<Migration>> HistoryMigrations();

namespace history_internal {

// Shared by the backends; not for other callers.

// A diagnosis ready to store.
struct PreparedDiagnosis {
  v1::Diagnosis diagnosis;  // With a new id and create_time (microseconds).
  int64_t create_time_us = 0;
  std::string bytes;  // `diagnosis` serialised.
};
// Validates the arguments of RecordDiagnosis and prepares the record.
absl::StatusOr<PreparedDiagnosis> PrepareRecord(absl::string_view user_id,
                                                absl::string_view idempotency_key,
                                                const v1::Diagnosis& diagnosis);
// Parses stored bytes; INTERNAL when they are not a Diagnosis.
absl::StatusOr<v1::Diagnosis> ParseStored(absl::string_view bytes);

// The result of a committed RecordDiagnosis: the new diagnosis when `created`,
// otherwise the first record with this key, parsed from `existing_bytes`.
absl::StatusOr<RecordedDiagnosis> FinishRecord(PreparedDiagnosis prepared, bool created,
                                               absl::string_view existing_bytes);

// The range as stored bounds [start_us, end_us); INVALID_ARGUMENT when empty.
struct StoredRange {
  int64_t start_us;
  int64_t end_us;
};
absl::StatusOr<StoredRange> ToStoredRange(const TimeRange& range);

// Where a page starts: strictly older than (time_us, id) in (time, id) order.
struct PageCursor {
  int64_t time_us = INT64_MAX;
  std::string id;  // With INT64_MAX: before everything.
};
// The page size to use; INVALID_ARGUMENT when negative.
absl::StatusOr<int> EffectivePageSize(int page_size);
// The cursor `token` names (the start for an empty token); INVALID_ARGUMENT
// when malformed or issued for another user or range.
absl::StatusOr<PageCursor> DecodePageToken(absl::string_view token, absl::string_view user_id,
                                           const StoredRange& range);
// The opaque token of the page after (time_us, id).
std::string EncodePageToken(const PageCursor& cursor, absl::string_view user_id,
                            const StoredRange& range);

}  // namespace history_internal
}  // namespace skinlens::storage
