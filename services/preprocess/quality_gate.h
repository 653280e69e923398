// The photo quality gate: measures the analysed face and judges each
// measurement against configured thresholds, so a refused photo comes back
// with reasons a person can act on ("Face too small: 60 px wide, at least
// 80 px needed — move closer.").
//
//   QualityGate gate(QualityThresholds{});
//   QualityReport report = gate.Evaluate(image.bgr, faces);
//   if (!report.accepted) { ... }  // report.issues says why
#pragma once

#include <vector>

#include "face_detector.h"
#include "opencv2/core/mat.hpp"
#include "quality_report.h"

namespace skinlens::preprocess {

// The limits of the gate (from flags; see README.md for the defaults'
// rationale).
struct QualityThresholds {
  double min_face_width_px = 80;
  double min_sharpness = 40;  // Variance of the Laplacian; see README.md.
  double min_luminance = 60;
  double max_luminance = 210;
  double max_lighting_ratio = 1.6;
  double max_yaw_degrees = 30;
  double max_roll_degrees = 25;
  // Capture guidance only: the farthest the face box's centre may sit from a
  // preview frame's centre, as a fraction of the frame's shorter side. A
  // photo is not refused for it (it may be cropped), but the crops of a face
  // near the edge are where lenses distort and light falls off most. 0.3
  // admits usual head-and-shoulders framing (the test portrait, face in the
  // upper third, sits at 0.28 of its side).
  double max_face_offset = 0.3;
  // When false, several faces are a WARNING and the largest is analysed.
  // A bystander's face is not graded against the account unless relaxed.
  bool multiple_faces_blocking = true;
};

// Measures and judges photos. Thread-safe (const, no state besides the
// thresholds).
class QualityGate {
 public:
  explicit QualityGate(QualityThresholds thresholds) : thresholds_(thresholds) {}

  // Measures the largest of `faces` (largest first, as FaceDetector returns
  // them) in `bgr` (CV_8UC3) and judges the measurements.
  QualityReport Evaluate(const cv::Mat& bgr, const std::vector<Face>& faces) const {
    return Evaluate(bgr, faces, bgr.size());
  }

  // The same where `bgr` is only the part of a `photo_size` photo around the
  // largest face, and `faces` are in `bgr`'s coordinates.
  QualityReport Evaluate(const cv::Mat& bgr, const std::vector<Face>& faces,
                         cv::Size photo_size) const;

  // Judges a camera preview frame as the photo the camera would take now:
  // Evaluate's measurements, with the face's width and the frame's shorter
  // side multiplied by `photo_scale` (the photo's width over the frame's),
  // and FACE_OFF_CENTER (blocking) when the face sits too far from the
  // frame's centre.
  QualityReport EvaluateFrame(const cv::Mat& bgr, const std::vector<Face>& faces,
                              double photo_scale) const;

  // Judges measurements taken elsewhere; `eyes_found` tells whether yaw and
  // roll could be measured. Issues come blocking first.
  QualityReport Judge(const QualityMeasurements& measurements, int photo_short_side,
                      bool eyes_found) const;

  const QualityThresholds& thresholds() const { return thresholds_; }

 private:
  QualityMeasurements Measure(const cv::Mat& bgr, const std::vector<Face>& faces,
                              bool& eyes_found) const;

  QualityThresholds thresholds_;
};

// Roll of a face in degrees from its eye centres (positive when the eyes
// slope down to the image's right, as RegionBox.rotation_degrees).
double RollDegrees(const Face& face);

}  // namespace skinlens::preprocess
