// The one path a photo takes through SkinLens, shared by the gRPC and the HTTP
// front: authenticate -> preprocess -> inference -> explain -> history.
//
// Each stage has its own deadline (StageDeadlines, cut to the caller's).
// Behaviour when a stage fails (also in diagnosis.proto and docs/API.md):
//   authenticate  fails the call (UNAUTHENTICATED, UNAVAILABLE, ...);
//   preprocess    fails the call; a refused photo keeps its QualityReport
//                 (FAILED_PRECONDITION -> HTTP 422, unreadable photo
//                 INVALID_ARGUMENT -> 400/413/415);
//   inference     fails the call (a model swapped meanwhile -> UNAVAILABLE,
//                 retry);
//   explain       does NOT fail the call: the grades are returned with
//                 explanation_status FAILED, explanation_error saying why, and
//                 no heatmaps;
//   history       does NOT fail the call: the result is returned with
//                 saved = false and an empty id.
//
//   ModelInfoCache models(downstreams.inference.get(), absl::Seconds(2));
//   DiagnosePipeline pipeline(&downstreams, &models, options);
//   absl::StatusOr<v1::DiagnoseResponse> r = pipeline.Run(call, request);
#pragma once

#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/gateway/downstream.h"
#include "skinlens/v1/diagnosis.pb.h"

namespace skinlens::gateway {

// The serving model's metadata, read from InferenceService.GetModelInfo and
// kept for `ttl`, so each photo does not cost an extra call. Thread-safe.
class ModelInfoCache {
 public:
  // `inference` must outlive the cache.
  ModelInfoCache(v1::InferenceService::StubInterface* inference, absl::Duration deadline,
                 absl::Duration ttl = absl::Seconds(30))
      : inference_(inference), deadline_(deadline), ttl_(ttl) {}

  // The cached info, or a fresh one when it is older than the ttl.
  // UNAVAILABLE (no model loaded yet) or the transport error otherwise.
  absl::StatusOr<v1::ModelInfo> Get(const CallInfo& call);

  // Forgets the cached info (the model was swapped).
  void Invalidate();

 private:
  v1::InferenceService::StubInterface* const inference_;
  const absl::Duration deadline_;
  const absl::Duration ttl_;
  absl::Mutex mu_;
  v1::ModelInfo info_ ABSL_GUARDED_BY(mu_);
  absl::Time fetched_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

// Settings of the pipeline.
struct DiagnoseOptions {
  StageDeadlines deadlines;
  // Largest photo accepted, in bytes; larger ones fail before preprocessing
  // with INVALID_ARGUMENT and QualityReport IMAGE_TOO_LARGE (HTTP 413).
  int64_t max_photo_bytes = 15 * 1000 * 1000;
  // Longer side of the photo preview whole-photo heatmaps are drawn on.
  int preview_max_side = 512;
};

// Runs Diagnose calls. Thread-safe; many calls run at once. Does not own the
// downstreams or the cache, which must outlive it.
class DiagnosePipeline {
 public:
  DiagnosePipeline(const Downstreams* downstreams, ModelInfoCache* models, DiagnoseOptions options)
      : downstreams_(*downstreams), models_(*models), options_(options) {}

  // One photo, end to end (see the file comment). The thread's current
  // request id becomes Diagnosis.request_id and history's idempotency key.
  absl::StatusOr<v1::DiagnoseResponse> Run(const CallInfo& call,
                                           const v1::DiagnoseRequest& request) const;

 private:
  // The stages of Run, in order; each failing one fails the call, but Explain
  // and Record, which only note their failure in the result.
  absl::StatusOr<v1::PreprocessServicePreprocessResponse> Preprocess(
      const CallInfo& call, const v1::DiagnoseRequest& request, const v1::ModelInfo& model) const;
  // Lends `pre`'s crops to inference and takes them back.
  absl::StatusOr<v1::InferenceServicePredictResponse> Predict(
      const CallInfo& call, const v1::DiagnoseRequest& request,
      v1::PreprocessServicePreprocessResponse& pre) const;
  // Grad-CAM heatmaps into `diagnosis`; sets its explanation status. Moves
  // the crops' pixels and the feature maps out of `pre` and `predicted`.
  void Explain(const CallInfo& call, const v1::DiagnoseRequest& request,
               v1::PreprocessServicePreprocessResponse& pre,
               v1::InferenceServicePredictResponse& predicted, v1::Diagnosis& diagnosis) const;
  // Saves `diagnosis` (without its overlays) for `user`; true when saved,
  // and then its id and time are history's.
  bool Record(const CallInfo& call, const AuthenticatedUser& user, const std::string& request_id,
              v1::Diagnosis& diagnosis) const;

  const Downstreams& downstreams_;
  ModelInfoCache& models_;
  const DiagnoseOptions options_;
};

}  // namespace skinlens::gateway
