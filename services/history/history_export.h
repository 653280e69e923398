// The history export: a user's diagnoses as a CSV file (RFC 4180, CRLF
// lines), one row per diagnosis and attribute, oldest first, times in UTC.
// No gRPC.
//
//   response.set_content(DiagnosesCsv(newest_first));
//   response.set_file_name(ExportFileName(absl::Now()));
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "skinlens/v1/common.pb.h"

namespace skinlens::history {

inline constexpr absl::string_view kCsvContentType = "text/csv; charset=utf-8";

// The CSV of `newest_first` (as the store pages them), written oldest first:
// diagnosis_id, create_time, model_version, demo_model, attribute, grade,
// expected_score, abstained.
std::string DiagnosesCsv(const std::vector<v1::Diagnosis>& newest_first);

// "skinlens-history-YYYY-MM-DD.csv" for the UTC day of `now`.
std::string ExportFileName(absl::Time now);

}  // namespace skinlens::history
