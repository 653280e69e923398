#include "services/gateway/skinctl/skinctl.h"

#include <sstream>

#include "absl/strings/str_split.h"
#include "common/grpc/rich_status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skinlens::skinctl {
namespace {

using ::testing::HasSubstr;

v1::Diagnosis SampleDiagnosis() {
  v1::Diagnosis d;
  d.set_id("diag-1");
  d.mutable_create_time()->set_seconds(1717200000);  // 2024-06-01 00:00:00 UTC
  d.set_model_version("demo-1");
  d.set_demo_model(true);
  v1::AttributeResult* r = d.add_results();
  r->set_attribute(v1::ATTRIBUTE_WRINKLE);
  for (float p : {0.1f, 0.2f, 0.4f, 0.2f, 0.1f}) r->mutable_distribution()->add_probabilities(p);
  r->mutable_distribution()->set_grade(2);
  r->mutable_distribution()->set_expected_score(2.0f);
  d.set_explanation_status(v1::EXPLANATION_STATUS_FAILED);
  d.set_explanation_error("explain: too slow");
  return d;
}

TEST(FormatDiagnosis, ShowsGradesProbabilitiesDemoNoticeAndExplanation) {
  const std::string text = FormatDiagnosis(SampleDiagnosis());
  EXPECT_THAT(text, HasSubstr("Diagnosis diag-1  2024-06-01 00:00:00 UTC  model demo-1"));
  EXPECT_THAT(text, HasSubstr("demo model"));
  EXPECT_THAT(text, HasSubstr("wrinkle            2   2.00  0.10 0.20 0.40 0.20 0.10"));
  EXPECT_THAT(text, HasSubstr("heatmaps: failed (explain: too slow)"));
}

TEST(FormatDiagnosisList, OneRowPerDiagnosisWithGradeAndScore) {
  v1::ListDiagnosesResponse page;
  *page.add_diagnoses() = SampleDiagnosis();
  const std::string text = FormatDiagnosisList(page);
  EXPECT_THAT(text, HasSubstr("diag-1"));
  EXPECT_THAT(text, HasSubstr("2 (2.00)"));
  EXPECT_THAT(FormatDiagnosisList(v1::ListDiagnosesResponse()), HasSubstr("(no diagnoses)"));
}

TEST(FormatDiagnosisList, ColumnsLineUpWhateverTheIdLengthAndAbstainedHaveNoGrade) {
  v1::ListDiagnosesResponse page;
  *page.add_diagnoses() = SampleDiagnosis();
  v1::Diagnosis long_id = SampleDiagnosis();
  long_id.set_id("85faeaa037265cba78fba3ad1a562350");  // what history makes: 32 hex digits
  long_id.mutable_results(0)->set_abstained(true);
  *page.add_diagnoses() = long_id;
  const std::vector<std::string> lines = absl::StrSplit(FormatDiagnosisList(page), '\n');
  ASSERT_GE(lines.size(), 3u);
  // The wrinkle column ends at the same place on every row.
  const size_t header_end = lines[0].find("wrinkle") + std::string("wrinkle").size();
  EXPECT_EQ(lines[1].find("2 (2.00)") + std::string("2 (2.00)").size(), header_end) << lines[1];
  EXPECT_EQ(lines[2].find("? (2.00)") + std::string("? (2.00)").size(), header_end) << lines[2];
  EXPECT_EQ(lines[1].size(), lines[2].size());
}

TEST(FormatTrend, ListsPointsPerAttribute) {
  v1::GetTrendResponse trend;
  v1::TrendSeries* s = trend.add_series();
  s->set_attribute(v1::ATTRIBUTE_OIL);
  v1::TrendPoint* p = s->add_points();
  p->mutable_start_time()->set_seconds(1717200000);
  p->set_count(3);
  p->set_mean_expected_score(1.5);
  const std::string text = FormatTrend(trend);
  EXPECT_THAT(text, HasSubstr("oil\n"));
  EXPECT_THAT(text, HasSubstr("2024-06-01 00:00:00 UTC        3       1.50"));
  // In the zone the buckets were made in (Seoul is UTC+9).
  absl::TimeZone seoul;
  ASSERT_TRUE(absl::LoadTimeZone("Asia/Seoul", &seoul));
  EXPECT_THAT(FormatTrend(trend, seoul), HasSubstr("2024-06-01 09:00:00 +09:00"));
}

TEST(FormatModelInfo, SaysWhenItIsTheDemoModel) {
  v1::ModelInfo info;
  info.set_version("demo-1");
  info.set_demo_model(true);
  EXPECT_THAT(FormatModelInfo(info), HasSubstr("this is the demo model"));
  info.set_demo_model(false);
  EXPECT_THAT(FormatModelInfo(info), ::testing::Not(HasSubstr("demo model")));
}

TEST(DescribeRpcError, ListsQualityReasonsWithTheirHints) {
  v1::QualityReport report;
  v1::QualityIssue* issue = report.add_issues();
  issue->set_reason(v1::QUALITY_REASON_TOO_DARK);
  issue->set_severity(v1::QUALITY_SEVERITY_BLOCKING);
  issue->set_message("The face is too dark: find more light.");
  const absl::Status s = DescribeRpcError(
      StatusWithDetails(absl::FailedPreconditionError("photo refused"), {&report}));
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("photo refused"));
  EXPECT_THAT(s.message(), HasSubstr("TOO_DARK: The face is too dark: find more light."));
}

TEST(DescribeRpcError, UnauthenticatedSaysToLogInAgain) {
  v1::ErrorInfo info;
  info.set_reason("TOKEN_EXPIRED");
  const absl::Status s =
      DescribeRpcError(StatusWithDetails(absl::UnauthenticatedError("session ended"), {&info}));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(s.message(), HasSubstr("TOKEN_EXPIRED"));
  EXPECT_THAT(s.message(), HasSubstr("skinctl login"));
}

TEST(Skinctl, BadCommandLinesAreUsageErrors) {
  std::ostringstream out;
  Skinctl cli(nullptr, Options(), &out, nullptr);
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{}, {"frobnicate"}, {"show"}, {"logout", "extra"}}) {
    const absl::Status s = cli.Run(args);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(s.message().substr(0, 7), "usage: ") << s.message();
  }
}

TEST(Skinctl, UnknownTrendAttributeIsRefusedBeforeAnyCall) {
  std::ostringstream out;
  Skinctl cli(nullptr, Options(), &out, nullptr);
  const absl::Status s = cli.Run({"trend", "freckles"});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("oil, hydration, wrinkle, pigmentation or sensitivity"));
}

}  // namespace
}  // namespace skinlens::skinctl
