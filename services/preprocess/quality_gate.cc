#include "quality_gate.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "absl/strings/str_format.h"
#include "opencv2/imgproc.hpp"

namespace skinlens::preprocess {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr int kSharpnessWidth = 256;  // Larger faces are measured at this width.
constexpr double kContrastStd = 50;   // Grey-level spread faces are normalised to.

QualityIssue Issue(QualityReason reason, Severity severity, std::optional<double> value,
                   std::optional<double> threshold, std::string message) {
  return QualityIssue{reason, severity, value, threshold, std::move(message)};
}

// Blocking issues first; accepted when none is blocking.
void Conclude(QualityReport& report) {
  std::stable_sort(report.issues.begin(), report.issues.end(),
                   [](const QualityIssue& a, const QualityIssue& b) {
                     return a.severity == Severity::kBlocking && b.severity != Severity::kBlocking;
                   });
  report.accepted = report.issues.empty() || report.issues.front().severity != Severity::kBlocking;
}

}  // namespace

double RollDegrees(const Face& face) {
  if (!face.has_eyes()) return 0;
  // From the eye on the image's left (subject's right) to the one on its right.
  const cv::Point2d d = *face.left_eye - *face.right_eye;
  return std::atan2(d.y, d.x) * 180.0 / kPi;
}

QualityReport QualityGate::Evaluate(const cv::Mat& bgr, const std::vector<Face>& faces,
                                    cv::Size photo_size) const {
  bool eyes_found = false;
  const QualityMeasurements m = Measure(bgr, faces, eyes_found);
  return Judge(m, std::min(photo_size.width, photo_size.height), eyes_found);
}

QualityReport QualityGate::EvaluateFrame(const cv::Mat& bgr, const std::vector<Face>& faces,
                                         double photo_scale) const {
  bool eyes_found = false;
  QualityMeasurements m = Measure(bgr, faces, eyes_found);
  if (m.face_width_px) *m.face_width_px *= photo_scale;
  const int short_side = static_cast<int>(std::lround(std::min(bgr.cols, bgr.rows) * photo_scale));
  QualityReport report = Judge(m, short_side, eyes_found);
  if (!faces.empty() && bgr.cols > 0 && bgr.rows > 0) {
    const cv::Rect2d& box = faces.front().box;
    const double offset = std::hypot(box.x + box.width / 2 - bgr.cols / 2.0,
                                     box.y + box.height / 2 - bgr.rows / 2.0) /
                          std::min(bgr.cols, bgr.rows);
    const double limit = thresholds_.max_face_offset;
    if (offset > limit) {
      report.issues.push_back(
          Issue(QualityReason::kFaceOffCenter, Severity::kBlocking, offset, limit,
                absl::StrFormat(
                    "Face off centre: %.0f %% of the picture's shorter side from the middle, at "
                    "most %.0f %% — move the face to the middle of the picture.",
                    offset * 100, limit * 100)));
      Conclude(report);
    }
  }
  return report;
}

QualityMeasurements QualityGate::Measure(const cv::Mat& bgr, const std::vector<Face>& faces,
                                         bool& eyes_found) const {
  QualityMeasurements m;
  m.face_count = static_cast<int>(faces.size());
  eyes_found = false;
  if (!faces.empty()) {
    const Face& face = faces.front();
    const cv::Rect box = cv::Rect(face.box) & cv::Rect(0, 0, bgr.cols, bgr.rows);
    m.face_width_px = face.box.width;
    if (box.width >= 2 && box.height >= 2) {
      cv::Mat grey;
      cv::cvtColor(bgr(box), grey, cv::COLOR_BGR2GRAY);
      m.mean_luminance = cv::mean(grey)[0];
      const double half_left = cv::mean(grey(cv::Rect(0, 0, grey.cols / 2, grey.rows)))[0];
      const double half_right =
          cv::mean(grey(cv::Rect(grey.cols / 2, 0, grey.cols - grey.cols / 2, grey.rows)))[0];
      m.lighting_ratio =
          (std::max(half_left, half_right) + 1.0) / (std::min(half_left, half_right) + 1.0);
      // Large faces are compared at one width; small ones are not scaled up
      // (interpolation would blur them and hide the measure). The contrast is
      // normalised first, so a dark or flat face is not taken for a blurred one.
      cv::Mat scaled = grey, laplacian;
      if (grey.cols > kSharpnessWidth) {
        const double s = static_cast<double>(kSharpnessWidth) / grey.cols;
        cv::resize(grey, scaled, cv::Size(), s, s, cv::INTER_AREA);
      }
      cv::Scalar grey_mean, grey_std;
      cv::meanStdDev(scaled, grey_mean, grey_std);
      scaled.convertTo(scaled, CV_64F, kContrastStd / std::max(grey_std[0], 1.0));
      cv::Laplacian(scaled, laplacian, CV_64F);
      cv::Scalar mean, stddev;
      cv::meanStdDev(laplacian, mean, stddev);
      m.sharpness = stddev[0] * stddev[0];
    }
    if (face.has_eyes()) {
      eyes_found = true;
      m.roll_degrees = RollDegrees(face);
      // Crude yaw: how far the eyes' midpoint sits off the face box's centre,
      // as a fraction of half the face width, read as the sine of the turn.
      // Positive when the eyes shift to the image's right (subject's left).
      const double mid_x = (face.left_eye->x + face.right_eye->x) / 2.0;
      const double offset = (mid_x - (face.box.x + face.box.width / 2.0)) / (face.box.width / 2.0);
      m.yaw_degrees = std::asin(std::clamp(offset, -1.0, 1.0)) * 180.0 / kPi;
    }
  }
  return m;
}

QualityReport QualityGate::Judge(const QualityMeasurements& m, int photo_short_side,
                                 bool eyes_found) const {
  const QualityThresholds& t = thresholds_;
  QualityReport report;
  report.measurements = m;
  auto& issues = report.issues;
  const Severity kBlock = Severity::kBlocking;

  if (photo_short_side < t.min_face_width_px) {
    issues.push_back(Issue(QualityReason::kImageTooSmall, kBlock, photo_short_side,
                           t.min_face_width_px,
                           absl::StrFormat("Photo too small: %d px on its shorter side, at least "
                                           "%.0f px needed — send a larger photo.",
                                           photo_short_side, t.min_face_width_px)));
  }
  const int count = m.face_count.value_or(0);
  if (count == 0) {
    issues.push_back(Issue(QualityReason::kNoFace, kBlock, std::nullopt, std::nullopt,
                           "No face found — face the camera with your whole face in the picture."));
  } else {
    if (count > 1) {
      const bool block = t.multiple_faces_blocking;
      issues.push_back(
          Issue(QualityReason::kMultipleFaces, block ? kBlock : Severity::kWarning, count, 1,
                block ? absl::StrFormat("%d faces found — take a photo with only your face.", count)
                      : absl::StrFormat("%d faces found — the largest face was analysed.", count)));
    }
    if (m.face_width_px && *m.face_width_px < t.min_face_width_px) {
      issues.push_back(Issue(QualityReason::kFaceTooSmall, kBlock, *m.face_width_px,
                             t.min_face_width_px,
                             absl::StrFormat("Face too small: %.0f px wide, at least %.0f px "
                                             "needed — move closer.",
                                             *m.face_width_px, t.min_face_width_px)));
    }
    if (m.sharpness && *m.sharpness < t.min_sharpness) {
      issues.push_back(Issue(QualityReason::kBlurred, kBlock, *m.sharpness, t.min_sharpness,
                             absl::StrFormat("Photo blurred: sharpness %.1f, at least %.1f "
                                             "needed — hold still and let the camera focus.",
                                             *m.sharpness, t.min_sharpness)));
    }
    if (m.mean_luminance && *m.mean_luminance < t.min_luminance) {
      issues.push_back(Issue(QualityReason::kTooDark, kBlock, *m.mean_luminance, t.min_luminance,
                             absl::StrFormat("Face too dark: brightness %.0f of 255, at least "
                                             "%.0f needed — find more light.",
                                             *m.mean_luminance, t.min_luminance)));
    }
    if (m.mean_luminance && *m.mean_luminance > t.max_luminance) {
      issues.push_back(Issue(QualityReason::kTooBright, kBlock, *m.mean_luminance, t.max_luminance,
                             absl::StrFormat("Face too bright: brightness %.0f of 255, at most "
                                             "%.0f allowed — avoid direct light or flash.",
                                             *m.mean_luminance, t.max_luminance)));
    }
    if (m.lighting_ratio && *m.lighting_ratio > t.max_lighting_ratio) {
      issues.push_back(Issue(QualityReason::kUnevenLighting, kBlock, *m.lighting_ratio,
                             t.max_lighting_ratio,
                             absl::StrFormat("Uneven light: one side of the face is %.1fx as "
                                             "bright as the other, at most %.1fx allowed — face "
                                             "the light source.",
                                             *m.lighting_ratio, t.max_lighting_ratio)));
    }
    if (!eyes_found) {
      issues.push_back(Issue(QualityReason::kEyesNotFound, Severity::kWarning, std::nullopt,
                             std::nullopt,
                             "Eyes not found — the face was not aligned; remove glasses and "
                             "look into the camera for a better result."));
    }
    if (m.yaw_degrees && std::abs(*m.yaw_degrees) > t.max_yaw_degrees) {
      issues.push_back(Issue(QualityReason::kFaceTurned, kBlock, std::abs(*m.yaw_degrees),
                             t.max_yaw_degrees,
                             absl::StrFormat("Face turned away: about %.0f°, at most %.0f° "
                                             "allowed — look straight into the camera.",
                                             std::abs(*m.yaw_degrees), t.max_yaw_degrees)));
    }
    if (m.roll_degrees && std::abs(*m.roll_degrees) > t.max_roll_degrees) {
      issues.push_back(Issue(QualityReason::kFaceTilted, kBlock, std::abs(*m.roll_degrees),
                             t.max_roll_degrees,
                             absl::StrFormat("Head tilted: %.0f°, at most %.0f° allowed — hold "
                                             "your head and the phone upright.",
                                             std::abs(*m.roll_degrees), t.max_roll_degrees)));
    }
  }
  Conclude(report);
  return report;
}

}  // namespace skinlens::preprocess
