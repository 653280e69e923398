// The whole preprocessing of one photo, without gRPC: decode within limits,
// detect the face, run the quality gate, cut the region crops and correct
// them to neutral light (white_balance.h).
//
//   auto pre = Preprocessor::Create(PreprocessorOptions{});
//   QualityReport refusal;
//   absl::StatusOr<PreprocessResult> result =
//       (*pre)->Run(bytes, {Region::kForehead}, cv::Size(224, 224), &refusal);
//   // INVALID_ARGUMENT (not decodable) or FAILED_PRECONDITION (refused by the
//   // gate): `refusal` holds the report either way.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "face_detector.h"
#include "image_decoder.h"
#include "quality_gate.h"
#include "quality_report.h"
#include "region_cropper.h"
#include "white_balance.h"

namespace skinlens::preprocess {

// Configuration of every stage.
struct PreprocessorOptions {
  DecodeLimits limits;
  FaceDetectorOptions detector;
  QualityThresholds thresholds;
  // Correct the crops to neutral light (white_balance.h). The estimate is
  // reported either way.
  bool white_balance = true;
  // A large JPEG is searched for the face on a copy decoded at reduced size
  // whose longer side is at least this (the detector scales to
  // detector.max_detection_side anyway); only the face's surroundings are
  // decoded at full size for the gate and the crops.
  int overview_min_side = 724;
  // Limits of a camera preview frame (AssessFrame): small, so several a
  // second stay cheap. 640 x 640 pixels admits 640 px on the longer side.
  DecodeLimits frame_limits{1000 * 1000, 640 * 640};
};

// A preview frame judged as the photo the camera would take now.
struct FrameAssessment {
  cv::Size frame_size;
  std::optional<Face> face;  // The judged (largest) face, in frame pixels.
  QualityReport report;      // accepted: a photo taken now would pass.
};

// A photo that passed the gate.
struct PreprocessResult {
  // The whole photo, possibly at reduced size (image.reduction); its full
  // size is image.size. Coordinates below are full-size.
  DecodedImage image;
  Face face;             // The analysed (largest) face.
  Box face_box;          // Its box, rotated by its roll.
  QualityReport report;  // Accepted; warnings only.
  std::vector<Crop> crops;
};

// Runs the stages. Thread-safe.
class Preprocessor {
 public:
  // NOT_FOUND when the cascades cannot be loaded.
  static absl::StatusOr<std::unique_ptr<Preprocessor>> Create(const PreprocessorOptions& options);

  // Preprocesses `photo`. INVALID_ARGUMENT when it cannot be decoded or
  // `crop_size` is not positive; FAILED_PRECONDITION when the gate refuses it.
  // On either refusal `refusal` (not null) receives the report. A reduced
  // result.image keeps at least `min_image_side` pixels on its longer side
  // (for a preview of that size) where the photo has them.
  absl::StatusOr<PreprocessResult> Run(absl::string_view photo, const std::vector<Region>& regions,
                                       cv::Size crop_size, QualityReport* refusal,
                                       int min_image_side = 0) const;

  // Judges a camera preview `frame` (within options.frame_limits) with the
  // same face search and gate as Run, plus FACE_OFF_CENTER, scaling the face
  // to a photo `photo_width` pixels wide (0: the frame's width). No crops.
  // INVALID_ARGUMENT when the frame cannot be decoded or breaks a limit;
  // `refusal` (not null) then receives the report.
  absl::StatusOr<FrameAssessment> AssessFrame(absl::string_view frame, int photo_width,
                                              QualityReport* refusal) const;

 private:
  Preprocessor(const PreprocessorOptions& options, std::unique_ptr<FaceDetector> detector)
      : decoder_(options.limits),
        frame_decoder_(options.frame_limits),
        detector_(std::move(detector)),
        gate_(options.thresholds),
        white_balance_(options.white_balance),
        overview_min_side_(options.overview_min_side) {}

  ImageDecoder decoder_;
  ImageDecoder frame_decoder_;
  std::unique_ptr<FaceDetector> detector_;
  QualityGate gate_;
  RegionCropper cropper_;
  const bool white_balance_;
  const int overview_min_side_;
};

}  // namespace skinlens::preprocess
