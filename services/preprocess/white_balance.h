// Colour constancy for the crops the model grades: the light's colour is
// estimated on the whole photo and each crop is corrected to neutral light
// before grading, so that a warm bathroom lamp or a phone's white balance
// does not read as redness, pigment or oil.
//
// The estimate is shades of grey (Finlayson and Trezzi, "Shades of Gray and
// Colour Constancy", CIC 2004): the Minkowski p-norm (p = 6) of each channel
// over the frame, in linear light, ignoring near-black and clipped pixels, then
// refined twice on the pixels that would not clip under any plausible light
// (judged after correcting by the estimate so far), so that which pixels clip
// under this light does not bias the estimate.
// Why the whole frame and not the skin alone: the skin's own colour is what
// is graded (redness for sensitivity, brown for pigmentation) and differs by
// skin type, so a skin-only estimate would take a ruddy or dark complexion
// for coloured light and "correct" it away, unevenly across Fitzpatrick
// types. The frame mixes hair, clothes, walls and skin, whose average is
// far closer to grey. The correction is a von Kries diagonal scaling in
// linear light with green kept, its gains bounded so that a photo of a
// single-coloured wall cannot be pushed to an absurd cast.
//
//   Illuminant light = EstimateIlluminant(photo_bgr);     // e.g. red 1.4, blue 0.6: warm
//   cv::Mat neutral = CorrectWhiteBalance(crop_bgr, light);
#pragma once

#include "opencv2/core.hpp"

namespace skinlens::preprocess {

// The colour of the light, per channel, scaled so that green is 1.
struct Illuminant {
  double red = 1.0;
  double green = 1.0;
  double blue = 1.0;
};

// The largest factor a channel is scaled by (and 1 / it the smallest). 3 undoes a tungsten
// lamp down to about 3,050 K (blue a third of daylight's against green). Measured on the
// portrait under 3,000 K against 6,500 K (docs/MODEL.md): 2.5 left sensitivity and hydration
// near or outside their noise bands, 4 moved sensitivity out of its band again (the blue
// channel of such a photo is dark and JPEG-noisy, and a 3-4x gain amplifies that noise).
inline constexpr double kMaxWhiteBalanceGain = 3.0;

// Shades of grey over `bgr` (CV_8UC3), on a copy at most 512 pixels on its
// longer side. A photo without usable pixels (all black or clipped) gives
// neutral light. Thread-safe.
Illuminant EstimateIlluminant(const cv::Mat& bgr);

// `bgr` (CV_8UC3) as it would look under neutral light: each channel in
// linear light divided by the light's (bounded by kMaxWhiteBalanceGain),
// green unchanged. Returns a new image. Thread-safe.
cv::Mat CorrectWhiteBalance(const cv::Mat& bgr, const Illuminant& light);

// Approximate correlated colour temperature of the light in kelvin (McCamy's
// formula on the light's CIE xy chromaticity, sRGB primaries); 0 outside
// 1,500-25,000 K, where the formula means nothing.
double CorrelatedColorTemperature(const Illuminant& light);

}  // namespace skinlens::preprocess
