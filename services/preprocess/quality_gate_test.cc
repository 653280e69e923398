#include "quality_gate.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "opencv2/imgproc.hpp"
#include "test_images.h"

namespace skinlens::preprocess {
namespace {

using ::testing::HasSubstr;

const FaceDetector& Detector() {
  static const FaceDetector* detector = FaceDetector::Create(FaceDetectorOptions{})->release();
  return *detector;
}

QualityReport Evaluate(const cv::Mat& photo, QualityThresholds t = {}) {
  return QualityGate(t).Evaluate(photo, Detector().Detect(photo));
}

const QualityIssue* Find(const QualityReport& report, QualityReason reason) {
  for (const QualityIssue& issue : report.issues) {
    if (issue.reason == reason) return &issue;
  }
  return nullptr;
}

TEST(QualityGate, CleanAstronautPassesWithoutAnyIssue) {
  const QualityReport report = Evaluate(testing::Astronaut());
  EXPECT_TRUE(report.accepted);
  EXPECT_TRUE(report.issues.empty()) << report.issues.front().message;
  EXPECT_EQ(report.measurements.face_count, 1);
  EXPECT_GT(*report.measurements.sharpness, 200);
  EXPECT_NEAR(*report.measurements.mean_luminance, 156, 10);
  EXPECT_LT(*report.measurements.lighting_ratio, 1.3);
  EXPECT_LT(std::abs(*report.measurements.roll_degrees), 6);
  EXPECT_LT(std::abs(*report.measurements.yaw_degrees), 6);
}

// Each degraded variant triggers its own reason, as a blocking issue with the
// measured value on the wrong side of the threshold.
struct Variant {
  const char* name;
  cv::Mat (*make)(const cv::Mat&);
  QualityReason reason;
  bool below;  // The measured value is below (true) or above the threshold.
};

class QualityGateVariant : public ::testing::TestWithParam<Variant> {};

TEST_P(QualityGateVariant, TriggersItsReason) {
  const Variant& v = GetParam();
  const QualityReport report = Evaluate(v.make(testing::Astronaut()));
  EXPECT_FALSE(report.accepted);
  const QualityIssue* issue = Find(report, v.reason);
  ASSERT_NE(issue, nullptr) << v.name;
  EXPECT_EQ(issue->severity, Severity::kBlocking);
  ASSERT_TRUE(issue->measured_value.has_value());
  ASSERT_TRUE(issue->threshold.has_value());
  if (v.below) {
    EXPECT_LT(*issue->measured_value, *issue->threshold);
  } else {
    EXPECT_GT(*issue->measured_value, *issue->threshold);
  }
  EXPECT_EQ(report.issues.front().severity, Severity::kBlocking);
  // The clean photo does not trigger it.
  EXPECT_EQ(Find(Evaluate(testing::Astronaut()), v.reason), nullptr);
}

INSTANTIATE_TEST_SUITE_P(
    Degraded, QualityGateVariant,
    ::testing::Values(Variant{"dark", [](const cv::Mat& m) { return testing::Darkened(m, 0.2); },
                              QualityReason::kTooDark, true},
                      Variant{"bright",
                              [](const cv::Mat& m) { return testing::Brightened(m, 100); },
                              QualityReason::kTooBright, false},
                      Variant{"blurred", [](const cv::Mat& m) { return testing::Blurred(m, 3); },
                              QualityReason::kBlurred, true},
                      Variant{"shadowed",
                              [](const cv::Mat& m) { return testing::HalfShadowed(m, 224, 0.4); },
                              QualityReason::kUnevenLighting, false},
                      Variant{"small", [](const cv::Mat& m) { return testing::Scaled(m, 0.5); },
                              QualityReason::kFaceTooSmall, true},
                      Variant{"tiny", [](const cv::Mat& m) { return testing::Scaled(m, 0.1); },
                              QualityReason::kImageTooSmall, true}),
    [](const ::testing::TestParamInfo<Variant>& param_info) {
      return std::string(param_info.param.name);
    });

TEST(QualityGate, FaceTooSmallSaysHowSmallAndWhatToDo) {
  const QualityReport report = Evaluate(testing::Scaled(testing::Astronaut(), 0.5));
  const QualityIssue* issue = Find(report, QualityReason::kFaceTooSmall);
  ASSERT_NE(issue, nullptr);
  EXPECT_NEAR(*issue->measured_value, 48, 6);
  EXPECT_EQ(*issue->threshold, 80);
  EXPECT_THAT(issue->message, HasSubstr("Face too small"));
  EXPECT_THAT(issue->message, HasSubstr("at least 80 px needed — move closer"));
}

TEST(QualityGate, NoFaceIsBlockingWithoutValue) {
  const QualityReport report = Evaluate(testing::NoFaceCrop(testing::Astronaut()));
  EXPECT_FALSE(report.accepted);
  ASSERT_EQ(report.issues.size(), 1u);
  EXPECT_EQ(report.issues[0].reason, QualityReason::kNoFace);
  EXPECT_FALSE(report.issues[0].measured_value.has_value());
  EXPECT_EQ(report.measurements.face_count, 0);
}

TEST(QualityGate, ThresholdsComeFromConfiguration) {
  QualityThresholds strict;
  strict.min_face_width_px = 120;
  const QualityReport report = Evaluate(testing::Astronaut(), strict);
  EXPECT_FALSE(report.accepted);
  EXPECT_NE(Find(report, QualityReason::kFaceTooSmall), nullptr);
}

TEST(QualityGate, TiltedHeadIsMeasuredAsRoll) {
  // Rotating the photo 10 degrees clockwise about the face adds 10 degrees.
  const cv::Mat photo = testing::Astronaut();
  cv::Mat tilted;
  cv::warpAffine(photo, tilted, cv::getRotationMatrix2D(cv::Point2f(224, 114), -10, 1.0),
                 photo.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  const double upright = *Evaluate(photo).measurements.roll_degrees;
  const QualityReport report = Evaluate(tilted);
  ASSERT_TRUE(report.measurements.roll_degrees.has_value());
  EXPECT_NEAR(*report.measurements.roll_degrees - upright, 10, 4);
  QualityThresholds strict;
  strict.max_roll_degrees = 8;
  EXPECT_NE(Find(Evaluate(tilted, strict), QualityReason::kFaceTilted), nullptr);
}

QualityMeasurements GoodMeasurements() {
  QualityMeasurements m;
  m.face_count = 1;
  m.face_width_px = 200;
  m.sharpness = 500;
  m.mean_luminance = 140;
  m.lighting_ratio = 1.1;
  m.yaw_degrees = 2;
  m.roll_degrees = 1;
  return m;
}

TEST(QualityGateJudge, GoodMeasurementsPass) {
  const QualityReport report = QualityGate({}).Judge(GoodMeasurements(), 800, true);
  EXPECT_TRUE(report.accepted);
  EXPECT_TRUE(report.issues.empty());
}

TEST(QualityGateJudge, TurnedFaceIsBlockingWithAbsoluteYaw) {
  QualityMeasurements m = GoodMeasurements();
  m.yaw_degrees = -40;
  const QualityReport report = QualityGate({}).Judge(m, 800, true);
  EXPECT_FALSE(report.accepted);
  ASSERT_EQ(report.issues.size(), 1u);
  EXPECT_EQ(report.issues[0].reason, QualityReason::kFaceTurned);
  EXPECT_EQ(report.issues[0].measured_value, 40);
  EXPECT_EQ(report.issues[0].threshold, 30);
}

TEST(QualityGateJudge, TiltedFaceIsBlocking) {
  QualityMeasurements m = GoodMeasurements();
  m.roll_degrees = 35;
  const QualityReport report = QualityGate({}).Judge(m, 800, true);
  ASSERT_EQ(report.issues.size(), 1u);
  EXPECT_EQ(report.issues[0].reason, QualityReason::kFaceTilted);
  EXPECT_FALSE(report.accepted);
}

TEST(QualityGateJudge, SeveralFacesBlockByDefaultAndWarnWhenRelaxed) {
  QualityMeasurements m = GoodMeasurements();
  m.face_count = 3;
  const QualityReport refused = QualityGate({}).Judge(m, 800, true);
  EXPECT_FALSE(refused.accepted);
  ASSERT_FALSE(refused.issues.empty());
  EXPECT_EQ(refused.issues[0].reason, QualityReason::kMultipleFaces);
  EXPECT_EQ(refused.issues[0].severity, Severity::kBlocking);

  QualityThresholds relaxed;
  relaxed.multiple_faces_blocking = false;
  const QualityReport warned = QualityGate(relaxed).Judge(m, 800, true);
  EXPECT_TRUE(warned.accepted);
  ASSERT_EQ(warned.issues.size(), 1u);
  EXPECT_EQ(warned.issues[0].reason, QualityReason::kMultipleFaces);
  EXPECT_EQ(warned.issues[0].severity, Severity::kWarning);
  EXPECT_EQ(warned.issues[0].measured_value, 3);
}

TEST(QualityGateJudge, MissingEyesAreOnlyAWarning) {
  QualityMeasurements m = GoodMeasurements();
  m.yaw_degrees.reset();
  m.roll_degrees.reset();
  const QualityReport report = QualityGate({}).Judge(m, 800, false);
  EXPECT_TRUE(report.accepted);
  ASSERT_EQ(report.issues.size(), 1u);
  EXPECT_EQ(report.issues[0].reason, QualityReason::kEyesNotFound);
  EXPECT_EQ(report.issues[0].severity, Severity::kWarning);
}

TEST(QualityGateJudge, BlockingIssuesComeFirst) {
  QualityMeasurements m = GoodMeasurements();
  m.face_count = 2;       // Warning (relaxed below), found first.
  m.mean_luminance = 20;  // Blocking.
  QualityThresholds relaxed;
  relaxed.multiple_faces_blocking = false;
  const QualityReport report = QualityGate(relaxed).Judge(m, 800, false);
  ASSERT_EQ(report.issues.size(), 3u);
  EXPECT_EQ(report.issues[0].reason, QualityReason::kTooDark);
  EXPECT_EQ(report.issues[1].severity, Severity::kWarning);
  EXPECT_EQ(report.issues[2].severity, Severity::kWarning);
}

}  // namespace
}  // namespace skinlens::preprocess
