#include "services/history/history_service.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/grpc/call_context.h"
#include "common/grpc/rich_status.h"
#include "common/time/proto_time.h"
#include "common/time/time_zone_name.h"
#include "services/history/heatmap_thumbnails.h"
#include "services/history/history_export.h"
#include "services/history/trend_buckets.h"
#include "spdlog/spdlog.h"

namespace skinlens::history {
namespace {

using storage::TimeRange;

// How long a caller should wait after UNAVAILABLE.
constexpr absl::Duration kRetryDelay = absl::Seconds(1);

grpc::ServerUnaryReactor* Finish(grpc::CallbackServerContext* context, const grpc::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(status);
  return reactor;
}

// UNAVAILABLE (the database is unreachable) carries a RetryInfo, as
// history.proto documents; other codes map as they are.
grpc::ServerUnaryReactor* Finish(grpc::CallbackServerContext* context, const absl::Status& status) {
  if (absl::IsUnavailable(status)) {
    return Finish(context, ToGrpcStatus(WithRetryDelay(status, kRetryDelay)));
  }
  return Finish(context, ToGrpcStatus(status));
}

// INVALID_ARGUMENT naming `field`, with a BadRequest detail.
grpc::Status BadField(absl::string_view field, absl::string_view description) {
  v1::BadRequest bad;
  v1::BadRequest::FieldViolation* violation = bad.add_field_violations();
  violation->set_field(std::string(field));
  violation->set_description(std::string(description));
  return StatusWithDetails(absl::InvalidArgumentError(absl::StrCat(field, " ", description)),
                           {&bad});
}

// The request's time range; a BadRequest status when it is empty.
template <typename Request>
absl::StatusOr<TimeRange> RangeOf(const Request& request, grpc::Status* error) {
  TimeRange range;
  if (request.has_start_time()) range.start = TimeFromProto(request.start_time());
  if (request.has_end_time()) range.end = TimeFromProto(request.end_time());
  if (range.start >= range.end) {
    *error = BadField("start_time", "must be before end_time");
    return absl::InvalidArgumentError("empty range");
  }
  return range;
}

}  // namespace

void ApplyBasicView(v1::Diagnosis* diagnosis) {
  diagnosis->clear_regions();
  diagnosis->clear_heatmaps();
  diagnosis->clear_photo_heatmaps();
}

absl::StatusOr<std::string> HistoryService::CallingUser(const grpc::CallbackServerContext& context,
                                                        absl::string_view method) const {
  absl::StatusOr<CallClaims> call = AssertedCall(
      user_assertion_key_, context,
      absl::StrCat("/", v1::HistoryService::service_full_name(), "/", method), absl::Now());
  if (call.ok() && call->user_id.empty()) {
    call = absl::UnauthenticatedError(absl::StrCat("this call needs the user it acts for in '",
                                                   kUserIdMetadataKey, "' (set by the gateway)"));
  }
  if (!call.ok()) {
    spdlog::warn("refused a {} call: {}", std::string(method),
                 std::string(call.status().message()));
    return call.status();
  }
  return std::move(call->user_id);
}

grpc::ServerUnaryReactor* HistoryService::RecordDiagnosis(
    grpc::CallbackServerContext* context, const v1::HistoryServiceRecordDiagnosisRequest* request,
    v1::HistoryServiceRecordDiagnosisResponse* response) {
  ServerCallScope scope(context);
  absl::StatusOr<std::string> user = CallingUser(*context, "RecordDiagnosis");
  if (!user.ok()) return Finish(context, user.status());
  if (request->idempotency_key().empty()) {
    return Finish(context, BadField("idempotency_key", "is required"));
  }
  if (request->idempotency_key().size() > storage::kMaxIdempotencyKeyLength) {
    return Finish(context,
                  BadField("idempotency_key",
                           absl::StrCat("must be at most ", storage::kMaxIdempotencyKeyLength,
                                        " characters")));
  }
  if (!request->has_diagnosis()) return Finish(context, BadField("diagnosis", "is required"));
  auto recorded =
      store_->RecordDiagnosis(*user, request->idempotency_key(),
                              StoredHeatmaps(request->diagnosis(), options_.heatmap_thumbnail_px));
  if (recorded.ok()) {
    *response->mutable_diagnosis() = std::move(recorded->diagnosis);
    response->set_created(recorded->created);
  }
  return Finish(context, recorded.status());
}

grpc::ServerUnaryReactor* HistoryService::GetDiagnosis(
    grpc::CallbackServerContext* context, const v1::HistoryServiceGetDiagnosisRequest* request,
    v1::HistoryServiceGetDiagnosisResponse* response) {
  ServerCallScope scope(context);
  absl::StatusOr<std::string> user = CallingUser(*context, "GetDiagnosis");
  if (!user.ok()) return Finish(context, user.status());
  if (request->diagnosis_id().empty()) {
    return Finish(context, BadField("diagnosis_id", "is required"));
  }
  auto diagnosis = store_->GetDiagnosis(*user, request->diagnosis_id());
  if (diagnosis.ok()) {
    if (request->view() == v1::DIAGNOSIS_VIEW_BASIC) ApplyBasicView(&*diagnosis);
    *response->mutable_diagnosis() = std::move(*diagnosis);
  }
  return Finish(context, diagnosis.status());
}

grpc::ServerUnaryReactor* HistoryService::ListDiagnoses(
    grpc::CallbackServerContext* context, const v1::HistoryServiceListDiagnosesRequest* request,
    v1::HistoryServiceListDiagnosesResponse* response) {
  ServerCallScope scope(context);
  absl::StatusOr<std::string> user = CallingUser(*context, "ListDiagnoses");
  if (!user.ok()) return Finish(context, user.status());
  if (request->page_size() < 0) {
    return Finish(context, BadField("page_size", "must not be negative"));
  }
  grpc::Status error;
  auto range = RangeOf(*request, &error);
  if (!range.ok()) return Finish(context, error);
  storage::ListRequest list;
  list.page_size = request->page_size();
  list.page_token = request->page_token();
  list.range = *range;
  auto page = store_->ListDiagnoses(*user, list);
  if (page.ok()) {
    const bool full = request->view() == v1::DIAGNOSIS_VIEW_FULL;
    for (v1::Diagnosis& d : page->diagnoses) {
      if (!full) ApplyBasicView(&d);
      *response->add_diagnoses() = std::move(d);
    }
    response->set_next_page_token(page->next_page_token);
  }
  return Finish(context, page.status());
}

grpc::ServerUnaryReactor* HistoryService::DeleteDiagnosis(
    grpc::CallbackServerContext* context, const v1::HistoryServiceDeleteDiagnosisRequest* request,
    v1::HistoryServiceDeleteDiagnosisResponse* /*response*/) {
  ServerCallScope scope(context);
  absl::StatusOr<std::string> user = CallingUser(*context, "DeleteDiagnosis");
  if (!user.ok()) return Finish(context, user.status());
  if (request->diagnosis_id().empty()) {
    return Finish(context, BadField("diagnosis_id", "is required"));
  }
  absl::Status status = store_->DeleteDiagnosis(*user, request->diagnosis_id());
  if (absl::IsNotFound(status) && request->allow_missing()) status = absl::OkStatus();
  return Finish(context, status);
}

grpc::ServerUnaryReactor* HistoryService::GetTrend(grpc::CallbackServerContext* context,
                                                   const v1::HistoryServiceGetTrendRequest* request,
                                                   v1::HistoryServiceGetTrendResponse* response) {
  ServerCallScope scope(context);
  absl::StatusOr<std::string> user = CallingUser(*context, "GetTrend");
  if (!user.ok()) return Finish(context, user.status());
  std::vector<v1::Attribute> attributes;
  for (int i = 0; i < request->attributes_size(); ++i) {
    const int a = request->attributes(i);
    const std::string field = absl::StrCat("attributes[", i, "]");
    if (a == v1::ATTRIBUTE_UNSPECIFIED || !v1::Attribute_IsValid(a)) {
      return Finish(context, BadField(field, "is not a known attribute"));
    }
    if (std::find(attributes.begin(), attributes.end(), a) != attributes.end()) {
      return Finish(context, BadField(field, "is repeated"));
    }
    attributes.push_back(static_cast<v1::Attribute>(a));
  }
  if (attributes.empty()) {
    for (int a = v1::Attribute_MIN; a <= v1::Attribute_MAX; ++a) {
      if (a != v1::ATTRIBUTE_UNSPECIFIED && v1::Attribute_IsValid(a)) {
        attributes.push_back(static_cast<v1::Attribute>(a));
      }
    }
  }
  const v1::TrendBucket bucket = request->bucket();
  if (!v1::TrendBucket_IsValid(bucket)) {
    return Finish(context, BadField("bucket", "is not a known bucket"));
  }
  absl::TimeZone zone = absl::UTCTimeZone();
  if (!request->time_zone().empty()) {
    // Checked before loading: absl keeps every name it is asked for.
    absl::StatusOr<absl::TimeZone> loaded = LoadIanaTimeZone(request->time_zone());
    if (!loaded.ok()) {
      return Finish(context, BadField("time_zone", std::string(loaded.status().message())));
    }
    zone = *loaded;
  }
  grpc::Status error;
  auto range = RangeOf(*request, &error);
  if (!range.ok()) return Finish(context, error);
  for (v1::Attribute attribute : attributes) {
    auto samples = store_->Trend(*user, attribute, *range);
    if (!samples.ok()) return Finish(context, samples.status());
    std::vector<v1::TrendPoint> points = BucketTrend(*samples, bucket, zone);
    v1::TrendSeries* series = response->add_series();
    series->set_attribute(attribute);
    size_t first = 0;
    const size_t max_points = static_cast<size_t>(std::max(options_.max_trend_points, 1));
    if (points.size() > max_points) {
      first = points.size() - max_points;  // Keep the newest.
      response->set_truncated(true);
    }
    for (size_t i = first; i < points.size(); ++i) *series->add_points() = std::move(points[i]);
  }
  return Finish(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* HistoryService::ExportDiagnoses(
    grpc::CallbackServerContext* context, const v1::HistoryServiceExportDiagnosesRequest* request,
    v1::HistoryServiceExportDiagnosesResponse* response) {
  ServerCallScope scope(context);
  absl::StatusOr<std::string> user = CallingUser(*context, "ExportDiagnoses");
  if (!user.ok()) return Finish(context, user.status());
  if (request->format() != v1::EXPORT_FORMAT_UNSPECIFIED &&
      request->format() != v1::EXPORT_FORMAT_CSV) {
    return Finish(context, BadField("format", "is not a known export format"));
  }
  grpc::Status error;
  auto range = RangeOf(*request, &error);
  if (!range.ok()) return Finish(context, error);
  std::vector<v1::Diagnosis> all;  // Newest first, as the store pages them.
  storage::ListRequest list;
  list.page_size = storage::kMaxPageSize;
  list.range = *range;
  do {
    auto page = store_->ListDiagnoses(*user, list);
    if (!page.ok()) return Finish(context, page.status());
    for (v1::Diagnosis& d : page->diagnoses) all.push_back(std::move(d));
    list.page_token = page->next_page_token;
  } while (!list.page_token.empty());
  response->set_content_type(std::string(kCsvContentType));
  response->set_file_name(ExportFileName(absl::Now()));
  response->set_content(DiagnosesCsv(all));
  return Finish(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* HistoryService::DeleteUserData(
    grpc::CallbackServerContext* context, const v1::HistoryServiceDeleteUserDataRequest* request,
    v1::HistoryServiceDeleteUserDataResponse* response) {
  ServerCallScope scope(context);
  absl::StatusOr<std::string> user = CallingUser(*context, "DeleteUserData");
  if (!user.ok()) return Finish(context, user.status());
  auto deleted = store_->DeleteUserData(*user);
  if (deleted.ok()) response->set_deleted_count(*deleted);
  return Finish(context, deleted.status());
}

}  // namespace skinlens::history
