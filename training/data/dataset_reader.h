// Readers for labelled skin images: the seed's folder format (an image and a
// same-name JSON per sample) and a CSV manifest. docs/DATASET.md describes both
// formats and how bad files are handled.
//
//   DatasetReadOptions options;
//   options.bad_file_policy = BadFilePolicy::kSkip;
//   absl::StatusOr<Dataset> dataset = ReadDataset("data/train", options);  // folder or .csv
//   if (!dataset.ok()) return dataset.status();
//   std::cerr << BadFileReport(dataset->bad_files);  // never silently dropped
#pragma once

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"
#include "training/data/dataset.h"

namespace skinlens::training {

// File name extensions (lower case, with the dot) the folder reader takes for
// images; matched case-insensitively.
inline constexpr absl::string_view kImageExtensions[] = {".jpg", ".jpeg", ".png", ".webp"};

// Reads the seed's format: every image under `root` (recursively; symbolic
// links to folders are not followed) with a label file of the same name and
// the extension `.json` beside it (`face/0001.jpg` + `face/0001.json`). The
// JSON is an object; its keys `oil`, `hydration`, `wrinkle`, `pigmentation`,
// `sensitivity` (or the seed's alias `sensitive`) hold an integer grade 0..4,
// or -1 / -2 / null for "not labelled" (stored as kUnlabelled); a missing key
// is unlabelled too; other keys are ignored. `part` (optional) is a string, or
// an integer stored as its decimal text. Samples come out sorted by path.
//
// Bad files (see BadFileReason) are skipped and listed, or fail the read, by
// `options.bad_file_policy`. NOT_FOUND when `root` does not exist,
// INVALID_ARGUMENT when it is not a folder. Thread-compatible (no shared state).
absl::StatusOr<Dataset> ReadSeedFolder(absl::string_view root, const DatasetReadOptions& options);

// Reads a CSV manifest (RFC 4180: comma-separated, fields may be quoted with
// '"', a UTF-8 byte-order mark and CRLF line ends are accepted). The first
// row is the header: `image` is required; the attribute columns (names as in
// ReadSeedFolder, `sensitive` accepted) and `part` are optional, in any order;
// an unknown or repeated column fails the read with INVALID_ARGUMENT whatever
// the policy. Each further row is one sample: the image path, absolute or
// relative to the manifest's folder; a grade 0..4 per attribute column, with
// an empty cell, -1 or -2 for "not labelled". Blank lines are ignored; a row
// naming an image already listed is a bad row (kAmbiguousLabels). Samples
// keep the manifest's order. Bad rows are reported as "manifest.csv:LINE".
// NOT_FOUND when the manifest does not exist.
absl::StatusOr<Dataset> ReadCsvManifest(absl::string_view manifest_path,
                                        const DatasetReadOptions& options);

// ReadSeedFolder for a folder, ReadCsvManifest for a file ending in `.csv`;
// NOT_FOUND when `path` does not exist, INVALID_ARGUMENT for another file.
absl::StatusOr<Dataset> ReadDataset(absl::string_view path, const DatasetReadOptions& options);

// The seed's label JSON for a sample, as ReadSeedFolder reads it back: all
// five attribute keys (-1 where unlabelled) and `part` when not empty. For
// writers of datasets (the synthetic generator, tests).
nlohmann::json ToSeedLabelJson(const Sample& sample);

}  // namespace skinlens::training
