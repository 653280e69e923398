#include "preprocessor.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"

namespace skinlens::preprocess {
namespace {

// Pixels of margin around the cut boxes: bilinear interpolation reads one
// neighbour, rounding to whole pixels costs another.
constexpr int kWindowMargin = 2;

// `face` with every coordinate multiplied by `factor`.
Face Scaled(const Face& face, double factor) {
  Face out = face;
  out.box = cv::Rect2d(face.box.x * factor, face.box.y * factor, face.box.width * factor,
                       face.box.height * factor);
  if (face.left_eye) out.left_eye = *face.left_eye * factor;
  if (face.right_eye) out.right_eye = *face.right_eye * factor;
  return out;
}

// `face` moved by `offset`.
Face Shifted(const Face& face, cv::Point2d offset) {
  Face out = face;
  out.box.x += offset.x;
  out.box.y += offset.y;
  if (face.left_eye) out.left_eye = *face.left_eye + offset;
  if (face.right_eye) out.right_eye = *face.right_eye + offset;
  return out;
}

// The upright rectangle holding the face box and every box of `regions`.
cv::Rect Surroundings(const Face& face, const std::vector<Region>& regions) {
  std::vector<cv::Point2d> corners = RegionCropper::FaceBox(face).Corners();
  for (Region region : regions) {
    for (const cv::Point2d& p : RegionCropper::RegionBox(face, region).Corners()) {
      corners.push_back(p);
    }
  }
  double x0 = corners.front().x, y0 = corners.front().y, x1 = x0, y1 = y0;
  for (const cv::Point2d& p : corners) {
    x0 = std::min(x0, p.x);
    y0 = std::min(y0, p.y);
    x1 = std::max(x1, p.x);
    y1 = std::max(y1, p.y);
  }
  const cv::Point tl(static_cast<int>(std::floor(x0)) - kWindowMargin,
                     static_cast<int>(std::floor(y0)) - kWindowMargin);
  const cv::Point br(static_cast<int>(std::ceil(x1)) + kWindowMargin,
                     static_cast<int>(std::ceil(y1)) + kWindowMargin);
  return cv::Rect(tl, br);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Preprocessor>> Preprocessor::Create(
    const PreprocessorOptions& options) {
  SKINLENS_ASSIGN_OR_RETURN(std::unique_ptr<FaceDetector> detector,
                            FaceDetector::Create(options.detector));
  return std::unique_ptr<Preprocessor>(new Preprocessor(options, std::move(detector)));
}

absl::StatusOr<PreprocessResult> Preprocessor::Run(absl::string_view photo,
                                                   const std::vector<Region>& regions,
                                                   cv::Size crop_size, QualityReport* refusal,
                                                   int min_image_side) const {
  *refusal = QualityReport{};
  if (crop_size.width <= 0 || crop_size.height <= 0) {
    return absl::InvalidArgumentError("crop size must be positive");
  }
  QualityIssue failure;
  absl::StatusOr<DecodedImage> image =
      decoder_.DecodeOverview(photo, &failure, std::max(overview_min_side_, min_image_side));
  if (!image.ok()) {
    refusal->accepted = false;
    refusal->issues = {failure};
    return image.status();
  }
  std::vector<Face> faces = detector_->Detect(image->bgr);
  for (Face& face : faces) face = Scaled(face, image->reduction);

  // The gate and the crops read full-size pixels: all of them for a photo
  // decoded whole, else only the face's surroundings.
  const cv::Rect whole(cv::Point(0, 0), image->size);
  const cv::Rect window =
      faces.empty() || image->reduction == 1 ? whole : Surroundings(faces.front(), regions) & whole;
  absl::StatusOr<cv::Mat> pixels = faces.empty() && image->reduction > 1
                                       ? image->bgr  // Nothing to measure; the gate refuses.
                                       : decoder_.DecodeWindow(photo, *image, window);
  if (!pixels.ok()) {
    refusal->accepted = false;
    refusal->issues = {QualityIssue{QualityReason::kUndecodable, Severity::kBlocking, std::nullopt,
                                    std::nullopt,
                                    "The photo file is damaged or incomplete — send it again."}};
    return pixels.status();
  }
  const cv::Point2d origin = window.tl();
  std::vector<Face> local = faces;
  for (Face& face : local) face = Shifted(face, -origin);
  QualityReport report = gate_.Evaluate(*pixels, local, image->size);
  if (!report.accepted) {
    const std::string first = report.issues.front().message;
    *refusal = std::move(report);
    return absl::FailedPreconditionError(
        absl::StrCat("photo refused by the quality gate: ", first));
  }
  PreprocessResult result;
  result.face = faces.front();
  result.face_box = RegionCropper::FaceBox(result.face);
  SKINLENS_ASSIGN_OR_RETURN(result.crops, cropper_.Cut(*pixels, local.front(), regions, crop_size));
  for (Crop& crop : result.crops) {
    crop.box.center_x += origin.x;
    crop.box.center_y += origin.y;
  }
  // The light is estimated on the whole frame, the correction applied to the
  // crops only (they are all the model sees).
  const Illuminant light = EstimateIlluminant(image->bgr);
  report.measurements.illuminant_red = light.red;
  report.measurements.illuminant_blue = light.blue;
  report.measurements.color_temperature_k = CorrelatedColorTemperature(light);
  report.measurements.white_balanced = white_balance_;
  if (white_balance_) {
    for (Crop& crop : result.crops) crop.bgr = CorrectWhiteBalance(crop.bgr, light);
  }
  result.image = *std::move(image);
  result.report = std::move(report);
  return result;
}

absl::StatusOr<FrameAssessment> Preprocessor::AssessFrame(absl::string_view frame, int photo_width,
                                                          QualityReport* refusal) const {
  *refusal = QualityReport{};
  if (photo_width < 0) return absl::InvalidArgumentError("photo_width must not be negative");
  QualityIssue failure;
  absl::StatusOr<DecodedImage> image = frame_decoder_.Decode(frame, &failure);
  if (!image.ok()) {
    refusal->accepted = false;
    refusal->issues = {failure};
    return image.status();
  }
  FrameAssessment out;
  out.frame_size = image->bgr.size();
  const std::vector<Face> faces = detector_->Detect(image->bgr);
  if (!faces.empty()) out.face = faces.front();
  const double photo_scale =
      photo_width == 0 ? 1.0 : static_cast<double>(photo_width) / image->bgr.cols;
  out.report = gate_.EvaluateFrame(image->bgr, faces, photo_scale);
  return out;
}

}  // namespace skinlens::preprocess
