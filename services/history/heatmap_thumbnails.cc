#include "services/history/heatmap_thumbnails.h"

#include <algorithm>
#include <string>

#include "opencv2/imgproc.hpp"

namespace skinlens::history {
namespace {

// Scales `values` (width x height bytes) so the longer side is at most
// `max_side`; false when the bytes do not match the size.
bool Shrink(std::string* values, int* width, int* height, int max_side) {
  if (*width <= 0 || *height <= 0 ||
      values->size() != static_cast<size_t>(*width) * static_cast<size_t>(*height)) {
    return false;
  }
  const int longer = std::max(*width, *height);
  if (longer <= max_side) return true;
  const double factor = static_cast<double>(max_side) / longer;
  const int new_width = std::max(1, static_cast<int>(*width * factor + 0.5));
  const int new_height = std::max(1, static_cast<int>(*height * factor + 0.5));
  const cv::Mat source(*height, *width, CV_8UC1, values->data());
  cv::Mat scaled;
  cv::resize(source, scaled, cv::Size(new_width, new_height), 0, 0, cv::INTER_AREA);
  values->assign(reinterpret_cast<const char*>(scaled.data), scaled.total());
  *width = new_width;
  *height = new_height;
  return true;
}

}  // namespace

v1::Diagnosis StoredHeatmaps(v1::Diagnosis diagnosis, int thumbnail_px) {
  const bool had = diagnosis.heatmaps_size() > 0 || diagnosis.photo_heatmaps_size() > 0 ||
                   diagnosis.explanation_status() == v1::EXPLANATION_STATUS_COMPLETE;
  if (thumbnail_px <= 0) {
    diagnosis.clear_heatmaps();
    diagnosis.clear_photo_heatmaps();
    if (had) diagnosis.set_explanation_status(v1::EXPLANATION_STATUS_NOT_STORED);
    return diagnosis;
  }
  google::protobuf::RepeatedPtrField<v1::Heatmap> regions;
  for (v1::Heatmap& h : *diagnosis.mutable_heatmaps()) {
    int width = h.width();
    int height = h.height();
    if (!Shrink(h.mutable_values(), &width, &height, thumbnail_px)) continue;
    h.set_width(width);
    h.set_height(height);
    h.clear_overlay();
    h.clear_overlay_encoding();
    *regions.Add() = std::move(h);
  }
  diagnosis.mutable_heatmaps()->Swap(&regions);
  google::protobuf::RepeatedPtrField<v1::PhotoHeatmap> photos;
  for (v1::PhotoHeatmap& h : *diagnosis.mutable_photo_heatmaps()) {
    int width = h.width();
    int height = h.height();
    const int old_width = width;
    if (!Shrink(h.mutable_values(), &width, &height, thumbnail_px)) continue;
    h.set_scale(h.scale() * static_cast<float>(width) / static_cast<float>(old_width));
    h.set_width(width);
    h.set_height(height);
    h.clear_overlay();
    h.clear_overlay_encoding();
    *photos.Add() = std::move(h);
  }
  diagnosis.mutable_photo_heatmaps()->Swap(&photos);
  if (diagnosis.explanation_status() == v1::EXPLANATION_STATUS_COMPLETE) {
    diagnosis.set_explanation_status(v1::EXPLANATION_STATUS_THUMBNAILS);
  }
  return diagnosis;
}

}  // namespace skinlens::history
