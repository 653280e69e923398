#include "services/gateway/trend_bands.h"

#include <algorithm>
#include <cmath>

namespace skinlens::gateway {
namespace {

// The expected-score sd of `attribute`, or 0 when the model has none.
double SdOf(const v1::ModelInfo& info, v1::Attribute attribute) {
  for (const v1::RetestNoise& n : info.retest_noise()) {
    if (n.attribute() == attribute) return std::max(0.0, n.expected_score_sd());
  }
  return 0;
}

}  // namespace

void AddNoiseBands(const v1::ModelInfo& info,
                   google::protobuf::RepeatedPtrField<v1::TrendSeries>* series) {
  for (v1::TrendSeries& s : *series) {
    const double sd = SdOf(info, s.attribute());
    const v1::TrendPoint* previous = nullptr;
    for (v1::TrendPoint& p : *s.mutable_points()) {
      const double n = std::max(1, p.count());
      const double half = kBandZ * sd / std::sqrt(n);
      p.set_band_lower(std::clamp(p.mean_expected_score() - half, 0.0, 4.0));
      p.set_band_upper(std::clamp(p.mean_expected_score() + half, 0.0, 4.0));
      bool significant = false;
      if (previous != nullptr && sd > 0) {
        const double m = std::max(1, previous->count());
        const double limit = kBandZ * sd * std::sqrt(1.0 / n + 1.0 / m);
        significant = std::abs(p.mean_expected_score() - previous->mean_expected_score()) > limit;
      }
      p.set_change_significant(significant);
      previous = &p;
    }
  }
}

}  // namespace skinlens::gateway
