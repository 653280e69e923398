// The capture changes between two photos of the same face that say nothing
// about the skin: the colour and level of the light, a little framing
// (shift, rotation), JPEG compression and slight blur. skinlens-retest
// applies random draws of them to measure how much a model's scores move.
//
//   std::mt19937 random(7);
//   CaptureVariation v = DrawVariation(random, VariationSet::kAll);
//   cv::Mat seen = ApplyVariation(photo_bgr, v);   // as the camera would have recorded it
#pragma once

#include <random>
#include <string>

#include "opencv2/core.hpp"

namespace skinlens::training {

// One draw of capture conditions.
struct CaptureVariation {
  double kelvin = 6500;    // colour temperature of the light, 2,700-6,500 K
  double exposure_ev = 0;  // -1..+1 EV
  double shift_x_px = 0;   // framing, pixels
  double shift_y_px = 0;
  double rotation_deg = 0;  // a few degrees
  int jpeg_quality = 95;    // 60..95
  double blur_sigma = 0;    // 0..1.2 px

  std::string ToString() const;
};

// Which conditions vary; the others stay at their neutral values.
enum class VariationSet {
  kAll,         // everything above
  kColourOnly,  // only the colour temperature (the colour-constancy check)
};

// A random draw: each condition uniform in its range.
CaptureVariation DrawVariation(std::mt19937& random, VariationSet set);

// The light's colour at `kelvin` (the Planckian locus, Kim et al. 2002, in
// linear sRGB), relative to 6,500 K, green 1: what each channel of a scene
// lit by it is multiplied by. Defined for 1,667-25,000 K (clamped).
cv::Vec3d LightGainsRgb(double kelvin);

// `bgr` (CV_8UC3) as recorded under `variation`: colour and exposure in
// linear light (clipped), then shift and rotation about the centre (border
// replicated), blur, and a JPEG round trip at the variation's quality.
cv::Mat ApplyVariation(const cv::Mat& bgr, const CaptureVariation& variation);

}  // namespace skinlens::training
