// Domain types of the photo quality gate, free of gRPC and protobuf: the
// reasons a photo is refused or warned about, one finding, and the report.
//
// The numeric values of QualityReason equal those of skinlens.v1.QualityReason
// (proto/skinlens/v1/common.proto), so the service adapter converts with a
// cast; preprocess_service_test checks the two enums agree.
//
//   QualityReport report;
//   report.issues.push_back({QualityReason::kFaceTooSmall, Severity::kBlocking,
//                            90, 160, "Face too small: ..."});
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace skinlens::preprocess {

// Why a photo cannot be judged, or can be judged less well.
enum class QualityReason {
  kNoFace = 1,
  kMultipleFaces = 2,
  kFaceTooSmall = 3,
  kBlurred = 4,
  kTooDark = 5,
  kTooBright = 6,
  kUnevenLighting = 7,
  kFaceTurned = 8,
  kFaceTilted = 9,
  kLowImageQuality = 10,
  kImageTooLarge = 11,
  kImageTooManyPixels = 12,
  kImageTooSmall = 13,
  kUnsupportedFormat = 14,
  kUndecodable = 15,
  kEmptyImage = 16,
  kFaceCutOff = 17,
  kEyesNotFound = 18,
  kFaceOffCenter = 19,  // Capture guidance only.
  kFaceMoving = 20,     // Capture guidance only (judged by the gateway).
};

// How much an issue matters.
enum class Severity { kWarning = 1, kBlocking = 2 };

// One finding: reason, severity, the measured value and threshold (when the
// reason has them) and a sentence a person can act on.
struct QualityIssue {
  QualityReason reason;
  Severity severity;
  std::optional<double> measured_value;
  std::optional<double> threshold;
  std::string message;
};

// The raw measurements behind the findings; unset when not measured.
struct QualityMeasurements {
  std::optional<int> face_count;
  std::optional<double> face_width_px;
  std::optional<double> sharpness;
  std::optional<double> mean_luminance;
  std::optional<double> lighting_ratio;
  std::optional<double> yaw_degrees;
  std::optional<double> roll_degrees;
  // The light's colour (white_balance.h), green = 1, and its approximate
  // correlated colour temperature; `white_balanced` when the crops were
  // corrected with it.
  std::optional<double> illuminant_red;
  std::optional<double> illuminant_blue;
  std::optional<double> color_temperature_k;
  bool white_balanced = false;
};

// The outcome of the gate: accepted when no issue is blocking.
struct QualityReport {
  bool accepted = true;
  std::vector<QualityIssue> issues;  // Blocking issues first.
  QualityMeasurements measurements;

  // True when an issue with `reason` is present.
  bool Has(QualityReason reason) const {
    for (const QualityIssue& issue : issues) {
      if (issue.reason == reason) return true;
    }
    return false;
  }
};

}  // namespace skinlens::preprocess
