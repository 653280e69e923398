#include "preprocess_service.h"

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/grpc/call_context.h"
#include "common/grpc/rich_status.h"
#include "opencv2/imgproc.hpp"
#include "spdlog/spdlog.h"

namespace skinlens::preprocess {
namespace {

using v1::PreprocessServicePreprocessRequest;
using v1::PreprocessServicePreprocessResponse;

grpc::Status BadField(const std::string& field, const std::string& description,
                      const std::string& reason) {
  v1::BadRequest bad;
  auto* violation = bad.add_field_violations();
  violation->set_field(field);
  violation->set_description(description);
  violation->set_reason(reason);
  return StatusWithDetails(absl::InvalidArgumentError(absl::StrCat(field, ": ", description)),
                           {&bad});
}

v1::RegionBox ToProto(const Box& box) {
  v1::RegionBox out;
  out.set_center_x(static_cast<float>(box.center_x));
  out.set_center_y(static_cast<float>(box.center_y));
  out.set_width(static_cast<float>(box.width));
  out.set_height(static_cast<float>(box.height));
  out.set_rotation_degrees(static_cast<float>(box.rotation_degrees));
  return out;
}

// Converts BGR pixels to `format` and returns them without row padding.
std::string Pixels(const cv::Mat& bgr, v1::PixelFormat format) {
  cv::Mat out;
  switch (format) {
    case v1::PIXEL_FORMAT_RGB8:
      cv::cvtColor(bgr, out, cv::COLOR_BGR2RGB);
      break;
    case v1::PIXEL_FORMAT_GRAY8:
      cv::cvtColor(bgr, out, cv::COLOR_BGR2GRAY);
      break;
    default:
      out = bgr.isContinuous() ? bgr : bgr.clone();
  }
  return std::string(reinterpret_cast<const char*>(out.data), out.total() * out.elemSize());
}

v1::FaceDetection FaceToProto(const Face& face) {
  v1::FaceDetection out;
  *out.mutable_box() = ToProto(RegionCropper::FaceBox(face));
  if (face.left_eye) {
    out.mutable_left_eye()->set_x(static_cast<float>(face.left_eye->x));
    out.mutable_left_eye()->set_y(static_cast<float>(face.left_eye->y));
  }
  if (face.right_eye) {
    out.mutable_right_eye()->set_x(static_cast<float>(face.right_eye->x));
    out.mutable_right_eye()->set_y(static_cast<float>(face.right_eye->y));
  }
  out.set_confidence(1.0f);
  out.set_detector("haar");
  return out;
}

// Admits one more call under `limit`, or answers RESOURCE_EXHAUSTED (with a
// RetryInfo) on `reactor` and returns false.
bool Admit(std::atomic<int>& in_flight, int limit, grpc::ServerUnaryReactor* reactor) {
  if (in_flight.fetch_add(1) < limit) return true;
  in_flight.fetch_sub(1);
  v1::RetryInfo retry;
  retry.mutable_retry_delay()->set_nanos(200 * 1000 * 1000);
  reactor->Finish(StatusWithDetails(
      absl::ResourceExhaustedError("preprocess is at its concurrency limit"), {&retry}));
  return false;
}

}  // namespace

v1::QualityReport ToProto(const QualityReport& report) {
  v1::QualityReport out;
  out.set_accepted(report.accepted);
  for (const QualityIssue& issue : report.issues) {
    v1::QualityIssue* o = out.add_issues();
    o->set_reason(static_cast<v1::QualityReason>(issue.reason));
    o->set_severity(issue.severity == Severity::kBlocking ? v1::QUALITY_SEVERITY_BLOCKING
                                                          : v1::QUALITY_SEVERITY_WARNING);
    if (issue.measured_value) o->set_measured_value(*issue.measured_value);
    if (issue.threshold) o->set_threshold(*issue.threshold);
    o->set_message(issue.message);
  }
  const QualityMeasurements& m = report.measurements;
  v1::QualityMeasurements* o = out.mutable_measurements();
  if (m.face_count) o->set_face_count(*m.face_count);
  if (m.face_width_px) o->set_face_width_px(*m.face_width_px);
  if (m.sharpness) o->set_sharpness(*m.sharpness);
  if (m.mean_luminance) o->set_mean_luminance(*m.mean_luminance);
  if (m.lighting_ratio) o->set_lighting_ratio(*m.lighting_ratio);
  if (m.yaw_degrees) o->set_yaw_degrees(*m.yaw_degrees);
  if (m.roll_degrees) o->set_roll_degrees(*m.roll_degrees);
  if (m.illuminant_red && m.illuminant_blue) {
    v1::IlluminantEstimate* light = o->mutable_illuminant();
    light->set_red(*m.illuminant_red);
    light->set_green(1.0);
    light->set_blue(*m.illuminant_blue);
    light->set_correlated_color_temperature_k(m.color_temperature_k.value_or(0));
    light->set_corrected(m.white_balanced);
  }
  return out;
}

grpc::ServerUnaryReactor* PreprocessService::Preprocess(
    grpc::CallbackServerContext* context, const PreprocessServicePreprocessRequest* request,
    PreprocessServicePreprocessResponse* response) {
  ServerCallScope scope(context);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (!Admit(in_flight_, options_.max_concurrent_calls, reactor)) return reactor;
  grpc::Status status = Handle(*request, response);
  in_flight_.fetch_sub(1);
  if (!status.ok()) spdlog::info("preprocess refused: {}", status.error_message());
  reactor->Finish(status);
  return reactor;
}

grpc::ServerUnaryReactor* PreprocessService::AssessFrame(
    grpc::CallbackServerContext* context, const v1::PreprocessServiceAssessFrameRequest* request,
    v1::PreprocessServiceAssessFrameResponse* response) {
  ServerCallScope scope(context);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (!Admit(frames_in_flight_, options_.max_concurrent_frames, reactor)) return reactor;
  grpc::Status status = HandleFrame(*request, response);
  frames_in_flight_.fetch_sub(1);
  reactor->Finish(status);
  return reactor;
}

grpc::Status PreprocessService::HandleFrame(
    const v1::PreprocessServiceAssessFrameRequest& request,
    v1::PreprocessServiceAssessFrameResponse* response) const {
  if (request.photo_width() < 0) {
    return BadField("photo_width", "must not be negative", "PHOTO_WIDTH_OUT_OF_RANGE");
  }
  QualityReport refusal;
  absl::StatusOr<FrameAssessment> assessment =
      preprocessor_->AssessFrame(request.frame(), request.photo_width(), &refusal);
  if (!assessment.ok()) {
    const v1::QualityReport report = ToProto(refusal);
    return StatusWithDetails(assessment.status(), {&report});
  }
  response->set_frame_width(assessment->frame_size.width);
  response->set_frame_height(assessment->frame_size.height);
  if (assessment->face) *response->mutable_face() = FaceToProto(*assessment->face);
  *response->mutable_quality() = ToProto(assessment->report);
  return grpc::Status::OK;
}

grpc::Status PreprocessService::Handle(const PreprocessServicePreprocessRequest& request,
                                       PreprocessServicePreprocessResponse* response) const {
  // The request: crop size, regions, preview.
  const int width = request.crop_width() == 0 ? options_.default_crop_width : request.crop_width();
  const int height =
      request.crop_height() == 0 ? options_.default_crop_height : request.crop_height();
  for (auto [field, value] : {std::pair<const char*, int>{"crop_width", width},
                              std::pair<const char*, int>{"crop_height", height}}) {
    if (value < 1 || value > options_.max_crop_side) {
      return BadField(field, absl::StrCat("must be between 1 and ", options_.max_crop_side),
                      "CROP_SIZE_OUT_OF_RANGE");
    }
  }
  if (request.preview_max_side() < 0 || request.preview_max_side() > options_.max_crop_side) {
    return BadField("preview_max_side",
                    absl::StrCat("must be between 0 and ", options_.max_crop_side),
                    "PREVIEW_SIZE_OUT_OF_RANGE");
  }
  if (!v1::PixelFormat_IsValid(request.crop_pixel_format())) {
    return BadField("crop_pixel_format", "unknown pixel format", "UNKNOWN_PIXEL_FORMAT");
  }
  std::vector<Region> regions;
  std::set<int> seen;
  for (int i = 0; i < request.regions_size(); ++i) {
    const int r = request.regions(i);
    const std::string field = absl::StrCat("regions[", i, "]");
    if (r < static_cast<int>(Region::kFullFace) || r > static_cast<int>(Region::kRightEyeArea)) {
      return BadField(field, "unknown or unspecified region", "UNKNOWN_REGION");
    }
    if (!seen.insert(r).second) {
      return BadField(field, "region requested twice", "DUPLICATE_REGION");
    }
    regions.push_back(static_cast<Region>(r));
  }
  if (regions.empty()) regions = AllRegions();

  QualityReport refusal;
  absl::StatusOr<PreprocessResult> result = preprocessor_->Run(
      request.photo(), regions, cv::Size(width, height), &refusal, request.preview_max_side());
  if (!result.ok()) {
    if (!refusal.issues.empty()) {
      const v1::QualityReport report = ToProto(refusal);
      return StatusWithDetails(result.status(), {&report});
    }
    return ToGrpcStatus(result.status());
  }

  // The photo's full size; `photo` may hold it at reduced size (enough for
  // the preview, which Run was told about).
  const cv::Size full = result->image.size;
  const cv::Mat& photo = result->image.bgr;
  response->set_photo_width(full.width);
  response->set_photo_height(full.height);
  response->set_photo_encoding(static_cast<v1::ImageEncoding>(result->image.format));
  response->set_exif_orientation(result->image.exif_orientation);
  *response->mutable_face() = FaceToProto(result->face);
  *response->mutable_quality() = ToProto(result->report);
  const v1::PixelFormat format = request.crop_pixel_format() == v1::PIXEL_FORMAT_UNSPECIFIED
                                     ? v1::PIXEL_FORMAT_BGR8
                                     : request.crop_pixel_format();
  for (const Crop& crop : result->crops) {
    v1::RegionCrop* out = response->add_crops();
    out->set_region(static_cast<v1::FaceRegion>(crop.region));
    *out->mutable_box() = ToProto(crop.box);
    out->set_width(crop.bgr.cols);
    out->set_height(crop.bgr.rows);
    out->set_pixel_format(format);
    out->set_pixels(Pixels(crop.bgr, format));
  }
  if (request.preview_max_side() > 0) {
    const double scale = std::min(
        1.0, static_cast<double>(request.preview_max_side()) / std::max(full.width, full.height));
    const cv::Size size(std::max(1, static_cast<int>(std::lround(full.width * scale))),
                        std::max(1, static_cast<int>(std::lround(full.height * scale))));
    cv::Mat preview;
    if (size != photo.size()) {
      cv::resize(photo, preview, size, 0, 0, cv::INTER_AREA);
    } else {
      preview = photo;
    }
    v1::PhotoPreview* p = response->mutable_preview();
    p->set_width(preview.cols);
    p->set_height(preview.rows);
    p->set_pixel_format(v1::PIXEL_FORMAT_BGR8);
    p->set_pixels(Pixels(preview, v1::PIXEL_FORMAT_BGR8));
    p->set_scale(static_cast<float>(scale));
  }
  return grpc::Status::OK;
}

}  // namespace skinlens::preprocess
