// The gRPC face of the history service: skinlens.v1.HistoryService
// (history.proto) on the callback API, translating between protos and a
// storage::HistoryStore, validating requests (BadRequest details) and mapping
// absl::Status to grpc::Status. Trend bucketing (trend_buckets.h) and the
// CSV export (history_export.h) are plain functions the adapter calls.
//
// Every call acts for the user asserted in its metadata by the gateway
// (common/grpc/call_assertion.h); a call without a valid assertion fails with
// UNAUTHENTICATED before anything is read.
//
//   SKINLENS_ASSIGN_OR_RETURN(auto store, storage::OpenHistoryStore("sqlite:history.db"));
//   SKINLENS_ASSIGN_OR_RETURN(auto key, CallAssertionKey::FromFile("/etc/skinlens/assertion.key"));
//   history::HistoryService service(store.get(), key);
//   return RunServer(ServerOptionsFromFlags("history"),
//                    {{v1::HistoryService::service_full_name(), &service}});
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/grpc/call_assertion.h"
#include "common/storage/history_store.h"
#include "skinlens/v1/history.grpc.pb.h"

namespace skinlens::history {

// Settings of the service.
struct HistoryServiceOptions {
  // Most points per trend series; older points beyond it are dropped and the
  // response says `truncated`.
  int max_trend_points = 1000;
  // 0: heatmaps are not stored. Otherwise they are kept as thumbnails whose
  // longer side is at most this many pixels (heatmap_thumbnails.h).
  int heatmap_thumbnail_px = 0;
};

// Answers each call on the gRPC callback thread, synchronously against the
// store. Thread-safe; does not own the store, which must outlive it.
class HistoryService final : public v1::HistoryService::CallbackService {
 public:
  HistoryService(storage::HistoryStore* store, CallAssertionKey user_assertion_key,
                 HistoryServiceOptions options = {})
      : store_(store), user_assertion_key_(std::move(user_assertion_key)), options_(options) {}

  grpc::ServerUnaryReactor* RecordDiagnosis(
      grpc::CallbackServerContext* context, const v1::HistoryServiceRecordDiagnosisRequest* request,
      v1::HistoryServiceRecordDiagnosisResponse* response) override;
  grpc::ServerUnaryReactor* GetDiagnosis(grpc::CallbackServerContext* context,
                                         const v1::HistoryServiceGetDiagnosisRequest* request,
                                         v1::HistoryServiceGetDiagnosisResponse* response) override;
  grpc::ServerUnaryReactor* ListDiagnoses(
      grpc::CallbackServerContext* context, const v1::HistoryServiceListDiagnosesRequest* request,
      v1::HistoryServiceListDiagnosesResponse* response) override;
  grpc::ServerUnaryReactor* DeleteDiagnosis(
      grpc::CallbackServerContext* context, const v1::HistoryServiceDeleteDiagnosisRequest* request,
      v1::HistoryServiceDeleteDiagnosisResponse* response) override;
  grpc::ServerUnaryReactor* GetTrend(grpc::CallbackServerContext* context,
                                     const v1::HistoryServiceGetTrendRequest* request,
                                     v1::HistoryServiceGetTrendResponse* response) override;
  grpc::ServerUnaryReactor* ExportDiagnoses(
      grpc::CallbackServerContext* context, const v1::HistoryServiceExportDiagnosesRequest* request,
      v1::HistoryServiceExportDiagnosesResponse* response) override;
  grpc::ServerUnaryReactor* DeleteUserData(
      grpc::CallbackServerContext* context, const v1::HistoryServiceDeleteUserDataRequest* request,
      v1::HistoryServiceDeleteUserDataResponse* response) override;

 private:
  // The user the call acts for; UNAUTHENTICATED without a valid assertion
  // for `method` (its name in this service, e.g. "GetTrend").
  absl::StatusOr<std::string> CallingUser(const grpc::CallbackServerContext& context,
                                          absl::string_view method) const;

  storage::HistoryStore* const store_;
  const CallAssertionKey user_assertion_key_;
  const HistoryServiceOptions options_;
};

// Removes what the BASIC view leaves out (regions, heatmaps, photo heatmaps).
void ApplyBasicView(v1::Diagnosis* diagnosis);

}  // namespace skinlens::history
