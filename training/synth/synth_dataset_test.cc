#include "training/synth/synth_dataset.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "opencv2/imgcodecs.hpp"
#include "training/data/dataset_reader.h"

namespace skinlens::training {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A fresh, empty folder named after the running test.
std::string FreshDir(const std::string& suffix = "") {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const fs::path dir =
      fs::path(::testing::TempDir()) /
      (std::string("synth_") + info->test_suite_name() + "_" + info->name() + suffix);
  fs::remove_all(dir);
  return dir.string();
}

SkinSynthesizer MakeSynth(SynthConfig config = {}) {
  config.size = 64;
  absl::StatusOr<SkinSynthesizer> synth = SkinSynthesizer::Create(config);
  EXPECT_TRUE(synth.ok()) << synth.status();
  return *std::move(synth);
}

DatasetOptions Options(const std::string& dir, int64_t count) {
  DatasetOptions options;
  options.out_dir = dir;
  options.count = count;
  options.workers = 2;
  return options;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Relative path -> contents of every file under `dir`.
std::map<std::string, std::string> ReadTree(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) {
      files[fs::relative(entry.path(), dir).string()] = ReadFile(entry.path());
    }
  }
  return files;
}

nlohmann::json ReadJson(const fs::path& path) { return nlohmann::json::parse(ReadFile(path)); }

TEST(GenerateDataset, WritesTheSeedsFormat) {
  const std::string dir = FreshDir();
  const SkinSynthesizer synth = MakeSynth();
  absl::StatusOr<DatasetReport> report = GenerateDataset(synth, Options(dir, 3));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->written, 3);

  for (int64_t i = 0; i < 3; ++i) {
    const cv::Mat image = cv::imread(dir + "/" + ImageFileName(i), cv::IMREAD_UNCHANGED);
    ASSERT_FALSE(image.empty());
    EXPECT_EQ(image.type(), CV_8UC3);
    EXPECT_EQ(image.size(), cv::Size(64, 64));

    const nlohmann::json label = ReadJson(fs::path(dir) / LabelFileName(i));
    const SampleSpec spec = synth.SpecFor(i);
    for (int a = 0; a < kNumAttributes; ++a) {
      const Attribute attribute = kAllAttributes[a];
      const std::string name(AttributeName(attribute));
      ASSERT_TRUE(label.contains(name)) << name;
      ASSERT_TRUE(label[name].is_number_integer()) << name;
      EXPECT_EQ(label[name].get<int>(), spec.Labels()[a]);
      EXPECT_EQ(label["synth"]["grades_drawn"][name].get<int>(), spec.grades[a]);
      // Relative to the label file.
      const std::string mask_file = label["masks"][name].get<std::string>();
      EXPECT_EQ(mask_file, "../" + MaskFileName(i, attribute));
      const cv::Mat mask = cv::imread(dir + "/images/" + mask_file, cv::IMREAD_UNCHANGED);
      ASSERT_EQ(mask.type(), CV_8UC1) << mask_file;
      EXPECT_EQ(cv::countNonZero(mask == 0) + cv::countNonZero(mask == 255), 64 * 64);
      EXPECT_EQ(cv::countNonZero(mask) == 0, spec.grades[a] == 0) << mask_file;
    }
    EXPECT_EQ(label["part"].get<std::string>(), spec.part_name());
    EXPECT_EQ(label["fitzpatrick"].get<int>(), spec.fitzpatrick);
  }
  EXPECT_EQ(ImageFileName(3), "images/synth_0000003.png");
  EXPECT_EQ(LabelFileName(3), "images/synth_0000003.json");
  EXPECT_EQ(MaskFileName(3, Attribute::kWrinkle), "masks/synth_0000003.wrinkle.png");

  const std::vector<std::string> lines =
      absl::StrSplit(ReadFile(fs::path(dir) / "manifest.csv"), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "image,oil,hydration,wrinkle,pigmentation,sensitivity,part");
  const SampleSpec spec1 = synth.SpecFor(1);
  const std::array<int, kNumAttributes> l = spec1.Labels();
  EXPECT_EQ(lines[2], absl::StrCat("images/synth_0000001.png,", l[0], ",", l[1], ",", l[2], ",",
                                   l[3], ",", l[4], ",", spec1.part_name()));

  const nlohmann::json settings = ReadJson(fs::path(dir) / "synth.json");
  EXPECT_EQ(settings["seed"].get<uint64_t>(), synth.config().seed);
  EXPECT_EQ(settings["size"].get<int>(), 64);
  EXPECT_EQ(settings["count"].get<int>(), 3);
  EXPECT_EQ(settings["generator_version"].get<int>(), kSynthGeneratorVersion);
  EXPECT_EQ(settings["grade_weights"]["oil"].size(), 5u);
  EXPECT_EQ(settings["parts"].size(), kSynthParts.size());
}

// The dataset reader of training/data reads both entry points of an output
// folder with no bad file (masks are not mistaken for images) and the labels
// the generator meant.
TEST(GenerateDataset, DatasetReaderReadsFolderAndManifest) {
  const std::string dir = FreshDir();
  SynthConfig config;
  config.unlabelled_rate = 0.3;
  const SkinSynthesizer synth = MakeSynth(config);
  ASSERT_TRUE(GenerateDataset(synth, Options(dir, 6)).ok());
  DatasetReadOptions strict;
  strict.bad_file_policy = BadFilePolicy::kFail;
  for (const std::string& path : {dir + "/images", dir + "/manifest.csv"}) {
    absl::StatusOr<Dataset> dataset = ReadDataset(path, strict);
    ASSERT_TRUE(dataset.ok()) << path << ": " << dataset.status();
    ASSERT_EQ(dataset->samples.size(), 6u) << path;
    for (int64_t i = 0; i < 6; ++i) {
      const Sample& sample = dataset->samples[static_cast<size_t>(i)];
      EXPECT_EQ(fs::path(sample.image_path).filename(), SampleId(i) + ".png");
      EXPECT_EQ(sample.grades, synth.SpecFor(i).Labels()) << path << " sample " << i;
      EXPECT_EQ(sample.part, synth.SpecFor(i).part_name());
    }
  }
}

TEST(GenerateDataset, UnlabelledAttributesAreWrittenAsMinusOne) {
  const std::string dir = FreshDir();
  SynthConfig config;
  config.unlabelled_rate = 1.0;
  ASSERT_TRUE(GenerateDataset(MakeSynth(config), Options(dir, 2)).ok());
  const nlohmann::json label = ReadJson(fs::path(dir) / LabelFileName(1));
  for (Attribute attribute : kAllAttributes) {
    const std::string name(AttributeName(attribute));
    EXPECT_EQ(label[name].get<int>(), -1) << name;
  }
  const std::vector<std::string> lines =
      absl::StrSplit(ReadFile(fs::path(dir) / "manifest.csv"), '\n', absl::SkipEmpty());
  EXPECT_THAT(lines[1], ::testing::StartsWith("images/synth_0000000.png,-1,-1,-1,-1,-1,"));
}

TEST(GenerateDataset, SameSeedGivesSameBytesWithAnyWorkerCount) {
  const std::string a = FreshDir("_a"), b = FreshDir("_b"), c = FreshDir("_c");
  DatasetOptions one = Options(a, 6);
  one.workers = 1;
  DatasetOptions three = Options(b, 6);
  three.workers = 3;
  ASSERT_TRUE(GenerateDataset(MakeSynth(), one).ok());
  ASSERT_TRUE(GenerateDataset(MakeSynth(), three).ok());
  const std::map<std::string, std::string> files_a = ReadTree(a);
  EXPECT_EQ(files_a.size(), 6u * 7 + 2);  // image, label, 5 masks; manifest, settings
  EXPECT_TRUE(files_a == ReadTree(b));

  SynthConfig other;
  other.seed = 2;
  ASSERT_TRUE(GenerateDataset(MakeSynth(other), Options(c, 6)).ok());
  EXPECT_NE(ReadFile(fs::path(a) / ImageFileName(0)), ReadFile(fs::path(c) / ImageFileName(0)));
}

TEST(GenerateDataset, SampleDoesNotDependOnCountOrFirstIndex) {
  const std::string all = FreshDir("_all"), tail = FreshDir("_tail");
  ASSERT_TRUE(GenerateDataset(MakeSynth(), Options(all, 5)).ok());
  DatasetOptions range = Options(tail, 2);
  range.first_index = 3;
  ASSERT_TRUE(GenerateDataset(MakeSynth(), range).ok());
  for (int64_t i : {3, 4}) {
    EXPECT_EQ(ReadFile(fs::path(all) / ImageFileName(i)),
              ReadFile(fs::path(tail) / ImageFileName(i)));
    EXPECT_EQ(ReadFile(fs::path(all) / LabelFileName(i)),
              ReadFile(fs::path(tail) / LabelFileName(i)));
    EXPECT_EQ(ReadFile(fs::path(all) / MaskFileName(i, Attribute::kOil)),
              ReadFile(fs::path(tail) / MaskFileName(i, Attribute::kOil)));
  }
  EXPECT_FALSE(fs::exists(fs::path(tail) / ImageFileName(2)));
}

TEST(GenerateDataset, RefusesNonEmptyFolderUnlessOverwrite) {
  const std::string dir = FreshDir();
  fs::create_directories(dir);
  std::ofstream(fs::path(dir) / "notes.txt") << "keep me";
  absl::StatusOr<DatasetReport> refused = GenerateDataset(MakeSynth(), Options(dir, 1));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("--overwrite"));
  EXPECT_FALSE(fs::exists(fs::path(dir) / ImageFileName(0)));

  DatasetOptions options = Options(dir, 1);
  options.overwrite = true;
  ASSERT_TRUE(GenerateDataset(MakeSynth(), options).ok());
  EXPECT_TRUE(fs::exists(fs::path(dir) / ImageFileName(0)));
  EXPECT_EQ(ReadFile(fs::path(dir) / "notes.txt"), "keep me");
}

TEST(GenerateDataset, ResumeRewritesOnlyMissingSamples) {
  const std::string dir = FreshDir();
  ASSERT_TRUE(GenerateDataset(MakeSynth(), Options(dir, 4)).ok());
  const std::map<std::string, std::string> complete = ReadTree(dir);
  fs::remove(fs::path(dir) / LabelFileName(2));  // as if interrupted while writing sample 2
  DatasetOptions options = Options(dir, 4);
  options.resume = true;
  absl::StatusOr<DatasetReport> report = GenerateDataset(MakeSynth(), options);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->written, 1);
  EXPECT_EQ(report->skipped, 3);
  EXPECT_TRUE(ReadTree(dir) == complete);

  SynthConfig other;
  other.seed = 99;
  EXPECT_EQ(GenerateDataset(MakeSynth(other), options).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(GenerateDataset, ReportsProgressUpToTheTotal) {
  const std::string dir = FreshDir();
  std::vector<int64_t> seen;
  ASSERT_TRUE(GenerateDataset(MakeSynth(), Options(dir, 5), [&](int64_t done, int64_t total) {
                EXPECT_EQ(total, 5);
                seen.push_back(done);
              }).ok());
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back(), 5);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
}

TEST(GenerateDataset, RejectsBadOptions) {
  const std::string dir = FreshDir();
  DatasetOptions options = Options(dir, 1);
  options.workers = 0;
  EXPECT_EQ(GenerateDataset(MakeSynth(), options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options = Options("", 1);
  EXPECT_EQ(GenerateDataset(MakeSynth(), options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options = Options(dir, 1);
  options.png_compression = 12;
  EXPECT_EQ(GenerateDataset(MakeSynth(), options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(GenerateDataset, NamesTheFileItCannotWrite) {
  const std::string dir = FreshDir();
  fs::create_directories(dir);
  std::ofstream(fs::path(dir) / "file") << "x";
  DatasetOptions options = Options((fs::path(dir) / "file").string(), 1);
  absl::StatusOr<DatasetReport> report = GenerateDataset(MakeSynth(), options);
  EXPECT_EQ(report.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(report.status().message()), HasSubstr("not a folder"));

  const absl::Status png = WritePng(dir + "/missing/x.png", cv::Mat(4, 4, CV_8UC3), 1);
  EXPECT_EQ(png.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(png.message()), HasSubstr("missing/x.png"));
}

TEST(LabelJson, HoldsGradesPartAndDrawnGrades) {
  SynthConfig config;
  config.seed = 42;
  SampleSpec spec;
  spec.grades = {1, 0, 3, 2, 4};
  spec.labelled = {true, true, false, true, true};
  spec.part = 4;
  spec.fitzpatrick = 5;
  const nlohmann::json label = LabelJson(config, 12, spec, /*with_masks=*/false);
  EXPECT_EQ(label["oil"], 1);
  EXPECT_EQ(label["hydration"], 0);
  EXPECT_EQ(label["wrinkle"], -1);
  EXPECT_EQ(label["pigmentation"], 2);
  EXPECT_EQ(label["sensitivity"], 4);
  EXPECT_EQ(label["part"], "left_cheek");
  EXPECT_EQ(label["fitzpatrick"], 5);
  EXPECT_FALSE(label.contains("masks"));
  EXPECT_EQ(label["synth"]["grades_drawn"]["wrinkle"], 3);
  EXPECT_EQ(label["synth"]["index"], 12);
  EXPECT_EQ(label["synth"]["seed"], 42);
}

TEST(RenderContactSheet, HasOneTilePerGradeAndAttribute) {
  absl::StatusOr<cv::Mat> sheet = RenderContactSheet(1, 64);
  ASSERT_TRUE(sheet.ok()) << sheet.status();
  EXPECT_EQ(sheet->type(), CV_8UC3);
  EXPECT_GE(sheet->cols, kNumGrades * 64);
  EXPECT_GE(sheet->rows, kNumAttributes * 64);
  EXPECT_EQ(RenderContactSheet(1, 10).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace skinlens::training
