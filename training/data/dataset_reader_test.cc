#include "training/data/dataset_reader.h"

#include <functional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "training/data/test_files.h"

namespace skinlens::training {
namespace {

using ::testing::ElementsAre;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

std::array<int, kNumAttributes> Grades(int oil, int hydration, int wrinkle, int pigmentation,
                                       int sensitivity) {
  return {oil, hydration, wrinkle, pigmentation, sensitivity};
}

// ---------------------------------------------------------------- folder reader

TEST(ReadSeedFolder, ReadsImagesWithSameNameJsonRecursivelySortedByPath) {
  TempFolder folder;
  WriteTinyImage(folder.Path("b/cheek/0002.jpg"));
  WriteText(folder.Path("b/cheek/0002.json"),
            R"({"oil": 4, "hydration": 3, "wrinkle": 2, "pigmentation": 1, "sensitivity": 0})");
  WriteTinyImage(folder.Path("a/0001.png"));
  WriteText(folder.Path("a/0001.json"), R"({"oil": 1, "part": "forehead"})");
  WriteText(folder.Path("a/notes.txt"), "not part of the dataset");

  absl::StatusOr<Dataset> dataset = ReadSeedFolder(folder.root(), {});
  ASSERT_TRUE(dataset.ok()) << dataset.status();
  EXPECT_THAT(dataset->bad_files, IsEmpty());
  ASSERT_THAT(dataset->samples, SizeIs(2));
  const Sample& first = dataset->samples[0];
  EXPECT_EQ(first.image_path, folder.Path("a/0001.png"));
  EXPECT_EQ(first.label_source, folder.Path("a/0001.json"));
  EXPECT_EQ(first.grades, Grades(1, kUnlabelled, kUnlabelled, kUnlabelled, kUnlabelled));
  EXPECT_EQ(first.part, "forehead");
  const Sample& second = dataset->samples[1];
  EXPECT_EQ(second.image_path, folder.Path("b/cheek/0002.jpg"));
  EXPECT_EQ(second.grades, Grades(4, 3, 2, 1, 0));
  EXPECT_EQ(second.part, "");
}

TEST(ReadSeedFolder, MinusOneMinusTwoAndNullAreUnlabelledAndTheSampleIsKept) {
  TempFolder folder;
  WriteTinyImage(folder.Path("x.png"));
  WriteText(folder.Path("x.json"),
            R"({"oil": -1, "hydration": -2, "wrinkle": null, "pigmentation": 3})");
  absl::StatusOr<Dataset> dataset = ReadSeedFolder(folder.root(), {});
  ASSERT_TRUE(dataset.ok()) << dataset.status();
  ASSERT_THAT(dataset->samples, SizeIs(1));
  EXPECT_EQ(dataset->samples[0].grades,
            Grades(kUnlabelled, kUnlabelled, kUnlabelled, 3, kUnlabelled));
}

TEST(ReadSeedFolder, AcceptsSensitiveAsAliasOfSensitivity) {
  TempFolder folder;
  WriteTinyImage(folder.Path("x.png"));
  WriteText(folder.Path("x.json"), R"({"sensitive": 2})");
  absl::StatusOr<Dataset> dataset = ReadSeedFolder(folder.root(), {});
  ASSERT_TRUE(dataset.ok()) << dataset.status();
  ASSERT_THAT(dataset->samples, SizeIs(1));
  EXPECT_EQ(dataset->samples[0].grade(Attribute::kSensitivity), 2);
}

TEST(ReadSeedFolder, StoresAnIntegerPartAsDecimalTextAndIgnoresOtherKeys) {
  TempFolder folder;
  WriteTinyImage(folder.Path("region.v2.png"));
  WriteText(folder.Path("region.v2.json"), R"({"wrinkle": 0, "part": 3, "age": 41, "id": "k"})");
  absl::StatusOr<Dataset> dataset = ReadSeedFolder(folder.root(), {});
  ASSERT_TRUE(dataset.ok()) << dataset.status();
  ASSERT_THAT(dataset->samples, SizeIs(1));
  EXPECT_EQ(dataset->samples[0].part, "3");
  EXPECT_EQ(dataset->samples[0].grade(Attribute::kWrinkle), 0);
}

TEST(ReadSeedFolder, ReadsTheOptionalFitzpatrickSkinType) {
  TempFolder folder;
  WriteTinyImage(folder.Path("a.png"));
  WriteText(folder.Path("a.json"), R"({"oil": 1, "fitzpatrick": 5})");
  WriteTinyImage(folder.Path("b.png"));
  WriteText(folder.Path("b.json"), R"({"oil": 2})");
  absl::StatusOr<Dataset> dataset = ReadSeedFolder(folder.root(), {});
  ASSERT_TRUE(dataset.ok()) << dataset.status();
  ASSERT_THAT(dataset->samples, SizeIs(2));
  EXPECT_EQ(dataset->samples[0].fitzpatrick, 5);
  EXPECT_EQ(dataset->samples[1].fitzpatrick, 0);  // Unknown.
  EXPECT_EQ(ToSeedLabelJson(dataset->samples[0])["fitzpatrick"], 5);
  EXPECT_FALSE(ToSeedLabelJson(dataset->samples[1]).contains("fitzpatrick"));
}

TEST(ReadSeedFolder, MatchesExtensionsCaseInsensitively) {
  TempFolder folder;
  WriteTinyImage(folder.Path("x.PNG"));
  WriteText(folder.Path("x.JSON"), R"({"oil": 0})");
  WriteTinyImage(folder.Path("y.jpeg"));
  WriteText(folder.Path("y.json"), R"({"oil": 1})");
  absl::StatusOr<Dataset> dataset = ReadSeedFolder(folder.root(), {});
  ASSERT_TRUE(dataset.ok()) << dataset.status();
  EXPECT_THAT(dataset->samples, SizeIs(2));
  EXPECT_THAT(dataset->bad_files, IsEmpty());
}

TEST(ReadSeedFolder, LabelJsonWrittenByToSeedLabelJsonReadsBack) {
  TempFolder folder;
  Sample sample;
  sample.grades = Grades(2, kUnlabelled, 4, 0, 1);
  sample.part = "chin";
  WriteTinyImage(folder.Path("s.png"));
  WriteText(folder.Path("s.json"), ToSeedLabelJson(sample).dump());
  absl::StatusOr<Dataset> dataset = ReadSeedFolder(folder.root(), {});
  ASSERT_TRUE(dataset.ok()) << dataset.status();
  ASSERT_THAT(dataset->samples, SizeIs(1));
  EXPECT_EQ(dataset->samples[0].grades, sample.grades);
  EXPECT_EQ(dataset->samples[0].part, "chin");
  EXPECT_EQ(
      ToSeedLabelJson(sample).dump(),
      R"({"hydration":-1,"oil":2,"part":"chin","pigmentation":0,"sensitivity":1,"wrinkle":4})");
}

TEST(ReadSeedFolder, MissingRootIsNotFoundAndAFileIsInvalidArgument) {
  TempFolder folder;
  EXPECT_EQ(ReadSeedFolder(folder.Path("absent"), {}).status().code(), absl::StatusCode::kNotFound);
  WriteText(folder.Path("file.txt"), "x");
  EXPECT_EQ(ReadSeedFolder(folder.Path("file.txt"), {}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ReadSeedFolder, EmptyFolderGivesEmptyDataset) {
  TempFolder folder;
  absl::StatusOr<Dataset> dataset = ReadSeedFolder(folder.root(), {});
  ASSERT_TRUE(dataset.ok());
  EXPECT_THAT(dataset->samples, IsEmpty());
  EXPECT_THAT(dataset->bad_files, IsEmpty());
}

TEST(ReadSeedFolder, SkipPolicyReportsEveryBadFileAndKeepsTheGoodOnes) {
  TempFolder folder;
  WriteTinyImage(folder.Path("good.png"));
  WriteText(folder.Path("good.json"), R"({"oil": 1})");
  WriteTinyImage(folder.Path("no_labels.png"));
  WriteText(folder.Path("orphan.json"), R"({"oil": 1})");
  WriteTinyImage(folder.Path("seven.png"));
  WriteText(folder.Path("seven.json"), R"({"oil": 7})");
  absl::StatusOr<Dataset> dataset = ReadSeedFolder(folder.root(), {});
  ASSERT_TRUE(dataset.ok()) << dataset.status();
  ASSERT_THAT(dataset->samples, SizeIs(1));
  ASSERT_THAT(dataset->bad_files, SizeIs(3));
  EXPECT_EQ(dataset->bad_files[0].path, folder.Path("no_labels.png"));
  EXPECT_EQ(dataset->bad_files[1].path, folder.Path("orphan.json"));
  EXPECT_EQ(dataset->bad_files[2].path, folder.Path("seven.json"));
  EXPECT_THAT(BadFileReport(dataset->bad_files), HasSubstr("3 bad files skipped"));
}

// One kind of bad file, written beside a good sample.
struct BadFileCase {
  std::string name;
  std::function<void(const TempFolder&)> write;
  BadFileReason reason;
  std::string reported;  // The reported path, relative to the folder / manifest.
  absl::StatusCode fail_code;
  bool validate_images = false;
};

// GoogleTest prints the case by name in failure messages.
void PrintTo(const BadFileCase& bad_case, std::ostream* out) { *out << bad_case.name; }

std::string CaseName(const testing::TestParamInfo<std::tuple<BadFileCase, BadFilePolicy>>& info) {
  return std::get<0>(info.param).name +
         (std::get<1>(info.param) == BadFilePolicy::kSkip ? "_Skip" : "_Fail");
}

void WriteJsonSample(const TempFolder& folder, const std::string& json) {
  WriteTinyImage(folder.Path("bad/x.png"));
  WriteText(folder.Path("bad/x.json"), json);
}

std::vector<BadFileCase> FolderCases() {
  const auto json = [](std::string text) {
    return [text](const TempFolder& folder) { WriteJsonSample(folder, text); };
  };
  const auto invalid = absl::StatusCode::kInvalidArgument;
  return {
      {"MissingJson", [](const TempFolder& f) { WriteTinyImage(f.Path("bad/x.png")); },
       BadFileReason::kMissingLabels, "bad/x.png", absl::StatusCode::kNotFound},
      {"UnparsableJson", json(R"({"oil": 2)"), BadFileReason::kUnparsableLabels, "bad/x.json",
       invalid},
      {"JsonNotAnObject", json("[1, 2]"), BadFileReason::kUnparsableLabels, "bad/x.json", invalid},
      {"GradeAboveFour", json(R"({"oil": 5})"), BadFileReason::kInvalidLabel, "bad/x.json",
       invalid},
      {"GradeMinusThree", json(R"({"wrinkle": -3})"), BadFileReason::kInvalidLabel, "bad/x.json",
       invalid},
      {"GradeAsText", json(R"({"oil": "2"})"), BadFileReason::kInvalidLabel, "bad/x.json", invalid},
      {"GradeNotWhole", json(R"({"oil": 2.5})"), BadFileReason::kInvalidLabel, "bad/x.json",
       invalid},
      {"GradeHugeUnsigned", json(R"({"oil": 18446744073709551615})"), BadFileReason::kInvalidLabel,
       "bad/x.json", invalid},
      {"PartNotStringOrInteger", json(R"({"oil": 1, "part": true})"), BadFileReason::kInvalidLabel,
       "bad/x.json", invalid},
      {"FitzpatrickOutOfRange", json(R"({"oil": 1, "fitzpatrick": 7})"),
       BadFileReason::kInvalidLabel, "bad/x.json", invalid},
      {"FitzpatrickAsText", json(R"({"oil": 1, "fitzpatrick": "IV"})"),
       BadFileReason::kInvalidLabel, "bad/x.json", invalid},
      {"AliasDisagrees", json(R"({"sensitivity": 1, "sensitive": 2})"),
       BadFileReason::kInvalidLabel, "bad/x.json", invalid},
      {"NoAttributeLabelled", json(R"({"oil": -1, "wrinkle": -2, "part": "chin"})"),
       BadFileReason::kNoLabels, "bad/x.json", invalid},
      {"LabelWithoutImage",
       [](const TempFolder& f) { WriteText(f.Path("bad/x.json"), R"({"oil": 1})"); },
       BadFileReason::kMissingImage, "bad/x.json", absl::StatusCode::kNotFound},
      {"TwoImagesOneLabel",
       [](const TempFolder& f) {
         WriteJsonSample(f, R"({"oil": 1})");
         WriteTinyImage(f.Path("bad/x.jpg"));
       },
       BadFileReason::kAmbiguousLabels, "bad/x.json", invalid},
      {"UnreadableImage",
       [](const TempFolder& f) {
         WriteText(f.Path("bad/x.png"), "not a png");
         WriteText(f.Path("bad/x.json"), R"({"oil": 1})");
       },
       BadFileReason::kUnreadableImage, "bad/x.png", invalid, /*validate_images=*/true},
  };
}

class ReadSeedFolderBadFile
    : public testing::TestWithParam<std::tuple<BadFileCase, BadFilePolicy>> {};

TEST_P(ReadSeedFolderBadFile, IsReportedWithPathAndReasonUnderBothPolicies) {
  const auto& [bad_case, policy] = GetParam();
  TempFolder folder;
  WriteTinyImage(folder.Path("good/ok.png"));
  WriteText(folder.Path("good/ok.json"), R"({"oil": 3})");
  bad_case.write(folder);
  DatasetReadOptions options;
  options.bad_file_policy = policy;
  options.validate_images = bad_case.validate_images;

  absl::StatusOr<Dataset> dataset = ReadSeedFolder(folder.root(), options);
  if (policy == BadFilePolicy::kFail) {
    EXPECT_EQ(dataset.status().code(), bad_case.fail_code) << dataset.status();
    EXPECT_THAT(dataset.status().message(), HasSubstr(folder.Path(bad_case.reported)));
    EXPECT_THAT(dataset.status().message(), HasSubstr(BadFileReasonName(bad_case.reason)));
    return;
  }
  ASSERT_TRUE(dataset.ok()) << dataset.status();
  ASSERT_THAT(dataset->samples, SizeIs(1));
  EXPECT_EQ(dataset->samples[0].image_path, folder.Path("good/ok.png"));
  ASSERT_THAT(dataset->bad_files, SizeIs(1));
  EXPECT_EQ(dataset->bad_files[0].path, folder.Path(bad_case.reported));
  EXPECT_EQ(dataset->bad_files[0].reason, bad_case.reason);
  EXPECT_FALSE(dataset->bad_files[0].detail.empty());
}

INSTANTIATE_TEST_SUITE_P(Cases, ReadSeedFolderBadFile,
                         testing::Combine(testing::ValuesIn(FolderCases()),
                                          testing::Values(BadFilePolicy::kSkip,
                                                          BadFilePolicy::kFail)),
                         CaseName);

TEST(ReadSeedFolder, CorruptImageIsAcceptedWhenValidationIsOff) {
  TempFolder folder;
  WriteText(folder.Path("x.png"), "not a png");
  WriteText(folder.Path("x.json"), R"({"oil": 1})");
  absl::StatusOr<Dataset> dataset = ReadSeedFolder(folder.root(), {});
  ASSERT_TRUE(dataset.ok());
  EXPECT_THAT(dataset->samples, SizeIs(1));
}

// ---------------------------------------------------------------- CSV manifest

TEST(ReadCsvManifest, ReadsRowsRelativeToTheManifestWithEmptyCellsUnlabelled) {
  TempFolder folder;
  WriteTinyImage(folder.Path("data/img/a.png"));
  WriteTinyImage(folder.Path("data/img/b c.jpg"));
  WriteText(folder.Path("data/manifest.csv"),
            "image,oil,hydration,wrinkle,pigmentation,sensitivity,part\n"
            "img/a.png,0,1,2,3,4,forehead\n"
            "\n"
            "img/b c.jpg, 2 ,,-1,-2,,7\n");
  absl::StatusOr<Dataset> dataset = ReadCsvManifest(folder.Path("data/manifest.csv"), {});
  ASSERT_TRUE(dataset.ok()) << dataset.status();
  EXPECT_THAT(dataset->bad_files, IsEmpty());
  ASSERT_THAT(dataset->samples, SizeIs(2));
  EXPECT_EQ(dataset->samples[0].image_path, folder.Path("data/img/a.png"));
  EXPECT_EQ(dataset->samples[0].grades, Grades(0, 1, 2, 3, 4));
  EXPECT_EQ(dataset->samples[0].part, "forehead");
  EXPECT_EQ(dataset->samples[0].label_source, folder.Path("data/manifest.csv") + ":2");
  EXPECT_EQ(dataset->samples[1].image_path, folder.Path("data/img/b c.jpg"));
  EXPECT_EQ(dataset->samples[1].grades,
            Grades(2, kUnlabelled, kUnlabelled, kUnlabelled, kUnlabelled));
  EXPECT_EQ(dataset->samples[1].part, "7");
  EXPECT_EQ(dataset->samples[1].label_source, folder.Path("data/manifest.csv") + ":4");
}

TEST(ReadCsvManifest, AcceptsAnyColumnOrderAliasQuotesBomCrlfAndAbsolutePaths) {
  TempFolder folder;
  WriteTinyImage(folder.Path("img/with,comma \"q\".png"));
  WriteTinyImage(folder.Path("abs.png"));
  WriteText(folder.Path("m.csv"),
            "\xEF\xBB\xBFsensitive,image,wrinkle\r\n"
            "3,\"img/with,comma \"\"q\"\".png\",1\r\n" +
                absl::StrCat("0,", folder.Path("abs.png"), ",\r\n"));
  absl::StatusOr<Dataset> dataset = ReadCsvManifest(folder.Path("m.csv"), {});
  ASSERT_TRUE(dataset.ok()) << dataset.status();
  EXPECT_THAT(dataset->bad_files, IsEmpty());
  ASSERT_THAT(dataset->samples, SizeIs(2));
  EXPECT_EQ(dataset->samples[0].image_path, folder.Path("img/with,comma \"q\".png"));
  EXPECT_EQ(dataset->samples[0].grades, Grades(kUnlabelled, kUnlabelled, 1, kUnlabelled, 3));
  EXPECT_EQ(dataset->samples[1].image_path, folder.Path("abs.png"));
  EXPECT_EQ(dataset->samples[1].grade(Attribute::kSensitivity), 0);
}

TEST(ReadCsvManifest, BadHeaderFailsWhateverThePolicy) {
  TempFolder folder;
  for (const std::string header :
       {"image,oil,hydratoin", "oil,wrinkle", "image,oil,oil", "image,sensitivity,sensitive"}) {
    WriteText(folder.Path("m.csv"), header + "\n");
    absl::StatusOr<Dataset> dataset = ReadCsvManifest(folder.Path("m.csv"), {});
    EXPECT_EQ(dataset.status().code(), absl::StatusCode::kInvalidArgument) << header;
  }
  WriteText(folder.Path("m.csv"), "image,oil,hydratoin\n");
  EXPECT_THAT(ReadCsvManifest(folder.Path("m.csv"), {}).status().message(),
              HasSubstr("unknown column 'hydratoin'"));
  WriteText(folder.Path("m.csv"), "");
  EXPECT_EQ(ReadCsvManifest(folder.Path("m.csv"), {}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ReadCsvManifest, MissingManifestIsNotFound) {
  TempFolder folder;
  EXPECT_EQ(ReadCsvManifest(folder.Path("none.csv"), {}).status().code(),
            absl::StatusCode::kNotFound);
}

std::vector<BadFileCase> CsvCases() {
  // Line 1 is the header, line 2 the good row, line 3 the bad one.
  const auto row = [](std::string text) {
    return [text](const TempFolder& f) {
      WriteTinyImage(f.Path("x.png"));
      WriteText(f.Path("m.csv"), "image,oil,wrinkle,part\nok.png,3,,\n" + text + "\n");
    };
  };
  const auto invalid = absl::StatusCode::kInvalidArgument;
  return {
      {"TooFewCells", row("x.png,1"), BadFileReason::kUnparsableLabels, "m.csv:3", invalid},
      {"TooManyCells", row("x.png,1,2,chin,extra"), BadFileReason::kUnparsableLabels, "m.csv:3",
       invalid},
      {"UnclosedQuote", row("\"x.png,1,2,chin"), BadFileReason::kUnparsableLabels, "m.csv:3",
       invalid},
      {"GradeAboveFour", row("x.png,9,,"), BadFileReason::kInvalidLabel, "m.csv:3", invalid},
      {"GradeNotInteger", row("x.png,two,,"), BadFileReason::kInvalidLabel, "m.csv:3", invalid},
      {"EmptyImageCell", row(",1,,"), BadFileReason::kInvalidLabel, "m.csv:3", invalid},
      {"NoAttributeLabelled", row("x.png,,-1,chin"), BadFileReason::kNoLabels, "m.csv:3", invalid},
      {"MissingImage", row("absent.png,1,,"), BadFileReason::kMissingImage, "m.csv:3",
       absl::StatusCode::kNotFound},
      {"ImageListedTwice", row("./ok.png,1,,"), BadFileReason::kAmbiguousLabels, "m.csv:3",
       invalid},
      {"UnreadableImage",
       [](const TempFolder& f) {
         WriteText(f.Path("x.png"), "not a png");
         WriteText(f.Path("m.csv"), "image,oil,wrinkle,part\nok.png,3,,\nx.png,1,,\n");
       },
       BadFileReason::kUnreadableImage, "m.csv:3", invalid, /*validate_images=*/true},
  };
}

class ReadCsvManifestBadRow
    : public testing::TestWithParam<std::tuple<BadFileCase, BadFilePolicy>> {};

TEST_P(ReadCsvManifestBadRow, IsReportedWithLineAndReasonUnderBothPolicies) {
  const auto& [bad_case, policy] = GetParam();
  TempFolder folder;
  WriteTinyImage(folder.Path("ok.png"));
  bad_case.write(folder);
  DatasetReadOptions options;
  options.bad_file_policy = policy;
  options.validate_images = bad_case.validate_images;

  absl::StatusOr<Dataset> dataset = ReadCsvManifest(folder.Path("m.csv"), options);
  if (policy == BadFilePolicy::kFail) {
    EXPECT_EQ(dataset.status().code(), bad_case.fail_code) << dataset.status();
    EXPECT_THAT(dataset.status().message(), HasSubstr(folder.Path(bad_case.reported)));
    EXPECT_THAT(dataset.status().message(), HasSubstr(BadFileReasonName(bad_case.reason)));
    return;
  }
  ASSERT_TRUE(dataset.ok()) << dataset.status();
  ASSERT_THAT(dataset->samples, SizeIs(1));
  EXPECT_EQ(dataset->samples[0].image_path, folder.Path("ok.png"));
  EXPECT_EQ(dataset->samples[0].grade(Attribute::kOil), 3);
  ASSERT_THAT(dataset->bad_files, SizeIs(1));
  EXPECT_EQ(dataset->bad_files[0].path, folder.Path(bad_case.reported));
  EXPECT_EQ(dataset->bad_files[0].reason, bad_case.reason);
  EXPECT_FALSE(dataset->bad_files[0].detail.empty());
}

INSTANTIATE_TEST_SUITE_P(Cases, ReadCsvManifestBadRow,
                         testing::Combine(testing::ValuesIn(CsvCases()),
                                          testing::Values(BadFilePolicy::kSkip,
                                                          BadFilePolicy::kFail)),
                         CaseName);

// ---------------------------------------------------------------- ReadDataset

TEST(ReadDataset, DispatchesOnFolderOrCsvFile) {
  TempFolder folder;
  WriteTinyImage(folder.Path("set/a.png"));
  WriteText(folder.Path("set/a.json"), R"({"oil": 2})");
  WriteText(folder.Path("m.csv"), "image,oil\nset/a.png,4\n");
  WriteText(folder.Path("notes.txt"), "x");

  absl::StatusOr<Dataset> from_folder = ReadDataset(folder.Path("set"), {});
  ASSERT_TRUE(from_folder.ok()) << from_folder.status();
  ASSERT_THAT(from_folder->samples, SizeIs(1));
  EXPECT_EQ(from_folder->samples[0].grade(Attribute::kOil), 2);

  absl::StatusOr<Dataset> from_csv = ReadDataset(folder.Path("m.csv"), {});
  ASSERT_TRUE(from_csv.ok()) << from_csv.status();
  ASSERT_THAT(from_csv->samples, SizeIs(1));
  EXPECT_EQ(from_csv->samples[0].grade(Attribute::kOil), 4);

  EXPECT_EQ(ReadDataset(folder.Path("notes.txt"), {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadDataset(folder.Path("absent"), {}).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace skinlens::training
