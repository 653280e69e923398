// HistoryStore on an SQLite file: the embedded default, one file per service.
//
//   SKINLENS_ASSIGN_OR_RETURN(std::unique_ptr<HistoryStore> store,
//                             SqliteHistoryStore::Open("/var/lib/skinlens/history.db"));
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/storage/history_store.h"
#include "common/storage/sqlite_database.h"

namespace skinlens::storage {

// Diagnoses in SQLite (see history_store.h). Thread-safe.
class SqliteHistoryStore : public HistoryStore {
 public:
  // Opens `path` (created if missing) and applies the history migrations.
  static absl::StatusOr<std::unique_ptr<SqliteHistoryStore>> Open(
      const std::string& path, const HistoryStoreOptions& options = {},
      const SqliteOptions& sqlite_options = {});

  absl::StatusOr<RecordedDiagnosis> RecordDiagnosis(absl::string_view user_id,
                                                    absl::string_view idempotency_key,
                                                    const v1::Diagnosis& diagnosis) override;
  absl::StatusOr<v1::Diagnosis> GetDiagnosis(absl::string_view user_id,
                                             absl::string_view diagnosis_id) override;
  absl::StatusOr<DiagnosisPage> ListDiagnoses(absl::string_view user_id,
                                              const ListRequest& request) override;
  absl::Status DeleteDiagnosis(absl::string_view user_id, absl::string_view diagnosis_id) override;
  absl::StatusOr<int64_t> DeleteUserData(absl::string_view user_id) override;
  absl::StatusOr<std::vector<TrendSample>> Trend(absl::string_view user_id, v1::Attribute attribute,
                                                 const TimeRange& range) override;

 private:
  SqliteHistoryStore(std::unique_ptr<SqliteDatabase> db, HistoryStoreOptions options)
      : db_(std::move(db)), options_(std::move(options)) {}

  std::unique_ptr<SqliteDatabase> db_;
  const HistoryStoreOptions options_;
};

}  // namespace skinlens::storage
