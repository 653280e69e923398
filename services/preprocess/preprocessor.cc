#include "preprocessor.h"

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"

namespace skinlens::preprocess {

absl::StatusOr<std::unique_ptr<Preprocessor>> Preprocessor::Create(
    const PreprocessorOptions& options) {
  SKINLENS_ASSIGN_OR_RETURN(std::unique_ptr<FaceDetector> detector,
                            FaceDetector::Create(options.detector));
  return std::unique_ptr<Preprocessor>(new Preprocessor(options, std::move(detector)));
}

absl::StatusOr<PreprocessResult> Preprocessor::Run(absl::string_view photo,
                                                   const std::vector<Region>& regions,
                                                   cv::Size crop_size,
                                                   QualityReport* refusal) const {
  *refusal = QualityReport{};
  if (crop_size.width <= 0 || crop_size.height <= 0) {
    return absl::InvalidArgumentError("crop size must be positive");
  }
  QualityIssue failure;
  absl::StatusOr<DecodedImage> image = decoder_.Decode(photo, &failure);
  if (!image.ok()) {
    refusal->accepted = false;
    refusal->issues = {failure};
    return image.status();
  }
  const std::vector<Face> faces = detector_->Detect(image->bgr);
  QualityReport report = gate_.Evaluate(image->bgr, faces);
  if (!report.accepted) {
    const std::string first = report.issues.front().message;
    *refusal = std::move(report);
    return absl::FailedPreconditionError(
        absl::StrCat("photo refused by the quality gate: ", first));
  }
  PreprocessResult result;
  result.face = faces.front();
  result.face_box = RegionCropper::FaceBox(result.face);
  SKINLENS_ASSIGN_OR_RETURN(result.crops,
                            cropper_.Cut(image->bgr, result.face, regions, crop_size));
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

}  // namespace skinlens::preprocess
