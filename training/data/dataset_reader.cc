#include "training/data/dataset_reader.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "training/data/image_loader.h"

namespace skinlens::training {
namespace {

namespace fs = std::filesystem;

// What is wrong with one sample's labels.
struct Problem {
  BadFileReason reason;
  std::string detail;
};

// Collects samples and bad files, validating images when asked.
class Collector {
 public:
  explicit Collector(const DatasetReadOptions& options) : options_(options) {}

  void AddBad(std::string path, BadFileReason reason, std::string detail) {
    dataset_.bad_files.push_back(BadFile{std::move(path), reason, std::move(detail)});
  }

  // Adds `sample` unless it has no label (reported under `labels_path`) or
  // its image does not decode (reported under `image_path`).
  void AddSample(Sample sample, const std::string& labels_path, const std::string& image_path) {
    if (!sample.HasAnyLabel()) {
      AddBad(labels_path, BadFileReason::kNoLabels,
             "every attribute is unlabelled (-1, -2, null, empty or absent)");
      return;
    }
    if (options_.validate_images) {
      absl::StatusOr<cv::Mat> image = LoadImageBgr8(sample.image_path);
      if (!image.ok()) {
        AddBad(image_path, BadFileReason::kUnreadableImage, std::string(image.status().message()));
        return;
      }
    }
    dataset_.samples.push_back(std::move(sample));
  }

  absl::StatusOr<Dataset> Finish(absl::string_view source) && {
    if (options_.bad_file_policy == BadFilePolicy::kFail && !dataset_.bad_files.empty()) {
      return BadFilesError(source, dataset_.bad_files);
    }
    return std::move(dataset_);
  }

 private:
  const DatasetReadOptions& options_;
  Dataset dataset_;
};

bool IsImageExtension(const std::string& lower_extension) {
  return std::find(std::begin(kImageExtensions), std::end(kImageExtensions), lower_extension) !=
         std::end(kImageExtensions);
}

std::string LowerExtension(const fs::path& path) {
  return absl::AsciiStrToLower(path.extension().string());
}

// Stores `value` as the grade of `attribute`; `shown` is the value as the
// file wrote it, for the message.
std::optional<Problem> SetGrade(Sample& sample, Attribute attribute, int64_t value,
                                absl::string_view key, absl::string_view shown) {
  int grade;
  if (value == -1 || value == -2) {
    grade = kUnlabelled;
  } else if (value >= 0 && value < kNumGrades) {
    grade = static_cast<int>(value);
  } else {
    return Problem{
        BadFileReason::kInvalidLabel,
        absl::StrCat("'", key, "' is ", shown, "; a grade is 0..4, or -1 or -2 for not labelled")};
  }
  int& slot = sample.grades[AttributeIndex(attribute)];
  // Set twice only through "sensitivity" and "sensitive" together.
  if (grade != kUnlabelled && slot != kUnlabelled && slot != grade) {
    return Problem{
        BadFileReason::kInvalidLabel,
        absl::StrCat("'sensitivity' and 'sensitive' disagree (", slot, " and ", grade, ")")};
  }
  if (grade != kUnlabelled) slot = grade;
  return std::nullopt;
}

// Fills the grades and part of `sample` from the seed's label object.
std::optional<Problem> FillFromJson(const nlohmann::json& labels, Sample& sample) {
  if (!labels.is_object()) {
    return Problem{BadFileReason::kUnparsableLabels,
                   absl::StrCat("expected a JSON object, got ", labels.type_name())};
  }
  for (const auto& [key, value] : labels.items()) {
    if (key == "part") {
      if (value.is_string()) {
        sample.part = value.get<std::string>();
      } else if (value.is_number_integer()) {
        sample.part = value.dump();
      } else if (!value.is_null()) {
        return Problem{BadFileReason::kInvalidLabel,
                       absl::StrCat("'part' must be a string or an integer, got ", value.dump())};
      }
      continue;
    }
    if (key == "fitzpatrick") {
      // Optional skin type, for the per-group report; anything else is refused.
      if (value.is_null()) continue;
      if (!value.is_number_integer() || value.get<int64_t>() < 1 || value.get<int64_t>() > 6) {
        return Problem{BadFileReason::kInvalidLabel,
                       absl::StrCat("'fitzpatrick' must be a skin type 1..6, got ", value.dump())};
      }
      sample.fitzpatrick = value.get<int>();
      continue;
    }
    absl::StatusOr<Attribute> attribute = ParseAttribute(key);
    if (!attribute.ok()) continue;  // Other metadata is allowed and ignored.
    if (value.is_null()) continue;  // Unlabelled.
    if (!value.is_number_integer()) {
      return Problem{BadFileReason::kInvalidLabel,
                     absl::StrCat("'", key, "' must be an integer grade, got ", value.dump())};
    }
    // A huge unsigned value must not wrap around to -1 ("unlabelled").
    const int64_t number =
        value.is_number_unsigned() && value.get<uint64_t>() > static_cast<uint64_t>(kNumGrades)
            ? kNumGrades
            : value.get<int64_t>();
    if (std::optional<Problem> problem = SetGrade(sample, *attribute, number, key, value.dump())) {
      return problem;
    }
  }
  return std::nullopt;
}

absl::StatusOr<std::string> ReadWholeFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open '", path.string(), "'"));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return absl::DataLossError(absl::StrCat("cannot read '", path.string(), "'"));
  return text.str();
}

// The files of one sample name (folder + name without extension).
struct NameGroup {
  std::vector<fs::path> images;
  std::optional<fs::path> labels;
};

void ReadSeedSample(const fs::path& image, const fs::path& labels_path, Collector& collector) {
  Sample sample;
  sample.image_path = image.string();
  sample.label_source = labels_path.string();
  absl::StatusOr<std::string> text = ReadWholeFile(labels_path);
  if (!text.ok()) {
    collector.AddBad(labels_path.string(), BadFileReason::kUnparsableLabels,
                     std::string(text.status().message()));
    return;
  }
  nlohmann::json labels;
  try {
    labels = nlohmann::json::parse(*text);
  } catch (const nlohmann::json::exception& e) {
    collector.AddBad(labels_path.string(), BadFileReason::kUnparsableLabels,
                     absl::StrCat("not valid JSON: ", e.what()));
    return;
  }
  if (std::optional<Problem> problem = FillFromJson(labels, sample)) {
    collector.AddBad(labels_path.string(), problem->reason, std::move(problem->detail));
    return;
  }
  collector.AddSample(std::move(sample), labels_path.string(), image.string());
}

// Splits CSV text into records (RFC 4180), each with the line it starts on.
// A record with an unterminated quote is returned with `error` set.
struct CsvRecord {
  int line = 0;
  std::vector<std::string> cells;
  std::string error;
};

std::vector<CsvRecord> SplitCsv(absl::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 byte-order mark.
  std::vector<CsvRecord> records;
  int line = 1;
  size_t i = 0;
  while (i < text.size()) {
    CsvRecord record;
    record.line = line;
    std::string cell;
    bool in_quotes = false;
    bool record_done = false;
    while (i < text.size() && !record_done) {
      const char c = text[i];
      if (in_quotes) {
        if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
          cell += '"';
          i += 2;
          continue;
        }
        if (c == '"') {
          in_quotes = false;
        } else {
          if (c == '\n') ++line;
          cell += c;
        }
        ++i;
        continue;
      }
      if (c == '"') {
        in_quotes = true;
      } else if (c == ',') {
        record.cells.push_back(std::move(cell));
        cell.clear();
      } else if (c == '\n') {
        ++line;
        record_done = true;
      } else if (c != '\r') {
        cell += c;
      }
      ++i;
    }
    if (in_quotes) record.error = "a quoted field is not closed";
    record.cells.push_back(std::move(cell));
    const bool blank = record.cells.size() == 1 &&
                       absl::StripAsciiWhitespace(record.cells[0]).empty() && record.error.empty();
    if (!blank) records.push_back(std::move(record));
  }
  return records;
}

// The column layout of a manifest, from its header.
struct ManifestColumns {
  int image = -1;
  int part = -1;
  std::vector<std::pair<int, Attribute>> attributes;  // Column index, attribute.
};

absl::StatusOr<ManifestColumns> ParseHeader(const CsvRecord& header, absl::string_view manifest) {
  ManifestColumns columns;
  std::set<std::string> seen;
  std::set<Attribute> seen_attributes;
  for (int i = 0; i < static_cast<int>(header.cells.size()); ++i) {
    const std::string name(absl::StripAsciiWhitespace(header.cells[i]));
    if (!seen.insert(name).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("manifest '", manifest, "': column '", name, "' appears twice"));
    }
    if (name == "image") {
      columns.image = i;
    } else if (name == "part") {
      columns.part = i;
    } else if (absl::StatusOr<Attribute> attribute = ParseAttribute(name); attribute.ok()) {
      if (!seen_attributes.insert(*attribute).second) {
        return absl::InvalidArgumentError(
            absl::StrCat("manifest '", manifest, "': both 'sensitivity' and 'sensitive' columns"));
      }
      columns.attributes.emplace_back(i, *attribute);
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "manifest '", manifest, "': unknown column '", name,
          "' (expected image, oil, hydration, wrinkle, pigmentation, sensitivity, part)"));
    }
  }
  if (columns.image < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("manifest '", manifest, "': the header has no 'image' column"));
  }
  return columns;
}

// Fills the grades and part of `sample` from one manifest row.
std::optional<Problem> FillFromRow(const CsvRecord& row, const ManifestColumns& columns,
                                   Sample& sample) {
  for (const auto& [column, attribute] : columns.attributes) {
    const absl::string_view cell = absl::StripAsciiWhitespace(row.cells[column]);
    if (cell.empty()) continue;
    int64_t value;
    if (!absl::SimpleAtoi(cell, &value)) {
      return Problem{
          BadFileReason::kInvalidLabel,
          absl::StrCat("'", AttributeName(attribute), "' is '", cell, "', not an integer grade")};
    }
    if (std::optional<Problem> problem =
            SetGrade(sample, attribute, value, AttributeName(attribute), cell)) {
      return problem;
    }
  }
  if (columns.part >= 0) {
    sample.part = std::string(absl::StripAsciiWhitespace(row.cells[columns.part]));
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<Dataset> ReadSeedFolder(absl::string_view root, const DatasetReadOptions& options) {
  const fs::path root_path{std::string(root)};
  std::error_code error;
  if (!fs::exists(root_path, error)) {
    return absl::NotFoundError(absl::StrCat("dataset folder '", root, "' does not exist"));
  }
  if (!fs::is_directory(root_path, error)) {
    return absl::InvalidArgumentError(absl::StrCat("dataset '", root, "' is not a folder"));
  }

  // Sorted by name, so samples and reports come out in the same order on
  // every run and file system.
  std::map<std::string, NameGroup> groups;
  fs::recursive_directory_iterator it(root_path, fs::directory_options::skip_permission_denied,
                                      error);
  for (; !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (!it->is_regular_file(error)) continue;
    const fs::path& path = it->path();
    const std::string extension = LowerExtension(path);
    std::string key = (path.parent_path() / path.stem()).string();
    if (extension == ".json") {
      groups[std::move(key)].labels = path;
    } else if (IsImageExtension(extension)) {
      groups[std::move(key)].images.push_back(path);
    }
  }
  if (error) {
    return absl::UnavailableError(
        absl::StrCat("cannot list dataset folder '", root, "': ", error.message()));
  }

  Collector collector(options);
  for (auto& [key, group] : groups) {
    std::sort(group.images.begin(), group.images.end());
    if (group.images.empty()) {
      collector.AddBad(group.labels->string(), BadFileReason::kMissingImage,
                       "no image of the same name (.jpg, .jpeg, .png or .webp)");
    } else if (!group.labels.has_value()) {
      for (const fs::path& image : group.images) {
        collector.AddBad(image.string(), BadFileReason::kMissingLabels,
                         absl::StrCat("no label file '", key, ".json'"));
      }
    } else if (group.images.size() > 1) {
      std::vector<std::string> names;
      for (const fs::path& image : group.images) names.push_back(image.filename().string());
      collector.AddBad(group.labels->string(), BadFileReason::kAmbiguousLabels,
                       absl::StrCat("images ", absl::StrJoin(names, ", "),
                                    " share this label file; rename all but one"));
    } else {
      ReadSeedSample(group.images.front(), *group.labels, collector);
    }
  }
  return std::move(collector).Finish(root);
}

absl::StatusOr<Dataset> ReadCsvManifest(absl::string_view manifest_path,
                                        const DatasetReadOptions& options) {
  const fs::path manifest{std::string(manifest_path)};
  std::error_code error;
  if (!fs::is_regular_file(manifest, error)) {
    return absl::NotFoundError(absl::StrCat("manifest '", manifest_path, "' does not exist"));
  }
  absl::StatusOr<std::string> text = ReadWholeFile(manifest);
  if (!text.ok()) return text.status();
  const std::vector<CsvRecord> records = SplitCsv(*text);
  if (records.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("manifest '", manifest_path, "' is empty"));
  }
  if (!records.front().error.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("manifest '", manifest_path, "': header: ", records.front().error));
  }
  absl::StatusOr<ManifestColumns> columns = ParseHeader(records.front(), manifest_path);
  if (!columns.ok()) return columns.status();

  const fs::path folder = manifest.parent_path();
  Collector collector(options);
  std::map<std::string, int> first_line_of_image;
  for (size_t r = 1; r < records.size(); ++r) {
    const CsvRecord& row = records[r];
    const std::string where = absl::StrCat(manifest_path, ":", row.line);
    if (!row.error.empty()) {
      collector.AddBad(where, BadFileReason::kUnparsableLabels, row.error);
      continue;
    }
    if (row.cells.size() != records.front().cells.size()) {
      collector.AddBad(where, BadFileReason::kUnparsableLabels,
                       absl::StrCat("the row has ", row.cells.size(), " cells, the header ",
                                    records.front().cells.size()));
      continue;
    }
    const std::string relative(absl::StripAsciiWhitespace(row.cells[columns->image]));
    if (relative.empty()) {
      collector.AddBad(where, BadFileReason::kInvalidLabel, "the image cell is empty");
      continue;
    }
    const fs::path image = (folder / relative).lexically_normal();
    Sample sample;
    sample.image_path = image.string();
    sample.label_source = where;
    if (std::optional<Problem> problem = FillFromRow(row, *columns, sample)) {
      collector.AddBad(where, problem->reason, std::move(problem->detail));
      continue;
    }
    if (!fs::is_regular_file(image, error)) {
      collector.AddBad(where, BadFileReason::kMissingImage,
                       absl::StrCat("image '", image.string(), "' does not exist"));
      continue;
    }
    if (auto [it, inserted] = first_line_of_image.emplace(image.string(), row.line); !inserted) {
      collector.AddBad(
          where, BadFileReason::kAmbiguousLabels,
          absl::StrCat("image '", image.string(), "' is already listed on line ", it->second));
      continue;
    }
    collector.AddSample(std::move(sample), where, where);
  }
  return std::move(collector).Finish(manifest_path);
}

absl::StatusOr<Dataset> ReadDataset(absl::string_view path, const DatasetReadOptions& options) {
  const fs::path dataset{std::string(path)};
  std::error_code error;
  if (fs::is_directory(dataset, error)) return ReadSeedFolder(path, options);
  if (!fs::exists(dataset, error)) {
    return absl::NotFoundError(absl::StrCat("dataset '", path, "' does not exist"));
  }
  if (LowerExtension(dataset) == ".csv") return ReadCsvManifest(path, options);
  return absl::InvalidArgumentError(
      absl::StrCat("dataset '", path, "' is neither a folder (seed format) nor a .csv manifest"));
}

nlohmann::json ToSeedLabelJson(const Sample& sample) {
  nlohmann::json labels = nlohmann::json::object();
  for (Attribute attribute : kAllAttributes) {
    const int grade = sample.grade(attribute);
    labels[std::string(AttributeName(attribute))] = IsValidGrade(grade) ? grade : kUnlabelled;
  }
  if (!sample.part.empty()) labels["part"] = sample.part;
  if (sample.fitzpatrick > 0) labels["fitzpatrick"] = sample.fitzpatrick;
  return labels;
}

}  // namespace skinlens::training
