#include "services/gateway/diagnose_pipeline.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/grpc/rich_status.h"
#include "common/logging/request_id.h"
#include "common/status/status_macros.h"
#include "spdlog/spdlog.h"

namespace skinlens::gateway {
namespace {

absl::Status PhotoTooLarge(int64_t size, int64_t max) {
  v1::QualityReport report;
  v1::QualityIssue* issue = report.add_issues();
  issue->set_reason(v1::QUALITY_REASON_IMAGE_TOO_LARGE);
  issue->set_severity(v1::QUALITY_SEVERITY_BLOCKING);
  issue->set_measured_value(static_cast<double>(size));
  issue->set_threshold(static_cast<double>(max));
  issue->set_message(absl::StrCat("The photo has ", size, " bytes; at most ", max,
                                  " are accepted. Send a smaller photo."));
  return WithDetails(
      absl::InvalidArgumentError(absl::StrCat("photo too large: ", size, " bytes, at most ", max)),
      {&report});
}

// Inference errors the public caller cannot act on as such.
absl::Status InferenceError(const grpc::Status& status, ModelInfoCache& models) {
  switch (status.error_code()) {
    case grpc::StatusCode::FAILED_PRECONDITION:
      // The crops no longer fit the model: it was swapped between the model
      // info read and the prediction. A retry re-reads the input size.
      models.Invalidate();
      return absl::UnavailableError(absl::StrCat(
          "inference: the model changed during the call, retry (", status.error_message(), ")"));
    case grpc::StatusCode::INVALID_ARGUMENT:
      return absl::InternalError(
          absl::StrCat("inference refused the crops: ", status.error_message()));
    default:
      return FromGrpcStatus(status, "inference");
  }
}

// Fills heatmap fields explain may leave to the caller from the crop.
void CompleteHeatmap(const v1::RegionCrop& crop, v1::Heatmap* heatmap) {
  if (heatmap->region() == v1::FACE_REGION_UNSPECIFIED) heatmap->set_region(crop.region());
  if (!heatmap->has_box()) *heatmap->mutable_box() = crop.box();
}

// The grades and regions of a prediction, with the photo's facts from
// preprocessing, as the start of the Diagnosis returned.
void FillDiagnosis(const v1::PreprocessServicePreprocessResponse& pre,
                   const v1::InferenceServicePredictResponse& predicted,
                   const std::string& request_id, v1::Diagnosis& diagnosis) {
  SetTimestamp(absl::Now(), diagnosis.mutable_create_time());
  diagnosis.set_request_id(request_id);
  diagnosis.set_model_version(predicted.model_info().version());
  diagnosis.set_demo_model(predicted.model_info().demo_model());
  *diagnosis.mutable_results() = predicted.photo_results();
  for (int i = 0; i < predicted.predictions_size() && i < pre.crops_size(); ++i) {
    v1::RegionResult* region = diagnosis.add_regions();
    region->set_region(pre.crops(i).region());
    *region->mutable_box() = pre.crops(i).box();
    *region->mutable_attributes() = predicted.predictions(i).attributes();
  }
  *diagnosis.mutable_quality() = pre.quality();
  *diagnosis.mutable_face() = pre.face();
  diagnosis.set_photo_width(pre.photo_width());
  diagnosis.set_photo_height(pre.photo_height());
}

// A stage's call status, or DEADLINE_EXCEEDED when no time was left to make it.
template <typename Call>
grpc::Status CallWithContext(const absl::StatusOr<std::unique_ptr<grpc::ClientContext>>& context,
                             Call call) {
  if (!context.ok()) {
    return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                        std::string(context.status().message()));
  }
  return call(context->get());
}

}  // namespace

absl::StatusOr<v1::ModelInfo> ModelInfoCache::Get(const CallInfo& call) {
  {
    absl::MutexLock lock(&mu_);
    if (absl::Now() - fetched_ < ttl_) return info_;
  }
  SKINLENS_ASSIGN_OR_RETURN(auto context, NewStageContext(call, deadline_));
  v1::InferenceServiceGetModelInfoResponse response;
  const grpc::Status status =
      inference_->GetModelInfo(context.get(), v1::InferenceServiceGetModelInfoRequest(), &response);
  if (!status.ok()) return FromGrpcStatus(status, "inference");
  absl::MutexLock lock(&mu_);
  info_ = response.model_info();
  fetched_ = absl::Now();
  return info_;
}

void ModelInfoCache::Invalidate() {
  absl::MutexLock lock(&mu_);
  fetched_ = absl::InfinitePast();
}

absl::StatusOr<v1::DiagnoseResponse> DiagnosePipeline::Run(
    const CallInfo& call, const v1::DiagnoseRequest& request) const {
  const absl::Time start = absl::Now();
  const std::string request_id =
      CurrentRequestId().empty() ? NewRequestId() : std::string(CurrentRequestId());
  v1::DiagnoseResponse response;
  v1::DiagnoseTimings& timings = *response.mutable_timings();
  absl::Time stage_start = absl::Now();
  // The time since the last mark into `duration`, and a new mark.
  auto lap = [&stage_start](google::protobuf::Duration* duration) {
    const absl::Time now = absl::Now();
    SetDuration(now - stage_start, duration);
    stage_start = now;
  };

  // 1. Who is asking.
  SKINLENS_ASSIGN_OR_RETURN(AuthenticatedUser user,
                            Authenticate(*downstreams_.auth, call, options_.deadlines.auth));
  lap(timings.mutable_authenticate());
  if (static_cast<int64_t>(request.photo().size()) > options_.max_photo_bytes) {
    return PhotoTooLarge(static_cast<int64_t>(request.photo().size()), options_.max_photo_bytes);
  }
  SKINLENS_ASSIGN_OR_RETURN(v1::ModelInfo model, models_.Get(call));

  // 2. Decode, quality gate, face, crops at the model's input size.
  stage_start = absl::Now();
  SKINLENS_ASSIGN_OR_RETURN(v1::PreprocessServicePreprocessResponse pre,
                            Preprocess(call, request, model));
  lap(timings.mutable_preprocess());

  // 3. Grades (and feature maps for Grad-CAM).
  SKINLENS_ASSIGN_OR_RETURN(v1::InferenceServicePredictResponse predicted,
                            Predict(call, request, pre));
  lap(timings.mutable_inference());
  v1::Diagnosis& diagnosis = *response.mutable_diagnosis();
  FillDiagnosis(pre, predicted, request_id, diagnosis);

  // 4. Grad-CAM heatmaps: optional, and never fatal.
  diagnosis.set_explanation_status(v1::EXPLANATION_STATUS_NOT_REQUESTED);
  if (request.include_heatmaps()) {
    Explain(call, request, pre, predicted, diagnosis);
    lap(timings.mutable_explain());
  }

  // 5. History: a failure leaves the result unsaved but still returned.
  stage_start = absl::Now();
  response.set_saved(Record(call, user, request_id, diagnosis));
  lap(timings.mutable_record());
  SetDuration(absl::Now() - start, timings.mutable_total());
  spdlog::info("diagnosed photo: {} regions, explanation {}, saved {}, model {}, {} ms",
               diagnosis.regions_size(), v1::ExplanationStatus_Name(diagnosis.explanation_status()),
               response.saved(), diagnosis.model_version(),
               absl::ToInt64Milliseconds(absl::Now() - start));
  return response;
}

absl::StatusOr<v1::PreprocessServicePreprocessResponse> DiagnosePipeline::Preprocess(
    const CallInfo& call, const v1::DiagnoseRequest& request, const v1::ModelInfo& model) const {
  v1::PreprocessServicePreprocessRequest pre_request;
  pre_request.set_photo(request.photo());
  pre_request.set_crop_width(model.input_width());
  pre_request.set_crop_height(model.input_height());
  if (request.include_heatmaps()) pre_request.set_preview_max_side(options_.preview_max_side);
  v1::PreprocessServicePreprocessResponse pre;
  SKINLENS_ASSIGN_OR_RETURN(auto context, NewStageContext(call, options_.deadlines.preprocess));
  const grpc::Status status = downstreams_.preprocess->Preprocess(context.get(), pre_request, &pre);
  if (!status.ok()) return FromGrpcStatus(status, "preprocess");
  return pre;
}

absl::StatusOr<v1::InferenceServicePredictResponse> DiagnosePipeline::Predict(
    const CallInfo& call, const v1::DiagnoseRequest& request,
    v1::PreprocessServicePreprocessResponse& pre) const {
  // The crops are lent to the request (swapped, not copied: a photo's crops are up to a few
  // MB) and taken back once the call has sent them.
  v1::InferenceServicePredictRequest predict_request;
  predict_request.mutable_crops()->Swap(pre.mutable_crops());
  predict_request.set_include_feature_maps(request.include_heatmaps());
  v1::InferenceServicePredictResponse predicted;
  absl::StatusOr<std::unique_ptr<grpc::ClientContext>> context =
      NewStageContext(call, options_.deadlines.inference);
  const grpc::Status status =
      context.ok() ? downstreams_.inference->Predict(context->get(), predict_request, &predicted)
                   : grpc::Status::OK;
  pre.mutable_crops()->Swap(predict_request.mutable_crops());
  if (!context.ok()) return context.status();
  if (!status.ok()) return InferenceError(status, models_);
  return predicted;
}

void DiagnosePipeline::Explain(const CallInfo& call, const v1::DiagnoseRequest& request,
                               v1::PreprocessServicePreprocessResponse& pre,
                               v1::InferenceServicePredictResponse& predicted,
                               v1::Diagnosis& diagnosis) const {
  v1::ExplainServiceExplainRequest explain_request;
  for (int i = 0; i < predicted.predictions_size() && i < pre.crops_size(); ++i) {
    v1::ExplainInput* input = explain_request.add_inputs();
    // Explain needs the pixels (for overlays) but the gateway no longer does: moved, and the
    // rest of the crop (its box, for the heatmaps below) copied.
    std::string pixels = std::move(*pre.mutable_crops(i)->mutable_pixels());
    pre.mutable_crops(i)->clear_pixels();
    *input->mutable_crop() = pre.crops(i);
    *input->mutable_crop()->mutable_pixels() = std::move(pixels);
    *input->mutable_feature_map() =
        std::move(*predicted.mutable_predictions(i)->mutable_feature_map());
  }
  explain_request.set_include_crop_overlays(request.include_overlays());
  explain_request.set_include_photo_heatmaps(pre.has_preview());
  explain_request.set_include_photo_overlays(request.include_overlays());
  explain_request.set_overlay_encoding(request.overlay_encoding());
  if (pre.has_preview()) *explain_request.mutable_photo() = std::move(*pre.mutable_preview());
  v1::ExplainServiceExplainResponse explained;
  const grpc::Status status = CallWithContext(
      NewStageContext(call, options_.deadlines.explain), [&](grpc::ClientContext* context) {
        return downstreams_.explain->Explain(context, explain_request, &explained);
      });
  if (!status.ok()) {
    const absl::Status failed = FromGrpcStatus(status, "explain");
    spdlog::warn("explain stage failed, returning grades without heatmaps: {}", failed.ToString());
    diagnosis.set_explanation_status(v1::EXPLANATION_STATUS_FAILED);
    diagnosis.set_explanation_error(std::string(failed.message()));
    return;
  }
  for (int i = 0; i < explained.explanations_size() && i < pre.crops_size(); ++i) {
    for (v1::Heatmap& heatmap : *explained.mutable_explanations(i)->mutable_heatmaps()) {
      CompleteHeatmap(pre.crops(i), &heatmap);
      *diagnosis.add_heatmaps() = std::move(heatmap);
    }
  }
  *diagnosis.mutable_photo_heatmaps() = std::move(*explained.mutable_photo_heatmaps());
  diagnosis.set_explanation_status(v1::EXPLANATION_STATUS_COMPLETE);
}

bool DiagnosePipeline::Record(const CallInfo& call, const AuthenticatedUser& user,
                              const std::string& request_id, v1::Diagnosis& diagnosis) const {
  // History decides what it keeps of the heatmaps (nothing by default, or thumbnails); the
  // overlays are the crops' pixels and are never sent. The diagnosis (megabytes with heatmaps)
  // is lent to the request, without its overlays, and taken back after the call.
  std::vector<std::pair<std::string, v1::ImageEncoding>> overlays;
  const auto lend_overlay = [&overlays](auto& heatmap) {
    overlays.emplace_back(std::move(*heatmap.mutable_overlay()), heatmap.overlay_encoding());
    heatmap.clear_overlay();
    heatmap.clear_overlay_encoding();
  };
  auto take_back_overlay = [&overlays, next = size_t{0}](auto& heatmap) mutable {
    *heatmap.mutable_overlay() = std::move(overlays[next].first);
    heatmap.set_overlay_encoding(overlays[next++].second);
  };
  for (v1::Heatmap& h : *diagnosis.mutable_heatmaps()) lend_overlay(h);
  for (v1::PhotoHeatmap& h : *diagnosis.mutable_photo_heatmaps()) lend_overlay(h);
  v1::HistoryServiceRecordDiagnosisRequest record;
  record.set_idempotency_key(request_id);
  record.mutable_diagnosis()->Swap(&diagnosis);
  v1::HistoryServiceRecordDiagnosisResponse recorded;
  const grpc::Status status =
      CallWithContext(NewUserStageContext(call, options_.deadlines.history, user.user_id),
                      [&](grpc::ClientContext* context) {
                        return downstreams_.history->RecordDiagnosis(context, record, &recorded);
                      });
  diagnosis.Swap(record.mutable_diagnosis());
  for (v1::Heatmap& h : *diagnosis.mutable_heatmaps()) take_back_overlay(h);
  for (v1::PhotoHeatmap& h : *diagnosis.mutable_photo_heatmaps()) take_back_overlay(h);
  if (!status.ok()) {
    spdlog::warn("history stage failed, result not saved: {}",
                 FromGrpcStatus(status, "history").ToString());
    return false;
  }
  diagnosis.set_id(recorded.diagnosis().id());
  *diagnosis.mutable_create_time() = recorded.diagnosis().create_time();
  return true;
}

}  // namespace skinlens::gateway
