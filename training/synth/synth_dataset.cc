#include "training/synth/synth_dataset.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "opencv2/imgcodecs.hpp"
#include "opencv2/imgproc.hpp"
#include "training/data/dataset.h"
#include "training/data/dataset_reader.h"

namespace skinlens::training {
namespace {

namespace fs = std::filesystem;

constexpr char kSettingsFile[] = "synth.json";
constexpr char kManifestFile[] = "manifest.csv";
constexpr char kImageDir[] = "images";
constexpr char kMaskDir[] = "masks";

// "oil,hydration,wrinkle,pigmentation,sensitivity".
std::string AttributeNamesCsv() {
  std::vector<absl::string_view> names;
  for (Attribute attribute : kAllAttributes) names.push_back(AttributeName(attribute));
  return absl::StrJoin(names, ",");
}

absl::Status WriteTextFile(const fs::path& path, absl::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) {
    return absl::InternalError(
        absl::StrCat("cannot write '", path.string(), "': ", std::strerror(errno)));
  }
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) {
    return absl::InternalError(
        absl::StrCat("cannot write '", path.string(), "': ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

bool SampleComplete(const fs::path& dir, int64_t index, bool masks) {
  std::error_code ec;
  if (!fs::exists(dir / LabelFileName(index), ec) || !fs::exists(dir / ImageFileName(index), ec)) {
    return false;
  }
  if (masks) {
    for (Attribute attribute : kAllAttributes) {
      if (!fs::exists(dir / MaskFileName(index, attribute), ec)) return false;
    }
  }
  return true;
}

// The settings that decide the bytes of each sample (not which samples).
nlohmann::json ComparableSettings(nlohmann::json settings) {
  settings.erase("count");
  settings.erase("first_index");
  return settings;
}

// Checks and prepares the output folder.
absl::Status PrepareFolder(const SkinSynthesizer& synth, const DatasetOptions& options) {
  const fs::path dir(options.out_dir);
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec)) {
      return absl::FailedPreconditionError(
          absl::StrCat("output path '", options.out_dir, "' exists and is not a folder"));
    }
    const bool empty = fs::is_empty(dir, ec);
    if (ec) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot list '", options.out_dir, "': ", ec.message()));
    }
    if (options.resume) {
      std::ifstream in(dir / kSettingsFile);
      if (!in) {
        if (!empty) {
          return absl::FailedPreconditionError(
              absl::StrCat("cannot resume in '", options.out_dir, "': it has no ", kSettingsFile));
        }
      } else {
        nlohmann::json previous = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
        if (previous.is_discarded()) {
          return absl::FailedPreconditionError(absl::StrCat(
              "cannot resume: '", (dir / kSettingsFile).string(), "' is not valid JSON"));
        }
        if (ComparableSettings(previous) !=
            ComparableSettings(SettingsJson(synth.config(), options))) {
          return absl::FailedPreconditionError(absl::StrCat(
              "cannot resume in '", options.out_dir, "': its ", kSettingsFile,
              " was written with other settings (seed, size, weights, parts, rate, masks or "
              "generator version); use a new folder or the same settings"));
        }
      }
    } else if (!empty && !options.overwrite) {
      return absl::FailedPreconditionError(
          absl::StrCat("output folder '", options.out_dir,
                       "' is not empty; pass --overwrite to write into it or --resume to "
                       "continue a run"));
    }
  }
  for (const char* sub : {kImageDir, kMaskDir}) {
    fs::create_directories(dir / sub, ec);
    if (ec) {
      return absl::InternalError(
          absl::StrCat("cannot create '", (dir / sub).string(), "': ", ec.message()));
    }
  }
  return absl::OkStatus();
}

void PutText(cv::Mat& image, const std::string& text, cv::Point origin, double scale) {
  cv::putText(image, text, origin, cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar(235, 235, 235), 1,
              cv::LINE_AA);
}

}  // namespace

std::string SampleId(int64_t index) { return absl::StrFormat("synth_%07d", index); }
std::string ImageFileName(int64_t index) {
  return absl::StrCat(kImageDir, "/", SampleId(index), ".png");
}
std::string LabelFileName(int64_t index) {
  return absl::StrCat(kImageDir, "/", SampleId(index), ".json");
}
std::string MaskFileName(int64_t index, Attribute attribute) {
  return absl::StrCat(kMaskDir, "/", SampleId(index), ".", AttributeName(attribute), ".png");
}

nlohmann::json LabelJson(const SynthConfig& config, int64_t index, const SampleSpec& spec,
                         bool with_masks) {
  // The seed's keys come from the dataset reader's own writer, so the two
  // cannot drift apart; the rest are extras the reader ignores.
  Sample sample;
  sample.grades = spec.Labels();
  sample.part = std::string(spec.part_name());
  nlohmann::json label = ToSeedLabelJson(sample);
  nlohmann::json drawn, masks;
  for (Attribute attribute : kAllAttributes) {
    const std::string name(AttributeName(attribute));
    drawn[name] = spec.grade(attribute);
    // Relative to the label file, which is in images/.
    masks[name] = "../" + MaskFileName(index, attribute);
  }
  label["fitzpatrick"] = spec.fitzpatrick;
  if (with_masks) label["masks"] = masks;
  label["synth"] = {{"seed", config.seed},
                    {"index", index},
                    {"generator_version", kSynthGeneratorVersion},
                    {"grades_drawn", drawn}};
  return label;
}

nlohmann::json SettingsJson(const SynthConfig& config, const DatasetOptions& options) {
  nlohmann::json weights;
  for (int a = 0; a < kNumAttributes; ++a) {
    weights[std::string(AttributeName(kAllAttributes[a]))] = config.grade_weights[a];
  }
  std::vector<std::string> parts = config.parts;
  if (parts.empty()) {
    for (absl::string_view part : kSynthParts) parts.emplace_back(part);
  }
  return {
      {"generator", "skinlens-synth"},
      {"generator_version", kSynthGeneratorVersion},
      {"seed", config.seed},
      {"size", config.size},
      {"first_index", options.first_index},
      {"count", options.count},
      {"unlabelled_rate", config.unlabelled_rate},
      {"grade_weights", weights},
      {"skin_type_weights", config.skin_type_weights},
      {"parts", parts},
      {"masks", options.write_masks},
      {"hydration_grade", "dryness severity: 0 = well hydrated (no dryness drawn) .. 4 = very dry"},
      {"files",
       {{"image", "images/<id>.png"},
        {"labels", "images/<id>.json"},
        {"mask", "masks/<id>.<attribute>.png (255 where drawn)"},
        {"manifest", kManifestFile}}},
  };
}

std::string ManifestCsv(const SkinSynthesizer& synth, int64_t first_index, int64_t count) {
  std::string csv = "image,";
  absl::StrAppend(&csv, AttributeNamesCsv(), ",part\n");
  for (int64_t i = first_index; i < first_index + count; ++i) {
    const SampleSpec spec = synth.SpecFor(i);
    absl::StrAppend(&csv, ImageFileName(i), ",", absl::StrJoin(spec.Labels(), ","), ",",
                    spec.part_name(), "\n");
  }
  return csv;
}

absl::Status WritePng(const std::string& path, const cv::Mat& image, int compression) {
  if (image.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("cannot write '", path, "': empty image"));
  }
  try {
    if (!cv::imwrite(path, image, {cv::IMWRITE_PNG_COMPRESSION, compression})) {
      return absl::InternalError(absl::StrCat("cannot write '", path, "'"));
    }
  } catch (const cv::Exception& e) {
    return absl::InternalError(absl::StrCat("cannot write '", path, "': ", e.what()));
  }
  return absl::OkStatus();
}

absl::Status WriteSample(const SkinSynthesizer& synth, const DatasetOptions& options,
                         int64_t index) {
  const fs::path dir(options.out_dir);
  const SampleSpec spec = synth.SpecFor(index);
  absl::StatusOr<SynthSample> sample = synth.Render(spec);
  if (!sample.ok()) return sample.status();
  if (options.write_masks) {
    for (Attribute attribute : kAllAttributes) {
      if (absl::Status s = WritePng((dir / MaskFileName(index, attribute)).string(),
                                    sample->mask(attribute), options.png_compression);
          !s.ok()) {
        return s;
      }
    }
  }
  if (absl::Status s =
          WritePng((dir / ImageFileName(index)).string(), sample->image, options.png_compression);
      !s.ok()) {
    return s;
  }
  return WriteTextFile(dir / LabelFileName(index),
                       LabelJson(synth.config(), index, spec, options.write_masks).dump(2) + "\n");
}

absl::StatusOr<DatasetReport> GenerateDataset(const SkinSynthesizer& synth,
                                              const DatasetOptions& options,
                                              const DatasetProgress& progress) {
  if (options.out_dir.empty()) return absl::InvalidArgumentError("no output folder given");
  if (options.count < 0 || options.first_index < 0) {
    return absl::InvalidArgumentError(absl::StrCat("count (", options.count, ") and first index (",
                                                   options.first_index, ") must be >= 0"));
  }
  if (options.workers < 1) {
    return absl::InvalidArgumentError(absl::StrCat("workers must be >= 1, not ", options.workers));
  }
  if (options.png_compression < 0 || options.png_compression > 9) {
    return absl::InvalidArgumentError(
        absl::StrCat("PNG compression ", options.png_compression, " is outside 0..9"));
  }
  if (absl::Status s = PrepareFolder(synth, options); !s.ok()) return s;
  const fs::path dir(options.out_dir);
  if (absl::Status s =
          WriteTextFile(dir / kSettingsFile, SettingsJson(synth.config(), options).dump(2) + "\n");
      !s.ok()) {
    return s;
  }

  const absl::Time start = absl::Now();
  std::atomic<int64_t> next{0};
  absl::Mutex mu;
  absl::CondVar changed;
  int64_t done = 0;               // guarded by mu
  int64_t skipped = 0;            // guarded by mu
  int running = options.workers;  // guarded by mu
  absl::Status error;             // guarded by mu: the first failure
  std::atomic<bool> stop{false};

  auto work = [&] {
    while (!stop.load()) {
      const int64_t k = next.fetch_add(1);
      if (k >= options.count) break;
      const int64_t index = options.first_index + k;
      bool skip = options.resume && SampleComplete(dir, index, options.write_masks);
      absl::Status status = skip ? absl::OkStatus() : WriteSample(synth, options, index);
      absl::MutexLock lock(&mu);
      if (!status.ok()) {
        if (error.ok()) error = status;
        stop.store(true);
        break;
      }
      ++done;
      if (skip) ++skipped;
    }
    absl::MutexLock lock(&mu);
    --running;
    changed.SignalAll();
  };
  std::vector<std::thread> threads;
  const int workers =
      static_cast<int>(std::min<int64_t>(options.workers, std::max<int64_t>(1, options.count)));
  {
    absl::MutexLock lock(&mu);
    running = workers;
  }
  for (int w = 0; w < workers; ++w) threads.emplace_back(work);
  while (true) {
    int64_t now_done = 0;
    bool finished = false;
    {
      absl::MutexLock lock(&mu);
      if (running > 0) changed.WaitWithTimeout(&mu, absl::Milliseconds(100));
      now_done = done;
      finished = running == 0;
    }
    if (progress) progress(now_done, options.count);
    if (finished) break;
  }
  for (std::thread& t : threads) t.join();
  if (!error.ok()) return error;

  if (absl::Status s = WriteTextFile(dir / kManifestFile,
                                     ManifestCsv(synth, options.first_index, options.count));
      !s.ok()) {
    return s;
  }
  DatasetReport report;
  report.written = done - skipped;
  report.skipped = skipped;
  report.seconds = absl::ToDoubleSeconds(absl::Now() - start);
  return report;
}

absl::StatusOr<cv::Mat> RenderContactSheet(uint64_t seed, int tile) {
  if (tile < 48 || tile > 512) {
    return absl::InvalidArgumentError(
        absl::StrCat("contact sheet tile ", tile, " is outside 48..512"));
  }
  SynthConfig config;
  config.seed = seed;
  config.size = tile;
  absl::StatusOr<SkinSynthesizer> synth = SkinSynthesizer::Create(config);
  if (!synth.ok()) return synth.status();

  // One skin per row, chosen to show the attribute on a typical region.
  struct Row {
    Attribute attribute;
    const char* part;
    int fitzpatrick;
  };
  constexpr Row kRows[] = {{Attribute::kOil, "forehead", 3},
                           {Attribute::kHydration, "left_cheek", 4},
                           {Attribute::kWrinkle, "left_eye", 2},
                           {Attribute::kPigmentation, "right_cheek", 3},
                           {Attribute::kSensitivity, "left_cheek", 2}};
  const int label_w = std::max(80, tile * 9 / 10);
  const int header_h = std::max(20, tile / 5);
  const int gap = 2;
  cv::Mat sheet(header_h + kNumAttributes * (tile + gap), label_w + kNumGrades * (tile + gap),
                CV_8UC3, cv::Scalar(40, 40, 40));
  const double font = std::max(0.35, tile / 256.0);
  try {
    for (int g = 0; g < kNumGrades; ++g) {
      PutText(sheet, absl::StrCat("grade ", g),
              cv::Point(label_w + g * (tile + gap) + tile / 4, header_h * 2 / 3), font);
    }
    for (int r = 0; r < kNumAttributes; ++r) {
      const Row& row = kRows[r];
      const int y = header_h + r * (tile + gap);
      PutText(sheet, std::string(AttributeName(row.attribute)), cv::Point(6, y + tile / 2), font);
      for (int g = 0; g < kNumGrades; ++g) {
        SampleSpec spec;
        spec.grade(row.attribute) = g;
        spec.part = static_cast<int>(std::find(kSynthParts.begin(), kSynthParts.end(), row.part) -
                                     kSynthParts.begin());
        spec.fitzpatrick = row.fitzpatrick;
        spec.appearance_seed = seed * 1000003u + static_cast<uint64_t>(r);
        spec.neutral_capture = true;
        absl::StatusOr<SynthSample> sample = synth->Render(spec);
        if (!sample.ok()) return sample.status();
        sample->image.copyTo(sheet(cv::Rect(label_w + g * (tile + gap), y, tile, tile)));
      }
    }
  } catch (const cv::Exception& e) {
    return absl::InternalError(absl::StrCat("cannot draw the contact sheet: ", e.what()));
  }
  return sheet;
}

}  // namespace skinlens::training
