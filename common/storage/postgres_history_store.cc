#include "common/storage/postgres_history_store.h"

#include <map>
#include <string>
#include <utility>

#include "common/status/status_macros.h"
#include "common/storage/auth_store.h"  // ToStoredTime, FromStoredTime.

namespace skinlens::storage {
namespace {

using history_internal::PageCursor;
using history_internal::PreparedDiagnosis;
using history_internal::StoredRange;

const std::map<std::string, std::string>& Statements() {
  static const auto* statements = new std::map<std::string, std::string>{
      // ON CONFLICT DO NOTHING waits for a racing insert of the same key to
      // finish; a later statement of this transaction then sees its row.
      {"history_insert",
       "INSERT INTO diagnoses (id, user_id, idempotency_key, create_time_us, model_version, "
       "diagnosis) VALUES ($1, $2, $3, $4, $5, $6) "
       "ON CONFLICT (user_id, idempotency_key) DO NOTHING"},
      {"history_find_by_key",
       "SELECT diagnosis FROM diagnoses WHERE user_id = $1 AND idempotency_key = $2"},
      {"history_insert_attribute",
       "INSERT INTO diagnosis_attributes (diagnosis_id, user_id, attribute, create_time_us, "
       "grade, expected_score) VALUES ($1, $2, $3, $4, $5, $6)"},
      {"history_get", "SELECT diagnosis FROM diagnoses WHERE user_id = $1 AND id = $2"},
      {"history_list",
       "SELECT id, create_time_us, diagnosis FROM diagnoses "
       "WHERE user_id = $1 AND create_time_us >= $2 AND create_time_us < $3 "
       "AND (create_time_us < $4 OR (create_time_us = $4 AND id < $5)) "
       "ORDER BY create_time_us DESC, id DESC LIMIT $6"},
      {"history_delete", "DELETE FROM diagnoses WHERE user_id = $1 AND id = $2"},
      {"history_delete_user", "DELETE FROM diagnoses WHERE user_id = $1"},
      {"history_trend",
       "SELECT diagnosis_id, create_time_us, grade, expected_score FROM diagnosis_attributes "
       "WHERE user_id = $1 AND attribute = $2 AND create_time_us >= $3 AND create_time_us < $4 "
       "ORDER BY create_time_us, diagnosis_id"},
  };
  return *statements;
}

std::string S(absl::string_view v) { return std::string(v); }

std::string Bytes(const pqxx::field& field) { return pqxx::binarystring(field).str(); }

}  // namespace

absl::StatusOr<std::unique_ptr<PostgresHistoryStore>> PostgresHistoryStore::Open(
    PostgresOptions pg, const HistoryStoreOptions& options) {
  pg.statements = Statements();
  SKINLENS_ASSIGN_OR_RETURN(std::unique_ptr<PostgresDatabase> db,
                            PostgresDatabase::Open(std::move(pg)));
  SKINLENS_ASSIGN_OR_RETURN(std::vector<Migration> migrations, HistoryMigrations());
  SKINLENS_RETURN_IF_ERROR(db->Migrate("history", migrations));
  return std::unique_ptr<PostgresHistoryStore>(new PostgresHistoryStore(std::move(db), options));
}

absl::StatusOr<RecordedDiagnosis> PostgresHistoryStore::RecordDiagnosis(
    absl::string_view user_id, absl::string_view idempotency_key, const v1::Diagnosis& diagnosis) {
  SKINLENS_ASSIGN_OR_RETURN(PreparedDiagnosis prepared,
                            history_internal::PrepareRecord(user_id, idempotency_key, diagnosis));
  RecordedDiagnosis recorded;
  std::string existing;
  const pqxx::binarystring bytes(prepared.bytes);
  const absl::Status status = db_->Transaction([&](pqxx::work& tx) -> absl::Status {
    recorded.created = false;  // The transaction may run twice (reconnect).
    const pqxx::result inserted =
        tx.exec_prepared("history_insert", prepared.diagnosis.id(), S(user_id), S(idempotency_key),
                         prepared.create_time_us, prepared.diagnosis.model_version(), bytes);
    if (inserted.affected_rows() == 0) {  // The key was used before: return that record.
      const pqxx::result r =
          tx.exec_prepared("history_find_by_key", S(user_id), S(idempotency_key));
      if (r.empty()) return absl::InternalError("idempotency conflict without a stored record");
      existing = Bytes(r[0][0]);
      return absl::OkStatus();
    }
    recorded.created = true;
    bool first = true;
    for (const v1::AttributeResult& result : prepared.diagnosis.results()) {
      // An abstained attribute ("cannot estimate") has no point on the trend.
      if (result.abstained()) continue;
      tx.exec_prepared0("history_insert_attribute", prepared.diagnosis.id(), S(user_id),
                        static_cast<int>(result.attribute()), prepared.create_time_us,
                        result.distribution().grade(),
                        static_cast<double>(result.distribution().expected_score()));
      if (first && options_.fault_after_first_write_for_testing) {
        SKINLENS_RETURN_IF_ERROR(options_.fault_after_first_write_for_testing());
      }
      first = false;
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return history_internal::FinishRecord(std::move(prepared), recorded.created, existing);
}

absl::StatusOr<v1::Diagnosis> PostgresHistoryStore::GetDiagnosis(absl::string_view user_id,
                                                                 absl::string_view diagnosis_id) {
  std::string bytes;
  bool found = false;
  const absl::Status status = db_->Transaction([&](pqxx::work& tx) {
    const pqxx::result r = tx.exec_prepared("history_get", S(user_id), S(diagnosis_id));
    found = !r.empty();
    if (found) bytes = Bytes(r[0][0]);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (!found) return absl::NotFoundError("no such diagnosis");
  return history_internal::ParseStored(bytes);
}

absl::StatusOr<DiagnosisPage> PostgresHistoryStore::ListDiagnoses(absl::string_view user_id,
                                                                  const ListRequest& request) {
  SKINLENS_ASSIGN_OR_RETURN(const int page_size,
                            history_internal::EffectivePageSize(request.page_size));
  SKINLENS_ASSIGN_OR_RETURN(const StoredRange range,
                            history_internal::ToStoredRange(request.range));
  SKINLENS_ASSIGN_OR_RETURN(const PageCursor cursor,
                            history_internal::DecodePageToken(request.page_token, user_id, range));
  std::vector<std::string> rows;
  PageCursor last;
  bool more = false;
  const absl::Status status = db_->Transaction([&](pqxx::work& tx) {
    rows.clear();
    more = false;
    const pqxx::result r =
        tx.exec_prepared("history_list", S(user_id), range.start_us, range.end_us, cursor.time_us,
                         cursor.id, static_cast<int64_t>(page_size) + 1);
    for (const auto& row : r) {
      if (static_cast<int>(rows.size()) == page_size) {
        more = true;
        break;
      }
      last = PageCursor{row[1].as<int64_t>(), row[0].as<std::string>()};
      rows.push_back(Bytes(row[2]));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  DiagnosisPage page;
  for (const std::string& bytes : rows) {
    SKINLENS_ASSIGN_OR_RETURN(v1::Diagnosis d, history_internal::ParseStored(bytes));
    page.diagnoses.push_back(std::move(d));
  }
  if (more) page.next_page_token = history_internal::EncodePageToken(last, user_id, range);
  return page;
}

absl::Status PostgresHistoryStore::DeleteDiagnosis(absl::string_view user_id,
                                                   absl::string_view diagnosis_id) {
  // Attribute rows go with it through ON DELETE CASCADE.
  return db_->Transaction([&](pqxx::work& tx) {
    if (tx.exec_prepared("history_delete", S(user_id), S(diagnosis_id)).affected_rows() == 0) {
      return absl::NotFoundError("no such diagnosis");
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<int64_t> PostgresHistoryStore::DeleteUserData(absl::string_view user_id) {
  int64_t deleted = 0;
  const absl::Status status = db_->Transaction([&](pqxx::work& tx) {
    deleted =
        static_cast<int64_t>(tx.exec_prepared("history_delete_user", S(user_id)).affected_rows());
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return deleted;
}

absl::StatusOr<std::vector<TrendSample>> PostgresHistoryStore::Trend(absl::string_view user_id,
                                                                     v1::Attribute attribute,
                                                                     const TimeRange& range) {
  if (attribute == v1::ATTRIBUTE_UNSPECIFIED) {
    return absl::InvalidArgumentError("attribute must be set");
  }
  SKINLENS_ASSIGN_OR_RETURN(const StoredRange stored, history_internal::ToStoredRange(range));
  std::vector<TrendSample> samples;
  const absl::Status status = db_->Transaction([&](pqxx::work& tx) {
    samples.clear();
    for (const auto& row :
         tx.exec_prepared("history_trend", S(user_id), static_cast<int>(attribute), stored.start_us,
                          stored.end_us)) {
      samples.push_back(TrendSample{row[0].as<std::string>(), FromStoredTime(row[1].as<int64_t>()),
                                    row[2].as<int>(), row[3].as<double>()});
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return samples;
}

}  // namespace skinlens::storage
