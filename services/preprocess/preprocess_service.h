// The gRPC adapter of skinlens.v1.PreprocessService: checks the request,
// converts proto <-> domain types, runs the Preprocessor and maps its errors
// to status codes with the documented error details (a QualityReport or a
// BadRequest packed in the grpc-status-details-bin trailer as an RpcStatus).
//
//   PreprocessService service(std::move(preprocessor), PreprocessServiceOptions{});
//   RunServer(options, {{v1::PreprocessService::service_full_name(), &service}});
#pragma once

#include <atomic>
#include <memory>

#include "preprocessor.h"
#include "skinlens/v1/preprocess.grpc.pb.h"

namespace skinlens::preprocess {

// Request limits and defaults of the service.
struct PreprocessServiceOptions {
  int default_crop_width = 224;
  int default_crop_height = 224;
  int max_crop_side = 1024;      // For crop width, height and preview side.
  int max_concurrent_calls = 8;  // More at once get RESOURCE_EXHAUSTED.
  // Preview frames judged at once (AssessFrame), counted apart from photos
  // so that cameras framing a shot never hold up a diagnosis.
  int max_concurrent_frames = 8;
};

// Implements PreprocessService with the callback API; each call runs on the
// gRPC callback thread. Thread-safe.
class PreprocessService final : public v1::PreprocessService::CallbackService {
 public:
  PreprocessService(std::unique_ptr<Preprocessor> preprocessor, PreprocessServiceOptions options)
      : preprocessor_(std::move(preprocessor)), options_(options) {}

  grpc::ServerUnaryReactor* Preprocess(grpc::CallbackServerContext* context,
                                       const v1::PreprocessServicePreprocessRequest* request,
                                       v1::PreprocessServicePreprocessResponse* response) override;
  grpc::ServerUnaryReactor* AssessFrame(
      grpc::CallbackServerContext* context, const v1::PreprocessServiceAssessFrameRequest* request,
      v1::PreprocessServiceAssessFrameResponse* response) override;

 private:
  grpc::Status Handle(const v1::PreprocessServicePreprocessRequest& request,
                      v1::PreprocessServicePreprocessResponse* response) const;
  grpc::Status HandleFrame(const v1::PreprocessServiceAssessFrameRequest& request,
                           v1::PreprocessServiceAssessFrameResponse* response) const;

  std::unique_ptr<Preprocessor> preprocessor_;
  PreprocessServiceOptions options_;
  std::atomic<int> in_flight_{0};
  std::atomic<int> frames_in_flight_{0};
};

// The proto form of a domain quality report.
v1::QualityReport ToProto(const QualityReport& report);

}  // namespace skinlens::preprocess
