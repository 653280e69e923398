// The CSV export without gRPC: column order, oldest first, quoting, UTC times.
#include "services/history/history_export.h"

#include "absl/strings/str_split.h"
#include "common/time/proto_time.h"
#include "gtest/gtest.h"

namespace skinlens::history {
namespace {

v1::Diagnosis Diagnosis(const std::string& id, int64_t seconds, const std::string& model) {
  v1::Diagnosis d;
  d.set_id(id);
  d.set_model_version(model);
  d.mutable_create_time()->set_seconds(seconds);
  v1::AttributeResult* oil = d.add_results();
  oil->set_attribute(v1::ATTRIBUTE_OIL);
  oil->mutable_distribution()->set_grade(2);
  oil->mutable_distribution()->set_expected_score(2.25);
  v1::AttributeResult* wrinkle = d.add_results();
  wrinkle->set_attribute(v1::ATTRIBUTE_WRINKLE);
  wrinkle->set_abstained(true);
  return d;
}

TEST(DiagnosesCsv, OneRowPerAttributeOldestFirstWithFieldsQuoted) {
  // Newest first, as the store pages them.
  const std::string csv =
      DiagnosesCsv({Diagnosis("b", 86400, "demo \"2\", new"), Diagnosis("a", 0, "demo-1")});
  const std::vector<std::string> lines = absl::StrSplit(csv, "\r\n");
  ASSERT_EQ(lines.size(), 6u);  // Header, two rows each, and the empty rest after the last CRLF.
  EXPECT_EQ(lines[0],
            "diagnosis_id,create_time,model_version,demo_model,attribute,grade,expected_score,"
            "abstained");
  EXPECT_EQ(lines[1], "a,1970-01-01T00:00:00+00:00,demo-1,false,ATTRIBUTE_OIL,2,2.25,false");
  EXPECT_EQ(lines[2], "a,1970-01-01T00:00:00+00:00,demo-1,false,ATTRIBUTE_WRINKLE,0,0,true");
  EXPECT_EQ(lines[3],
            "b,1970-01-02T00:00:00+00:00,\"demo \"\"2\"\", new\",false,ATTRIBUTE_OIL,2,2.25,false");
  EXPECT_EQ(lines[5], "");
}

TEST(DiagnosesCsv, NoDiagnosesIsTheHeaderAlone) {
  EXPECT_EQ(DiagnosesCsv({}),
            "diagnosis_id,create_time,model_version,demo_model,attribute,grade,expected_score,"
            "abstained\r\n");
}

TEST(ExportFileName, IsTheUtcDay) {
  EXPECT_EQ(ExportFileName(absl::FromUnixSeconds(86400 * 365 - 1)),
            "skinlens-history-1970-12-31.csv");
}

}  // namespace
}  // namespace skinlens::history
