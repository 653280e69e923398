// What history keeps of a diagnosis's heatmaps: nothing (the default), or
// thumbnails — each map scaled down so its longer side is at most a few dozen
// pixels, overlays dropped — so a stored diagnosis can still show where the
// evidence was, at a few kilobytes instead of megabytes.
#pragma once

#include "skinlens/v1/common.pb.h"

namespace skinlens::history {

// Returns `diagnosis` as history stores it. With `thumbnail_px` 0 every heatmap
// is dropped and a diagnosis that had any (or was COMPLETE) becomes NOT_STORED.
// Otherwise each region and photo heatmap larger than `thumbnail_px` on its
// longer side is scaled down to fit (area averaging, aspect ratio kept,
// PhotoHeatmap.scale adjusted), overlays are dropped and a COMPLETE diagnosis
// becomes THUMBNAILS. A heatmap whose `values` does not hold width * height
// bytes is dropped rather than stored broken.
v1::Diagnosis StoredHeatmaps(v1::Diagnosis diagnosis, int thumbnail_px);

}  // namespace skinlens::history
