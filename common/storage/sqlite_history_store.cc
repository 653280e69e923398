#include "common/storage/sqlite_history_store.h"

#include <utility>

#include "common/status/status_macros.h"
#include "common/storage/auth_store.h"  // ToStoredTime, FromStoredTime.

namespace skinlens::storage {

using history_internal::PageCursor;
using history_internal::PreparedDiagnosis;
using history_internal::StoredRange;

absl::StatusOr<std::unique_ptr<SqliteHistoryStore>> SqliteHistoryStore::Open(
    const std::string& path, const HistoryStoreOptions& options,
    const SqliteOptions& sqlite_options) {
  SKINLENS_ASSIGN_OR_RETURN(std::unique_ptr<SqliteDatabase> db,
                            SqliteDatabase::Open(path, sqlite_options));
  SKINLENS_ASSIGN_OR_RETURN(std::vector<Migration> migrations, HistoryMigrations());
  SKINLENS_RETURN_IF_ERROR(db->Migrate("history", migrations));
  return std::unique_ptr<SqliteHistoryStore>(new SqliteHistoryStore(std::move(db), options));
}

absl::StatusOr<RecordedDiagnosis> SqliteHistoryStore::RecordDiagnosis(
    absl::string_view user_id, absl::string_view idempotency_key, const v1::Diagnosis& diagnosis) {
  SKINLENS_ASSIGN_OR_RETURN(PreparedDiagnosis prepared,
                            history_internal::PrepareRecord(user_id, idempotency_key, diagnosis));
  RecordedDiagnosis recorded;
  std::string existing;
  // BEGIN IMMEDIATE serialises writers (also across processes), so the
  // conflict check and the insert cannot interleave with another Record.
  const absl::Status status = db_->Transaction([&](SqliteDatabase::Connection& c) -> absl::Status {
    SKINLENS_ASSIGN_OR_RETURN(
        SqliteStatement * insert,
        c.Prepare("INSERT INTO diagnoses (id, user_id, idempotency_key, create_time_us, "
                  "model_version, diagnosis) VALUES (?, ?, ?, ?, ?, ?) "
                  "ON CONFLICT (user_id, idempotency_key) DO NOTHING"));
    insert->BindText(1, prepared.diagnosis.id());
    insert->BindText(2, user_id);
    insert->BindText(3, idempotency_key);
    insert->BindInt64(4, prepared.create_time_us);
    insert->BindText(5, prepared.diagnosis.model_version());
    insert->BindBlob(6, prepared.bytes);
    SKINLENS_RETURN_IF_ERROR(insert->StepDone());
    if (c.Changes() == 0) {  // The key was used before: return that record.
      SKINLENS_ASSIGN_OR_RETURN(
          SqliteStatement * select,
          c.Prepare("SELECT diagnosis FROM diagnoses WHERE user_id = ? AND idempotency_key = ?"));
      select->BindText(1, user_id);
      select->BindText(2, idempotency_key);
      SKINLENS_ASSIGN_OR_RETURN(bool found, select->Step());
      if (!found) return absl::InternalError("idempotency conflict without a stored record");
      existing = select->ColumnBlob(0);
      return absl::OkStatus();
    }
    recorded.created = true;
    bool first = true;
    for (const v1::AttributeResult& result : prepared.diagnosis.results()) {
      // An abstained attribute ("cannot estimate") has no point on the trend.
      if (result.abstained()) continue;
      SKINLENS_ASSIGN_OR_RETURN(
          SqliteStatement * attr,
          c.Prepare("INSERT INTO diagnosis_attributes (diagnosis_id, user_id, attribute, "
                    "create_time_us, grade, expected_score) VALUES (?, ?, ?, ?, ?, ?)"));
      attr->BindText(1, prepared.diagnosis.id());
      attr->BindText(2, user_id);
      attr->BindInt64(3, result.attribute());
      attr->BindInt64(4, prepared.create_time_us);
      attr->BindInt64(5, result.distribution().grade());
      attr->BindDouble(6, result.distribution().expected_score());
      SKINLENS_RETURN_IF_ERROR(attr->StepDone());
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

absl::StatusOr<v1::Diagnosis> SqliteHistoryStore::GetDiagnosis(absl::string_view user_id,
                                                               absl::string_view diagnosis_id) {
  std::string bytes;
  bool found = false;
  const absl::Status status = db_->Run([&](SqliteDatabase::Connection& c) -> absl::Status {
    SKINLENS_ASSIGN_OR_RETURN(
        SqliteStatement * st,
        c.Prepare("SELECT diagnosis FROM diagnoses WHERE user_id = ? AND id = ?"));
    st->BindText(1, user_id);
    st->BindText(2, diagnosis_id);
    SKINLENS_ASSIGN_OR_RETURN(found, st->Step());
    if (found) bytes = st->ColumnBlob(0);
    st->Reset();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (!found) return absl::NotFoundError("no such diagnosis");
  return history_internal::ParseStored(bytes);
}

absl::StatusOr<DiagnosisPage> SqliteHistoryStore::ListDiagnoses(absl::string_view user_id,
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
  const absl::Status status = db_->Run([&](SqliteDatabase::Connection& c) -> absl::Status {
    SKINLENS_ASSIGN_OR_RETURN(
        SqliteStatement * st,
        c.Prepare("SELECT id, create_time_us, diagnosis FROM diagnoses "
                  "WHERE user_id = ?1 AND create_time_us >= ?2 AND create_time_us < ?3 "
                  "AND (create_time_us < ?4 OR (create_time_us = ?4 AND id < ?5)) "
                  "ORDER BY create_time_us DESC, id DESC LIMIT ?6"));
    st->BindText(1, user_id);
    st->BindInt64(2, range.start_us);
    st->BindInt64(3, range.end_us);
    st->BindInt64(4, cursor.time_us);
    st->BindText(5, cursor.id);
    st->BindInt64(6, page_size + 1);  // One more tells whether a next page exists.
    while (true) {
      SKINLENS_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      if (static_cast<int>(rows.size()) == page_size) {
        more = true;
        break;
      }
      last = PageCursor{st->ColumnInt64(1), st->ColumnText(0)};
      rows.push_back(st->ColumnBlob(2));
    }
    st->Reset();
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

absl::Status SqliteHistoryStore::DeleteDiagnosis(absl::string_view user_id,
                                                 absl::string_view diagnosis_id) {
  int changed = 0;
  // Attribute rows go with it through ON DELETE CASCADE.
  const absl::Status status = db_->Run([&](SqliteDatabase::Connection& c) -> absl::Status {
    SKINLENS_ASSIGN_OR_RETURN(SqliteStatement * st,
                              c.Prepare("DELETE FROM diagnoses WHERE user_id = ? AND id = ?"));
    st->BindText(1, user_id);
    st->BindText(2, diagnosis_id);
    SKINLENS_RETURN_IF_ERROR(st->StepDone());
    changed = c.Changes();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (changed == 0) return absl::NotFoundError("no such diagnosis");
  return absl::OkStatus();
}

absl::StatusOr<int64_t> SqliteHistoryStore::DeleteUserData(absl::string_view user_id) {
  int64_t deleted = 0;
  const absl::Status status = db_->Run([&](SqliteDatabase::Connection& c) -> absl::Status {
    SKINLENS_ASSIGN_OR_RETURN(SqliteStatement * st,
                              c.Prepare("DELETE FROM diagnoses WHERE user_id = ?"));
    st->BindText(1, user_id);
    SKINLENS_RETURN_IF_ERROR(st->StepDone());
    deleted = c.Changes();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return deleted;
}

absl::StatusOr<std::vector<TrendSample>> SqliteHistoryStore::Trend(absl::string_view user_id,
                                                                   v1::Attribute attribute,
                                                                   const TimeRange& range) {
  if (attribute == v1::ATTRIBUTE_UNSPECIFIED) {
    return absl::InvalidArgumentError("attribute must be set");
  }
  SKINLENS_ASSIGN_OR_RETURN(const StoredRange stored, history_internal::ToStoredRange(range));
  std::vector<TrendSample> samples;
  const absl::Status status = db_->Run([&](SqliteDatabase::Connection& c) -> absl::Status {
    SKINLENS_ASSIGN_OR_RETURN(
        SqliteStatement * st,
        c.Prepare("SELECT diagnosis_id, create_time_us, grade, expected_score "
                  "FROM diagnosis_attributes WHERE user_id = ? AND attribute = ? "
                  "AND create_time_us >= ? AND create_time_us < ? "
                  "ORDER BY create_time_us, diagnosis_id"));
    st->BindText(1, user_id);
    st->BindInt64(2, attribute);
    st->BindInt64(3, stored.start_us);
    st->BindInt64(4, stored.end_us);
    while (true) {
      SKINLENS_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      samples.push_back(TrendSample{st->ColumnText(0), FromStoredTime(st->ColumnInt64(1)),
                                    static_cast<int>(st->ColumnInt64(2)), st->ColumnDouble(3)});
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return samples;
}

}  // namespace skinlens::storage
