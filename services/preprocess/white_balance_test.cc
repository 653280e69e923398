#include "white_balance.h"

#include <cmath>
#include <vector>

#include "gtest/gtest.h"
#include "opencv2/imgcodecs.hpp"
#include "opencv2/imgproc.hpp"
#include "preprocessor.h"
#include "test_images.h"

namespace skinlens::preprocess {
namespace {

double SrgbToLinear(double v) {
  return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
}
double LinearToSrgb(double v) {
  return v <= 0.0031308 ? v * 12.92 : 1.055 * std::pow(v, 1.0 / 2.4) - 0.055;
}

// `image` as if lit by light of colour (red, 1, blue): each channel scaled in
// linear light, as a camera without white balance would record it. About
// 3,000 K for red 1.45, blue 0.55.
cv::Mat UnderLight(const cv::Mat& image, double red, double blue) {
  cv::Mat out = image.clone();
  for (int y = 0; y < out.rows; ++y) {
    for (int x = 0; x < out.cols; ++x) {
      cv::Vec3b& p = out.at<cv::Vec3b>(y, x);
      const double gains[3] = {blue, 1.0, red};
      for (int c = 0; c < 3; ++c) {
        const double v = std::min(1.0, SrgbToLinear(p[c] / 255.0) * gains[c]);
        p[c] = cv::saturate_cast<uchar>(std::lround(255 * LinearToSrgb(v)));
      }
    }
  }
  return out;
}

// Distance between the mean colours of two images, in 8-bit units.
double MeanColourDistance(const cv::Mat& a, const cv::Mat& b) {
  const cv::Scalar ma = cv::mean(a), mb = cv::mean(b);
  return std::sqrt(std::pow(ma[0] - mb[0], 2) + std::pow(ma[1] - mb[1], 2) +
                   std::pow(ma[2] - mb[2], 2));
}

TEST(EstimateIlluminant, GreyIsNeutralDaylight) {
  const cv::Mat grey(64, 64, CV_8UC3, cv::Scalar(128, 128, 128));
  const Illuminant light = EstimateIlluminant(grey);
  EXPECT_NEAR(light.red, 1.0, 1e-6);
  EXPECT_NEAR(light.blue, 1.0, 1e-6);
  EXPECT_NEAR(CorrelatedColorTemperature(light), 6500, 100);  // sRGB white is D65.
}

TEST(EstimateIlluminant, ReadsAWarmLampOffThePortrait) {
  const cv::Mat photo = testing::Astronaut();
  const Illuminant daylight = EstimateIlluminant(photo);
  const Illuminant lamp = EstimateIlluminant(UnderLight(photo, 1.45, 0.55));
  // The cast multiplies the estimate (up to clipping).
  EXPECT_NEAR(lamp.red / daylight.red, 1.45, 0.1);
  EXPECT_NEAR(lamp.blue / daylight.blue, 0.55, 0.05);
  EXPECT_LT(CorrelatedColorTemperature(lamp), CorrelatedColorTemperature(daylight) - 1500);
  const Illuminant cool = EstimateIlluminant(UnderLight(photo, 0.8, 1.3));
  EXPECT_GT(CorrelatedColorTemperature(cool), CorrelatedColorTemperature(daylight));
}

// A tungsten lamp (about 3,000 K: red 1.97, blue 0.31 against daylight) clips the red of
// the bright skin. The estimate must not be biased by which pixels clipped: the first pass
// alone read this cast 13 % too weak in red and 17 % in blue.
TEST(EstimateIlluminant, ClippedRedUnderATungstenLampDoesNotBiasTheEstimate) {
  const cv::Mat photo = testing::Astronaut();
  std::vector<uchar> jpeg;
  ASSERT_TRUE(
      cv::imencode(".jpg", UnderLight(photo, 1.97, 0.307), jpeg, {cv::IMWRITE_JPEG_QUALITY, 95}));
  const cv::Mat lamp_photo = cv::imdecode(jpeg, cv::IMREAD_COLOR);
  const Illuminant daylight = EstimateIlluminant(photo);
  const Illuminant lamp = EstimateIlluminant(lamp_photo);
  EXPECT_NEAR(lamp.red / daylight.red / 1.97, 1.0, 0.06);
  EXPECT_NEAR(lamp.blue / daylight.blue / 0.307, 1.0, 0.06);
}

TEST(CorrectWhiteBalance, BringsACastCropBackToTheOriginalColours) {
  const cv::Mat photo = testing::Astronaut();
  const cv::Mat cast = UnderLight(photo, 1.45, 0.55);
  // A face-sized crop of each, as the cropper would cut it.
  const cv::Rect face(180, 80, 160, 160);
  const cv::Mat original_crop = CorrectWhiteBalance(photo(face), EstimateIlluminant(photo));
  const cv::Mat cast_crop = CorrectWhiteBalance(cast(face), EstimateIlluminant(cast));
  const double before = MeanColourDistance(photo(face), cast(face));
  const double after = MeanColourDistance(original_crop, cast_crop);
  EXPECT_GT(before, 30);
  EXPECT_LT(after, before / 6) << "before " << before << ", after " << after;
}

TEST(CorrectWhiteBalance, NeutralLightChangesNothingAndGainsAreBounded) {
  const cv::Mat photo = testing::Astronaut();
  const cv::Mat same = CorrectWhiteBalance(photo, Illuminant{});
  EXPECT_LE(cv::norm(photo, same, cv::NORM_INF), 1.0);
  // A red wall's "light" of (50, 1, 0.01) is bounded to the largest and smallest gains.
  const cv::Mat grey(8, 8, CV_8UC3, cv::Scalar(100, 100, 100));
  const cv::Mat corrected = CorrectWhiteBalance(grey, Illuminant{50.0, 1.0, 0.01});
  const cv::Vec3b p = corrected.at<cv::Vec3b>(0, 0);
  const double linear = SrgbToLinear(100 / 255.0);
  EXPECT_NEAR(p[0], 255 * LinearToSrgb(std::min(1.0, linear * kMaxWhiteBalanceGain)), 1.5);
  EXPECT_NEAR(p[2], 255 * LinearToSrgb(linear / kMaxWhiteBalanceGain), 1.5);
  EXPECT_EQ(p[1], 100);
}

// The whole preprocessing: the portrait under a ~3,000 K lamp gives crops
// whose colours are close to the daylight portrait's, and the report says
// what light it saw; with the correction off the crops keep the cast.
TEST(Preprocessor, WhiteBalancesTheCropsOfAColourCastPhoto) {
  const cv::Mat photo = testing::Astronaut();
  const std::string daylight = testing::EncodeJpeg(photo, 95);
  const std::string lamp = testing::EncodeJpeg(UnderLight(photo, 1.45, 0.55), 95);
  const std::vector<Region> regions = {Region::kForehead, Region::kLeftCheek, Region::kNose};
  auto distances = [&](bool white_balance, QualityReport* lamp_report) {
    PreprocessorOptions options;
    options.white_balance = white_balance;
    auto pre = Preprocessor::Create(options);
    EXPECT_TRUE(pre.ok()) << pre.status();
    QualityReport refusal;
    auto a = (*pre)->Run(daylight, regions, cv::Size(96, 96), &refusal);
    auto b = (*pre)->Run(lamp, regions, cv::Size(96, 96), &refusal);
    EXPECT_TRUE(a.ok() && b.ok()) << a.status() << " " << b.status();
    *lamp_report = b->report;
    std::vector<double> d;
    for (size_t i = 0; i < regions.size(); ++i) {
      d.push_back(MeanColourDistance(a->crops[i].bgr, b->crops[i].bgr));
    }
    return d;
  };
  QualityReport corrected_report, raw_report;
  const std::vector<double> corrected = distances(true, &corrected_report);
  const std::vector<double> raw = distances(false, &raw_report);
  for (size_t i = 0; i < regions.size(); ++i) {
    EXPECT_GT(raw[i], 25) << "region " << i;
    EXPECT_LT(corrected[i], raw[i] / 4) << "region " << i;
  }
  const QualityMeasurements& m = corrected_report.measurements;
  EXPECT_TRUE(m.white_balanced);
  EXPECT_FALSE(raw_report.measurements.white_balanced);
  ASSERT_TRUE(m.illuminant_red.has_value() && m.color_temperature_k.has_value());
  EXPECT_GT(*m.illuminant_red, 1.2);
  EXPECT_LT(*m.illuminant_blue, 0.8);
  EXPECT_GT(*m.color_temperature_k, 2000);
  EXPECT_LT(*m.color_temperature_k, 4500);
}

TEST(EstimateIlluminant, BlackOrEmptyImagesAreNeutral) {
  EXPECT_EQ(EstimateIlluminant(cv::Mat()).red, 1.0);
  const Illuminant black = EstimateIlluminant(cv::Mat(10, 10, CV_8UC3, cv::Scalar(0, 0, 0)));
  EXPECT_EQ(black.red, 1.0);
  EXPECT_EQ(black.blue, 1.0);
}

}  // namespace
}  // namespace skinlens::preprocess
