#include "training/data/dataset.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace skinlens::training {
namespace {

// Fisher-Yates with the raw 64-bit output of mt19937_64, whose sequence the
// C++ standard fixes; std::shuffle and the std distributions are
// implementation-defined, and a split must not change with the compiler. The
// modulo bias is below n / 2^64.
void DeterministicShuffle(std::vector<size_t>& values, std::mt19937_64& rng) {
  for (size_t i = values.size(); i > 1; --i) {
    const size_t j = static_cast<size_t>(rng() % i);
    std::swap(values[i - 1], values[j]);
  }
}

}  // namespace

bool Sample::HasAnyLabel() const {
  return std::any_of(grades.begin(), grades.end(), [](int g) { return g >= 0; });
}

absl::string_view BadFileReasonName(BadFileReason reason) {
  switch (reason) {
    case BadFileReason::kMissingLabels:
      return "missing labels";
    case BadFileReason::kUnparsableLabels:
      return "unparsable labels";
    case BadFileReason::kInvalidLabel:
      return "invalid label";
    case BadFileReason::kNoLabels:
      return "no attribute labelled";
    case BadFileReason::kMissingImage:
      return "missing image";
    case BadFileReason::kUnreadableImage:
      return "unreadable image";
    case BadFileReason::kAmbiguousLabels:
      return "ambiguous labels";
  }
  return "unknown";
}

std::string BadFile::ToString() const {
  return absl::StrCat(path, ": ", BadFileReasonName(reason), ": ", detail);
}

std::string BadFileReport(absl::Span<const BadFile> bad_files, size_t max_listed) {
  if (bad_files.empty()) return "";
  std::map<BadFileReason, int> per_reason;
  for (const BadFile& bad : bad_files) ++per_reason[bad.reason];
  std::vector<std::string> parts;
  for (const auto& [reason, count] : per_reason) {
    parts.push_back(absl::StrCat(count, " ", BadFileReasonName(reason)));
  }
  std::string report =
      absl::StrCat(bad_files.size(), bad_files.size() == 1 ? " bad file" : " bad files",
                   " skipped (", absl::StrJoin(parts, ", "), "):\n");
  const size_t listed = max_listed == 0 ? bad_files.size() : std::min(max_listed, bad_files.size());
  for (size_t i = 0; i < listed; ++i) absl::StrAppend(&report, "  ", bad_files[i].ToString(), "\n");
  if (listed < bad_files.size()) {
    absl::StrAppend(&report, "  ... and ", bad_files.size() - listed, " more\n");
  }
  return report;
}

absl::Status BadFilesError(absl::string_view source, absl::Span<const BadFile> bad_files) {
  constexpr size_t kMaxListed = 10;
  std::vector<std::string> lines;
  for (size_t i = 0; i < bad_files.size() && i < kMaxListed; ++i) {
    lines.push_back(bad_files[i].ToString());
  }
  if (bad_files.size() > kMaxListed) {
    lines.push_back(absl::StrCat("... and ", bad_files.size() - kMaxListed, " more"));
  }
  std::string message = absl::StrCat("dataset '", source, "' has ", bad_files.size(),
                                     bad_files.size() == 1 ? " bad file" : " bad files",
                                     " (bad_file_policy is fail): ", absl::StrJoin(lines, "; "));
  switch (bad_files.front().reason) {
    case BadFileReason::kMissingLabels:
    case BadFileReason::kMissingImage:
      return absl::NotFoundError(message);
    default:
      return absl::InvalidArgumentError(message);
  }
}

int64_t GradeHistogram::labelled() const {
  int64_t total = 0;
  for (int64_t count : counts) total += count;
  return total;
}

GradeHistogram CountGrades(absl::Span<const Sample> samples, Attribute attribute) {
  GradeHistogram histogram;
  for (const Sample& sample : samples) {
    const int grade = sample.grade(attribute);
    if (IsValidGrade(grade)) {
      ++histogram.counts[grade];
    } else {
      ++histogram.unlabelled;
    }
  }
  return histogram;
}

std::array<GradeHistogram, kNumAttributes> CountAllGrades(absl::Span<const Sample> samples) {
  std::array<GradeHistogram, kNumAttributes> all;
  for (Attribute attribute : kAllAttributes) {
    all[AttributeIndex(attribute)] = CountGrades(samples, attribute);
  }
  return all;
}

absl::StatusOr<SplitIndices> StratifiedSplit(absl::Span<const Sample> samples,
                                             const SplitOptions& options) {
  const double fraction = options.validation_fraction;
  if (!(fraction >= 0.0 && fraction <= 1.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("validation_fraction must be in [0, 1], got ", fraction));
  }
  // Group 0 holds the samples where the attribute is unlabelled, group g+1
  // those of grade g.
  std::array<std::vector<size_t>, kNumGrades + 1> groups;
  for (size_t i = 0; i < samples.size(); ++i) {
    const int grade = samples[i].grade(options.stratify_by);
    groups[IsValidGrade(grade) ? grade + 1 : 0].push_back(i);
  }
  std::mt19937_64 rng(options.seed);
  SplitIndices split;
  for (std::vector<size_t>& group : groups) {
    const size_t n = group.size();
    if (n == 0) continue;
    DeterministicShuffle(group, rng);
    size_t n_validation = static_cast<size_t>(std::llround(static_cast<double>(n) * fraction));
    if (fraction > 0.0 && fraction < 1.0) {
      // A lone sample trains; otherwise both sides see every grade.
      n_validation = n == 1 ? 0 : std::clamp<size_t>(n_validation, 1, n - 1);
    }
    split.validation.insert(split.validation.end(), group.begin(), group.begin() + n_validation);
    split.train.insert(split.train.end(), group.begin() + n_validation, group.end());
  }
  std::sort(split.train.begin(), split.train.end());
  std::sort(split.validation.begin(), split.validation.end());
  return split;
}

std::vector<Sample> SelectSamples(absl::Span<const Sample> samples,
                                  absl::Span<const size_t> indices) {
  std::vector<Sample> selected;
  selected.reserve(indices.size());
  for (size_t index : indices) selected.push_back(samples[index]);
  return selected;
}

}  // namespace skinlens::training
