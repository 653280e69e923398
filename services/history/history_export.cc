#include "services/history/history_export.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/time/proto_time.h"

namespace skinlens::history {
namespace {

// RFC 4180 field: quoted when it holds a comma, quote or line break.
std::string CsvField(absl::string_view s) {
  if (s.find_first_of(",\"\r\n") == absl::string_view::npos) return std::string(s);
  return absl::StrCat("\"", absl::StrReplaceAll(s, {{"\"", "\"\""}}), "\"");
}

}  // namespace

std::string DiagnosesCsv(const std::vector<v1::Diagnosis>& newest_first) {
  std::string csv =
      "diagnosis_id,create_time,model_version,demo_model,attribute,grade,expected_score,"
      "abstained\r\n";
  for (auto it = newest_first.rbegin(); it != newest_first.rend(); ++it) {
    const std::string time =
        absl::FormatTime(absl::RFC3339_full, TimeFromProto(it->create_time()), absl::UTCTimeZone());
    for (const v1::AttributeResult& r : it->results()) {
      absl::StrAppend(&csv, CsvField(it->id()), ",", time, ",", CsvField(it->model_version()), ",",
                      it->demo_model() ? "true" : "false", ",", v1::Attribute_Name(r.attribute()),
                      ",", r.distribution().grade(), ",", r.distribution().expected_score(),
                      // "cannot estimate": the grade is the model's unsure guess, not a result.
                      ",", r.abstained() ? "true" : "false", "\r\n");
    }
  }
  return csv;
}

std::string ExportFileName(absl::Time now) {
  return absl::StrCat("skinlens-history-", absl::FormatTime("%Y-%m-%d", now, absl::UTCTimeZone()),
                      ".csv");
}

}  // namespace skinlens::history
