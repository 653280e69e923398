// A labelled skin-image dataset in memory: samples, the bad files found while
// reading it, per-attribute grade counts and a stratified train/validation
// split.
//
// The readers (dataset_reader.h) fill a Dataset; the trainer, the sampler and
// the dataset report use the helpers here:
//
//   absl::StatusOr<Dataset> dataset = ReadDataset("data/train", {});
//   std::cerr << BadFileReport(dataset->bad_files);
//   GradeHistogram oil = CountGrades(dataset->samples, Attribute::kOil);
//   SplitOptions split_options;
//   split_options.stratify_by = Attribute::kOil;
//   absl::StatusOr<SplitIndices> split = StratifiedSplit(dataset->samples, split_options);
//   std::vector<Sample> train = SelectSamples(dataset->samples, split->train);
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "training/data/attributes.h"

namespace skinlens::training {

// One labelled image: where it is, a grade per attribute and the face region
// it shows.
struct Sample {
  // Path of the image file: the dataset root or the manifest's folder joined
  // with the relative path found there.
  std::string image_path;
  // Where the labels came from, for messages: the JSON file, or
  // "manifest.csv:LINE".
  std::string label_source;
  // Grade 0..4 per attribute, indexed by AttributeIndex(); kUnlabelled when the
  // attribute is not labelled for this image.
  std::array<int, kNumAttributes> grades = {kUnlabelled, kUnlabelled, kUnlabelled, kUnlabelled,
                                            kUnlabelled};
  // The face region the image shows ("forehead", "3", ...); empty if unknown.
  std::string part;
  // Fitzpatrick skin type 1..6 (the label file's optional "fitzpatrick"); 0 if
  // unknown. Only for reports by skin tone, never an input to the model.
  int fitzpatrick = 0;

  int grade(Attribute attribute) const { return grades[AttributeIndex(attribute)]; }
  bool is_labelled(Attribute attribute) const { return grade(attribute) >= 0; }
  // True when at least one attribute is labelled.
  bool HasAnyLabel() const;
};

// Why a file was refused.
enum class BadFileReason {
  kMissingLabels,     // An image without its same-name .json label file.
  kUnparsableLabels,  // A label file that is not a JSON object; a CSV row that does not split.
  kInvalidLabel,      // A grade outside 0..4 (and not -1/-2), not an integer; a bad `part`.
  kNoLabels,          // Labels present, but no attribute is labelled.
  kMissingImage,      // A label file or manifest row whose image does not exist.
  kUnreadableImage,   // The image exists but does not decode (only with validate_images).
  kAmbiguousLabels,   // Several images share one label file (a.jpg and a.png with a.json).
};

// "missing labels", "unparsable labels", ... for reports.
absl::string_view BadFileReasonName(BadFileReason reason);

// A file (or manifest row) the reader refused, and why.
struct BadFile {
  std::string path;  // The file, or "manifest.csv:LINE" for a manifest row.
  BadFileReason reason = BadFileReason::kInvalidLabel;
  std::string detail;  // What exactly is wrong, for a person to fix it.

  // "path: reason: detail".
  std::string ToString() const;
};

// What a reader does with a bad file.
enum class BadFilePolicy {
  kSkip,  // Leave the sample out and record the file in Dataset::bad_files.
  kFail,  // Fail the whole read; the status lists the bad files.
};

// Options of the dataset readers.
struct DatasetReadOptions {
  BadFilePolicy bad_file_policy = BadFilePolicy::kSkip;
  // Decode every image (LoadImageBgr8) and refuse those that fail. Slow on a
  // large dataset: it reads every pixel once.
  bool validate_images = false;
};

// Samples read from one dataset, and the problems found while reading it.
struct Dataset {
  // In a deterministic order: sorted by image path (folder reader) or in
  // manifest order (CSV reader).
  std::vector<Sample> samples;
  // The files left out under BadFilePolicy::kSkip, in the order found. Always
  // empty under kFail (the read fails instead).
  std::vector<BadFile> bad_files;
};

// A report for a person: "N bad files skipped (2 missing labels, ...):" then
// one line per file (at most `max_listed`, 0 = all, then "... and K more").
// Empty when `bad_files` is empty.
std::string BadFileReport(absl::Span<const BadFile> bad_files, size_t max_listed = 0);

// The status a reader returns under BadFilePolicy::kFail: the code follows the
// first file's reason (NOT_FOUND for a missing label file or image,
// INVALID_ARGUMENT otherwise); the message names the files (at most 10).
// Precondition: `bad_files` is not empty.
absl::Status BadFilesError(absl::string_view source, absl::Span<const BadFile> bad_files);

// How many samples have each grade of one attribute.
struct GradeHistogram {
  std::array<int64_t, kNumGrades> counts = {};  // Indexed by grade.
  int64_t unlabelled = 0;                       // Samples without this attribute.

  int64_t labelled() const;
};

// Grade counts of `attribute` over `samples`.
GradeHistogram CountGrades(absl::Span<const Sample> samples, Attribute attribute);

// Grade counts of every attribute, indexed by AttributeIndex().
std::array<GradeHistogram, kNumAttributes> CountAllGrades(absl::Span<const Sample> samples);

// How to split a dataset into training and validation.
struct SplitOptions {
  // The attribute whose grades are kept in the same proportions on both sides.
  Attribute stratify_by = Attribute::kOil;
  // Share of each grade that goes to validation, in [0, 1].
  double validation_fraction = 0.2;
  // Same seed and same samples give the same split, on every platform.
  uint64_t seed = 0;
};

// Indices into the samples given to StratifiedSplit, each list ascending.
struct SplitIndices {
  std::vector<size_t> train;
  std::vector<size_t> validation;
};

// Splits `samples` so that every grade of `options.stratify_by` (and the
// samples where it is unlabelled, as one more group) goes to validation in the
// proportion `validation_fraction`, rounded to the nearest count. When the
// fraction is strictly between 0 and 1, a group of two or more samples puts at
// least one on each side (a rare grade is then still validated); a group of one
// goes to training. Every index appears exactly once. INVALID_ARGUMENT when
// the fraction is outside [0, 1].
absl::StatusOr<SplitIndices> StratifiedSplit(absl::Span<const Sample> samples,
                                             const SplitOptions& options);

// The samples at `indices`, in that order. Precondition: every index is in range.
std::vector<Sample> SelectSamples(absl::Span<const Sample> samples,
                                  absl::Span<const size_t> indices);

}  // namespace skinlens::training
