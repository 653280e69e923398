#include "training/synth/skin_synth.h"

#include <algorithm>
#include <array>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "opencv2/imgcodecs.hpp"
#include "opencv2/imgproc.hpp"

namespace skinlens::training {
namespace {

constexpr int kTestSize = 96;

SkinSynthesizer MakeSynth(uint64_t seed = 7, int size = kTestSize) {
  SynthConfig config;
  config.seed = seed;
  config.size = size;
  absl::StatusOr<SkinSynthesizer> synth = SkinSynthesizer::Create(config);
  EXPECT_TRUE(synth.ok()) << synth.status();
  return *std::move(synth);
}

std::vector<uchar> PngBytes(const cv::Mat& image) {
  std::vector<uchar> bytes;
  cv::imencode(".png", image, bytes);
  return bytes;
}

SynthSample RenderOk(const SkinSynthesizer& synth, const SampleSpec& spec) {
  absl::StatusOr<SynthSample> sample = synth.Render(spec);
  EXPECT_TRUE(sample.ok()) << sample.status();
  return *std::move(sample);
}

// A sample with only `attribute` at `grade`; the skin, part and capture come
// from sample `index`, so different grades can be compared on the same skin.
SampleSpec OnlyAttribute(const SkinSynthesizer& synth, int64_t index, Attribute attribute,
                         int grade) {
  SampleSpec spec = synth.SpecFor(index);
  spec.grades.fill(0);
  spec.grade(attribute) = grade;
  return spec;
}

cv::Mat Gray(const cv::Mat& image) {
  cv::Mat gray;
  cv::cvtColor(image, gray, cv::COLOR_BGR2GRAY);
  gray.convertTo(gray, CV_32F);
  return gray;
}

// Brightness relative to the image's large-scale shading.
cv::Mat RelativeBrightness(const cv::Mat& image) {
  cv::Mat gray = Gray(image), base;
  cv::GaussianBlur(gray, base, cv::Size(), image.cols / 6.0);
  return gray / (base + 1.0);
}

double FractionAbove(const cv::Mat& field, double threshold) {
  return cv::countNonZero(field > threshold) / static_cast<double>(field.total());
}

// The simple statistics the strength tests use, one per attribute.
// Share of specular pixels: brighter than the image's median by 15%.
double Shine(const cv::Mat& image) {
  cv::Mat gray = Gray(image);
  std::vector<float> values(gray.begin<float>(), gray.end<float>());
  std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
  return FractionAbove(gray, 1.15 * values[values.size() / 2]);
}
double HighFrequencyEnergy(const cv::Mat& image) {
  cv::Mat gray = Gray(image), smooth;
  cv::GaussianBlur(gray, smooth, cv::Size(), 1.5);
  return cv::mean(cv::abs(gray - smooth))[0];
}
// Pixels of the connected components of `binary` that pass `keep`.
template <typename Keep>
double ComponentArea(const cv::Mat& binary, Keep keep) {
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(binary, labels, stats, centroids, 8);
  double area = 0;
  for (int i = 1; i < n; ++i) {
    if (keep(stats.row(i))) area += stats.at<int>(i, cv::CC_STAT_AREA);
  }
  return area / static_cast<double>(binary.total());
}
// Dark thin structures (black-hat) at least 10 px long: lines, not pores.
double LinePixels(const cv::Mat& image) {
  cv::Mat gray = Gray(image), hat;
  cv::morphologyEx(gray, hat, cv::MORPH_BLACKHAT,
                   cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(7, 7)));
  return ComponentArea(hat > 10.0, [](const cv::Mat& s) {
    return std::max(s.at<int>(cv::CC_STAT_WIDTH), s.at<int>(cv::CC_STAT_HEIGHT)) >= 10;
  });
}
// Area of dark blobs of at least 6 px (pores are smaller).
double DarkSpotArea(const cv::Mat& image) {
  return ComponentArea(RelativeBrightness(image) < 0.9,
                       [](const cv::Mat& s) { return s.at<int>(cv::CC_STAT_AREA) >= 6; });
}
double RedExcess(const cv::Mat& image) {  // mean CIELAB a*
  cv::Mat lab;
  cv::cvtColor(image, lab, cv::COLOR_BGR2Lab);
  return cv::mean(lab)[1] - 128.0;
}

using Statistic = double (*)(const cv::Mat&);

// Mean of `stat` per grade over the same `n` skins.
std::array<double, kNumGrades> MeanPerGrade(Attribute attribute, Statistic stat, int n = 8) {
  const SkinSynthesizer synth = MakeSynth(11);
  std::array<double, kNumGrades> means{};
  for (int g = 0; g < kNumGrades; ++g) {
    for (int k = 0; k < n; ++k) {
      means[g] += stat(RenderOk(synth, OnlyAttribute(synth, 100 + k, attribute, g)).image) / n;
    }
  }
  return means;
}

void ExpectStrictlyIncreasing(const std::array<double, kNumGrades>& means) {
  for (int g = 1; g < kNumGrades; ++g) {
    EXPECT_GT(means[g], means[g - 1])
        << "grade " << g << " vs " << g - 1 << ": " << ::testing::PrintToString(means);
  }
}

TEST(SkinSynthesizer, SameSeedGivesIdenticalBytes) {
  const SkinSynthesizer a = MakeSynth(7), b = MakeSynth(7);
  for (int64_t i : {0, 1, 17}) {
    const SynthSample x = RenderOk(a, a.SpecFor(i)), y = RenderOk(b, b.SpecFor(i));
    EXPECT_EQ(PngBytes(x.image), PngBytes(y.image)) << "sample " << i;
    for (int m = 0; m < kNumAttributes; ++m) {
      EXPECT_EQ(PngBytes(x.masks[m]), PngBytes(y.masks[m])) << "sample " << i << " mask " << m;
    }
  }
}

TEST(SkinSynthesizer, DifferentSeedsOrIndicesGiveDifferentImages) {
  const SkinSynthesizer a = MakeSynth(7), b = MakeSynth(8);
  const cv::Mat a0 = RenderOk(a, a.SpecFor(0)).image;
  EXPECT_NE(PngBytes(a0), PngBytes(RenderOk(b, b.SpecFor(0)).image));
  EXPECT_NE(PngBytes(a0), PngBytes(RenderOk(a, a.SpecFor(1)).image));
}

TEST(SkinSynthesizer, SpecDependsOnlyOnSeedAndIndex) {
  const SkinSynthesizer a = MakeSynth(7), b = MakeSynth(7);
  for (int64_t i = 0; i < 50; ++i) b.SpecFor(i);  // b has been used before, a has not
  const SampleSpec x = a.SpecFor(31), y = b.SpecFor(31);
  EXPECT_EQ(x.grades, y.grades);
  EXPECT_EQ(x.labelled, y.labelled);
  EXPECT_EQ(x.part, y.part);
  EXPECT_EQ(x.fitzpatrick, y.fitzpatrick);
  EXPECT_EQ(x.appearance_seed, y.appearance_seed);
  EXPECT_NE(a.SpecFor(32).appearance_seed, x.appearance_seed);
}

TEST(SkinSynthesizer, RendersColourImageAndBinaryMasksOfConfiguredSize) {
  const SkinSynthesizer synth = MakeSynth(3, 72);
  SampleSpec spec = synth.SpecFor(0);
  spec.grades.fill(3);
  const SynthSample sample = RenderOk(synth, spec);
  EXPECT_EQ(sample.image.type(), CV_8UC3);
  EXPECT_EQ(sample.image.size(), cv::Size(72, 72));
  for (const cv::Mat& mask : sample.masks) {
    ASSERT_EQ(mask.type(), CV_8UC1);
    EXPECT_EQ(mask.size(), cv::Size(72, 72));
    EXPECT_EQ(cv::countNonZero(mask == 0) + cv::countNonZero(mask == 255), 72 * 72);
  }
}

TEST(SkinSynthesizer, RejectsOutOfRangeSpec) {
  const SkinSynthesizer synth = MakeSynth();
  SampleSpec spec = synth.SpecFor(0);
  spec.grade(Attribute::kWrinkle) = 5;
  EXPECT_EQ(synth.Render(spec).status().code(), absl::StatusCode::kInvalidArgument);
  spec = synth.SpecFor(0);
  spec.part = static_cast<int>(kSynthParts.size());
  EXPECT_EQ(synth.Render(spec).status().code(), absl::StatusCode::kInvalidArgument);
  spec = synth.SpecFor(0);
  spec.fitzpatrick = 7;
  EXPECT_EQ(synth.Render(spec).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(SynthConfig, RejectsOutOfRangeValues) {
  SynthConfig config;
  config.size = 16;
  EXPECT_EQ(SkinSynthesizer::Create(config).status().code(), absl::StatusCode::kInvalidArgument);
  config = SynthConfig();
  config.unlabelled_rate = 1.5;
  EXPECT_EQ(ValidateSynthConfig(config).code(), absl::StatusCode::kInvalidArgument);
  config = SynthConfig();
  config.grade_weights[AttributeIndex(Attribute::kOil)] = {0, 0, 0, 0, 0};
  EXPECT_EQ(ValidateSynthConfig(config).code(), absl::StatusCode::kInvalidArgument);
  config = SynthConfig();
  config.grade_weights[AttributeIndex(Attribute::kOil)] = {0.5, -0.1, 0, 0, 0};
  EXPECT_EQ(ValidateSynthConfig(config).code(), absl::StatusCode::kInvalidArgument);
  config = SynthConfig();
  config.parts = {"forehead", "elbow"};
  EXPECT_THAT(std::string(ValidateSynthConfig(config).message()), ::testing::HasSubstr("elbow"));
  EXPECT_TRUE(ValidateSynthConfig(SynthConfig()).ok());
}

TEST(ParseGradeWeights, ReadsFiveNonNegativeNumbers) {
  absl::StatusOr<GradeWeights> weights = ParseGradeWeights("0.3, 0.35,0.22,0.1,0.03");
  ASSERT_TRUE(weights.ok()) << weights.status();
  EXPECT_THAT(*weights, ::testing::ElementsAre(0.3, 0.35, 0.22, 0.1, 0.03));
  EXPECT_EQ(ParseGradeWeights("0.3,0.7").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseGradeWeights("1,2,x,3,4").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseGradeWeights("1,2,-1,3,4").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseGradeWeights("0,0,0,0,0").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(DefaultGradeWeights, MakeExtremeGradesRare) {
  for (const GradeWeights& w : DefaultGradeWeights()) {
    EXPECT_LE(w[4], 0.05);
    EXPECT_LT(w[4], w[3]);
    EXPECT_LT(w[3], w[2]);
    EXPECT_GT(w[1], w[3]);
  }
}

TEST(SkinSynthesizer, GradeFrequenciesFollowTheWeights) {
  SynthConfig config;
  config.seed = 5;
  config.size = kTestSize;
  config.grade_weights[AttributeIndex(Attribute::kWrinkle)] = {0.1, 0.1, 0.1, 0.1, 0.6};
  config.grade_weights[AttributeIndex(Attribute::kSensitivity)] = {0, 0, 1, 0, 0};
  absl::StatusOr<SkinSynthesizer> synth = SkinSynthesizer::Create(config);
  ASSERT_TRUE(synth.ok());
  constexpr int kSamples = 2000;
  std::array<std::array<int, kNumGrades>, kNumAttributes> counts{};
  for (int64_t i = 0; i < kSamples; ++i) {
    const SampleSpec spec = synth->SpecFor(i);
    for (int a = 0; a < kNumAttributes; ++a) ++counts[a][spec.grades[a]];
  }
  for (int a = 0; a < kNumAttributes; ++a) {
    double total = 0;
    for (double w : config.grade_weights[a]) total += w;
    for (int g = 0; g < kNumGrades; ++g) {
      // Binomial standard deviation at n = 2000 is at most 0.011.
      EXPECT_NEAR(counts[a][g] / static_cast<double>(kSamples), config.grade_weights[a][g] / total,
                  0.035)
          << AttributeName(kAllAttributes[a]) << " grade " << g;
    }
  }
  EXPECT_EQ(counts[AttributeIndex(Attribute::kSensitivity)][2], kSamples);
}

TEST(SkinSynthesizer, UnlabelledRateIsRespected) {
  for (double rate : {0.0, 0.02, 0.5}) {
    SynthConfig config;
    config.unlabelled_rate = rate;
    absl::StatusOr<SkinSynthesizer> synth = SkinSynthesizer::Create(config);
    ASSERT_TRUE(synth.ok());
    int unlabelled = 0, total = 0;
    for (int64_t i = 0; i < 2000; ++i) {
      const SampleSpec spec = synth->SpecFor(i);
      const std::array<int, kNumAttributes> labels = spec.Labels();
      for (int a = 0; a < kNumAttributes; ++a, ++total) {
        if (!spec.labelled[a]) {
          ++unlabelled;
          EXPECT_EQ(labels[a], kUnlabelled);
        } else {
          EXPECT_EQ(labels[a], spec.grades[a]);
        }
      }
    }
    EXPECT_NEAR(unlabelled / static_cast<double>(total), rate, 0.015) << "rate " << rate;
  }
}

TEST(SkinSynthesizer, DrawsOnlyTheConfiguredParts) {
  SynthConfig config;
  config.parts = {"nose", "chin"};
  absl::StatusOr<SkinSynthesizer> synth = SkinSynthesizer::Create(config);
  ASSERT_TRUE(synth.ok());
  std::array<int, kSynthParts.size()> seen{};
  for (int64_t i = 0; i < 400; ++i) ++seen[static_cast<size_t>(synth->SpecFor(i).part)];
  // 400 draws from two parts: expected 200 each, standard deviation 10.
  for (size_t p = 0; p < kSynthParts.size(); ++p) {
    if (kSynthParts[p] == "nose" || kSynthParts[p] == "chin") {
      EXPECT_GT(seen[p], 150) << kSynthParts[p];
    } else {
      EXPECT_EQ(seen[p], 0) << kSynthParts[p];
    }
  }
}

TEST(SkinSynthesizer, DrawsAllPartsUniformlyByDefault) {
  const SkinSynthesizer synth = MakeSynth();
  constexpr int kSamples = 4000;
  std::array<int, kSynthParts.size()> seen{};
  for (int64_t i = 0; i < kSamples; ++i) ++seen[static_cast<size_t>(synth.SpecFor(i).part)];
  for (size_t p = 0; p < kSynthParts.size(); ++p) {
    // Expected 500 each, standard deviation 21.
    EXPECT_NEAR(seen[p], kSamples / 8, 70) << kSynthParts[p];
  }
}

TEST(SkinSynthesizer, DrawsEveryFitzpatrickType) {
  const SkinSynthesizer synth = MakeSynth();
  std::array<int, 7> seen{};
  for (int64_t i = 0; i < 600; ++i) ++seen[static_cast<size_t>(synth.SpecFor(i).fitzpatrick)];
  EXPECT_EQ(seen[0], 0);
  for (int t = 1; t <= 6; ++t) EXPECT_GT(seen[static_cast<size_t>(t)], 20) << "type " << t;
}

TEST(SkinSynthesizer, SkinTypeFrequenciesFollowTheWeights) {
  SynthConfig config;
  config.skin_type_weights = {0, 0, 0, 0, 1, 3};  // types V and VI only, VI three times as often
  absl::StatusOr<SkinSynthesizer> synth = SkinSynthesizer::Create(config);
  ASSERT_TRUE(synth.ok()) << synth.status();
  std::array<int, 7> seen{};
  constexpr int kSamples = 800;
  for (int64_t i = 0; i < kSamples; ++i) ++seen[static_cast<size_t>(synth->SpecFor(i).fitzpatrick)];
  for (int t = 0; t <= 4; ++t) EXPECT_EQ(seen[static_cast<size_t>(t)], 0) << "type " << t;
  EXPECT_NEAR(seen[6], kSamples * 3 / 4, 60);
  EXPECT_EQ(seen[5] + seen[6], kSamples);
}

TEST(SkinSynthesizer, SkinTypeWeightsLeaveGradesAndPartsAlone) {
  SynthConfig shifted;
  shifted.skin_type_weights = {1, 1, 1, 1, 2, 2};
  absl::StatusOr<SkinSynthesizer> a = SkinSynthesizer::Create(SynthConfig());
  absl::StatusOr<SkinSynthesizer> b = SkinSynthesizer::Create(shifted);
  ASSERT_TRUE(a.ok() && b.ok());
  for (int64_t i = 0; i < 50; ++i) {
    EXPECT_EQ(a->SpecFor(i).grades, b->SpecFor(i).grades) << i;
    EXPECT_EQ(a->SpecFor(i).part, b->SpecFor(i).part) << i;
  }
}

TEST(ParseSkinTypeWeights, ReadsSixNonNegativeNumbers) {
  absl::StatusOr<SkinTypeWeights> weights = ParseSkinTypeWeights("0.1,0.2, 0.2,0.2,0.15,0.15");
  ASSERT_TRUE(weights.ok()) << weights.status();
  EXPECT_THAT(*weights, ::testing::ElementsAre(0.1, 0.2, 0.2, 0.2, 0.15, 0.15));
  EXPECT_THAT(std::string(ParseSkinTypeWeights("1,1,1,1,1").status().message()),
              ::testing::HasSubstr("need 6"));
  EXPECT_EQ(ParseSkinTypeWeights("1,1,1,-1,1,1").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseSkinTypeWeights("0,0,0,0,0,0").status().code(),
            absl::StatusCode::kInvalidArgument);
  SynthConfig config;
  config.skin_type_weights = {0, 0, 0, 0, 0, 0};
  EXPECT_EQ(ValidateSynthConfig(config).code(), absl::StatusCode::kInvalidArgument);
}

TEST(SkinSynthesizer, MasksAreEmptyAtGradeZeroAndDrawnFromGradeOne) {
  const SkinSynthesizer synth = MakeSynth(13);
  for (int64_t i = 0; i < 12; ++i) {
    for (int g = 0; g < kNumGrades; ++g) {
      SampleSpec spec = synth.SpecFor(i);
      spec.grades.fill(g);
      const SynthSample sample = RenderOk(synth, spec);
      for (int a = 0; a < kNumAttributes; ++a) {
        const int drawn = cv::countNonZero(sample.masks[a]);
        if (g == 0) {
          EXPECT_EQ(drawn, 0) << AttributeName(kAllAttributes[a]) << " sample " << i;
        } else {
          EXPECT_GT(drawn, 0) << AttributeName(kAllAttributes[a]) << " grade " << g << " sample "
                              << i;
        }
      }
    }
  }
}

TEST(SkinSynthesizer, MaskAreaGrowsWithGrade) {
  const SkinSynthesizer synth = MakeSynth(17);
  for (int a = 0; a < kNumAttributes; ++a) {
    std::array<double, kNumGrades> area{};
    for (int g = 0; g < kNumGrades; ++g) {
      for (int64_t k = 0; k < 8; ++k) {
        area[g] += cv::countNonZero(
            RenderOk(synth, OnlyAttribute(synth, k, kAllAttributes[a], g)).masks[a]);
      }
    }
    SCOPED_TRACE(AttributeName(kAllAttributes[a]));
    ExpectStrictlyIncreasing(area);
  }
}

TEST(SkinSynthesizer, ChangingOneGradeLeavesTheOtherLayersAlone) {
  const SkinSynthesizer synth = MakeSynth(19);
  SampleSpec spec = synth.SpecFor(4);
  spec.grades = {2, 2, 2, 2, 2};
  const SynthSample before = RenderOk(synth, spec);
  spec.grade(Attribute::kPigmentation) = 4;
  const SynthSample after = RenderOk(synth, spec);
  for (int a = 0; a < kNumAttributes; ++a) {
    const int differing = cv::countNonZero(before.masks[a] != after.masks[a]);
    if (kAllAttributes[a] == Attribute::kPigmentation) {
      EXPECT_GT(differing, 0);
    } else {
      EXPECT_EQ(differing, 0) << AttributeName(kAllAttributes[a]);
    }
  }
}

TEST(SkinSynthesizer, OilShineIncreasesWithGrade) {
  ExpectStrictlyIncreasing(MeanPerGrade(Attribute::kOil, Shine));
}

TEST(SkinSynthesizer, DrynessTextureIncreasesWithHydrationGrade) {
  ExpectStrictlyIncreasing(MeanPerGrade(Attribute::kHydration, HighFrequencyEnergy));
}

TEST(SkinSynthesizer, WrinkleLinesIncreaseWithGrade) {
  ExpectStrictlyIncreasing(MeanPerGrade(Attribute::kWrinkle, LinePixels));
}

TEST(SkinSynthesizer, DarkSpotAreaIncreasesWithPigmentationGrade) {
  ExpectStrictlyIncreasing(MeanPerGrade(Attribute::kPigmentation, DarkSpotArea));
}

TEST(SkinSynthesizer, RednessIncreasesWithSensitivityGrade) {
  ExpectStrictlyIncreasing(MeanPerGrade(Attribute::kSensitivity, RedExcess));
}

// The task must not be trivially separable: across different skins and
// captures, the simple statistic of adjacent grades overlaps.
TEST(SkinSynthesizer, AdjacentGradesOverlapAcrossSkins) {
  const SkinSynthesizer synth = MakeSynth(23);
  struct Case {
    Attribute attribute;
    Statistic stat;
  };
  for (const Case& c :
       {Case{Attribute::kSensitivity, RedExcess}, Case{Attribute::kHydration, HighFrequencyEnergy},
        Case{Attribute::kOil, Shine}}) {
    for (int g = 1; g + 1 < kNumGrades; ++g) {
      double lower_max = -1e9, upper_min = 1e9;
      for (int64_t k = 0; k < 12; ++k) {
        lower_max = std::max(
            lower_max, c.stat(RenderOk(synth, OnlyAttribute(synth, k, c.attribute, g)).image));
        upper_min = std::min(
            upper_min,
            c.stat(RenderOk(synth, OnlyAttribute(synth, 50 + k, c.attribute, g + 1)).image));
      }
      EXPECT_GT(lower_max, upper_min)
          << AttributeName(c.attribute) << " grades " << g << " and " << g + 1;
    }
  }
}

}  // namespace
}  // namespace skinlens::training
