// HistoryStore on PostgreSQL through a libpqxx connection pool.
//
//   PostgresOptions options;
//   options.url = "postgresql://skinlens:secret@db:5432/skinlens";
//   SKINLENS_ASSIGN_OR_RETURN(std::unique_ptr<HistoryStore> store,
//                             PostgresHistoryStore::Open(std::move(options)));
#pragma once

#include <memory>
#include <vector>

#include "common/storage/history_store.h"
#include "common/storage/postgres_database.h"

namespace skinlens::storage {

// Diagnoses in PostgreSQL (see history_store.h), every query a named prepared
// statement. Thread-safe.
class PostgresHistoryStore : public HistoryStore {
 public:
  // Connects with `pg` (its `statements` are replaced by this store's) and
  // applies the history migrations.
  static absl::StatusOr<std::unique_ptr<PostgresHistoryStore>> Open(
      PostgresOptions pg, const HistoryStoreOptions& options = {});

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
  PostgresHistoryStore(std::unique_ptr<PostgresDatabase> db, HistoryStoreOptions options)
      : db_(std::move(db)), options_(std::move(options)) {}

  std::unique_ptr<PostgresDatabase> db_;
  const HistoryStoreOptions options_;
};

}  // namespace skinlens::storage
