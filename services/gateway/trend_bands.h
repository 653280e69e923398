// Repeat-scan noise bands on trend points: how far a point's mean expected
// score could move if the same skin were photographed again, and whether
// the change from the point before is larger than that (docs/MODEL.md,
// "Test-retest noise"). The figures are the model's (ModelInfo.retest_noise,
// measured by skinlens-retest and stored in the bundle).
//
// A point of n photos gets mean +- 1.96 * sd / sqrt(n), clamped to 0..4; a
// change between points of n1 and n2 photos is significant when it exceeds
// 1.96 * sd * sqrt(1 / n1 + 1 / n2) (for single photos 1.96 * sqrt(2) * sd).
//
//   AddNoiseBands(model_info, response.mutable_series());
#pragma once

#include "google/protobuf/repeated_ptr_field.h"
#include "skinlens/v1/common.pb.h"

namespace skinlens::gateway {

// The 95 % two-sided normal quantile.
inline constexpr double kBandZ = 1.96;

// Sets band_lower, band_upper and change_significant on every point of
// `series` from the expected-score sd of its attribute in `info`. An
// attribute without a figure gets bands equal to the mean and no
// significant change.
void AddNoiseBands(const v1::ModelInfo& info,
                   google::protobuf::RepeatedPtrField<v1::TrendSeries>* series);

}  // namespace skinlens::gateway
