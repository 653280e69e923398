// Writes synthetic skin datasets to disk in the seed's format.
//
// Layout of an output folder (docs/SYNTHETIC_DATA.md):
//   images/synth_0000042.png          the image (8-bit BGR PNG)
//   images/synth_0000042.json         {"oil": 1, "hydration": 0, "wrinkle": 2,
//                                      "pigmentation": -1, "sensitivity": 0,
//                                      "part": "left_cheek", "fitzpatrick": 3, ...}
//   masks/synth_0000042.wrinkle.png   8-bit, 255 where the attribute was drawn
//                                     (one per attribute; all zero at grade 0)
//   manifest.csv                      image,oil,hydration,wrinkle,pigmentation,sensitivity,part
//   synth.json                        the generator settings used
// The dataset reader (training/data) reads it as ReadCsvManifest("DIR/manifest.csv")
// or ReadSeedFolder("DIR/images"); the masks stay out of images/ so that no
// mask is taken for an unlabelled image.
//
//   DatasetOptions options;
//   options.out_dir = "/data/synth";
//   options.count = 10000;
//   options.workers = 2;
//   SKINLENS_ASSIGN_OR_RETURN(DatasetReport report,
//                             GenerateDataset(synth, options, [](int64_t done, int64_t total) {}));
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"
#include "opencv2/core.hpp"
#include "training/synth/skin_synth.h"

namespace skinlens::training {

// Where and how a dataset is written.
struct DatasetOptions {
  // Output folder; created when missing.
  std::string out_dir;
  // Samples first_index .. first_index + count - 1 are written.
  int64_t first_index = 0;
  int64_t count = 0;
  // Threads rendering and writing samples (>= 1).
  int workers = 1;
  // Write into a non-empty folder, replacing files of the same name (other
  // files are left alone).
  bool overwrite = false;
  // Continue an earlier run into the same folder: its synth.json must hold the
  // same settings (count and first_index may differ); samples whose files all
  // exist are skipped.
  bool resume = false;
  // Write the per-attribute masks.
  bool write_masks = true;
  // zlib level of the PNGs, 0..9 (1: fast, files ~10% larger than 9).
  int png_compression = 1;
};

// What GenerateDataset() did.
struct DatasetReport {
  int64_t written = 0;  // samples rendered and written
  int64_t skipped = 0;  // samples already complete (resume)
  double seconds = 0;   // wall time
};

// Called with the number of samples finished so far and the total.
using DatasetProgress = std::function<void(int64_t done, int64_t total)>;

// "synth_0000042" (at least 7 digits).
std::string SampleId(int64_t index);
// Paths relative to the output folder: images/<id>.png, images/<id>.json,
// masks/<id>.<attribute>.png.
std::string ImageFileName(int64_t index);
std::string LabelFileName(int64_t index);
std::string MaskFileName(int64_t index, Attribute attribute);

// The label file of one sample: the seed's keys as ToSeedLabelJson() writes
// them (the five grades or -1, "part"), plus "fitzpatrick", the mask files
// relative to the label file (when written: "../masks/<id>.<attribute>.png")
// and a "synth" object with the seed, index, generator version and the grades
// actually drawn (including unlabelled ones).
nlohmann::json LabelJson(const SynthConfig& config, int64_t index, const SampleSpec& spec,
                         bool with_masks);

// synth.json: generator name and version, seed, size, range, unlabelled rate,
// grade weights, parts, file layout, the meaning of the hydration grade.
nlohmann::json SettingsJson(const SynthConfig& config, const DatasetOptions& options);

// manifest.csv for samples first_index .. first_index + count - 1 (header
// "image,oil,hydration,wrinkle,pigmentation,sensitivity,part"; image paths
// relative to the folder). Renders nothing.
std::string ManifestCsv(const SkinSynthesizer& synth, int64_t first_index, int64_t count);

// Writes `image` as PNG. INVALID_ARGUMENT for an empty image, INTERNAL naming
// the path when OpenCV cannot write it.
absl::Status WritePng(const std::string& path, const cv::Mat& image, int compression);

// Renders and writes one sample (image, masks, then the label file last, so a
// label file marks a complete sample).
absl::Status WriteSample(const SkinSynthesizer& synth, const DatasetOptions& options,
                         int64_t index);

// Renders and writes samples first_index .. first_index + count - 1 on
// `options.workers` threads, then manifest.csv; synth.json is written first.
// `progress` is called from the calling thread about ten times a second and
// once at the end. FAILED_PRECONDITION when the folder is not empty (without
// overwrite or resume) or resume finds other settings; INVALID_ARGUMENT for bad
// options; the first write error stops the run and is returned.
absl::StatusOr<DatasetReport> GenerateDataset(const SkinSynthesizer& synth,
                                              const DatasetOptions& options,
                                              const DatasetProgress& progress = nullptr);

// A picture of one sample per grade (columns 0..4) per attribute (rows), the
// other attributes at grade 0, each row one skin under neutral lighting, with
// labels. `tile` is the side of one sample in pixels (48..512). CV_8UC3.
absl::StatusOr<cv::Mat> RenderContactSheet(uint64_t seed, int tile);

}  // namespace skinlens::training
