// skinctl's commands: a command-line client of skinlens.v1.DiagnosisService,
// and the reference for mobile developers of how the gRPC API is called
// (`authorization: Bearer <token>` metadata, `x-request-id`, rich error
// details). Output is a table for people, or protobuf's JSON mapping with
// --json for scripts.
//
//   Skinctl cli(v1::DiagnosisService::NewStub(channel), options, &std::cout, AskPassword);
//   absl::Status s = cli.Run({"diagnose", "face.jpg"});
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/support/status.h"
#include "skinlens/v1/diagnosis.grpc.pb.h"

namespace skinlens::skinctl {

// The usage text, listing every command.
extern const char kUsage[];

// Settings from the command line.
struct Options {
  std::string token_file;                      // Where the session token lives (token_store.h).
  bool json = false;                           // Print protobuf JSON instead of tables.
  std::string heatmaps_dir;                    // diagnose: also fetch heatmaps and write them here.
  std::string password;                        // register, login, delete-account; empty: ask.
  absl::Duration timeout = absl::Seconds(60);  // Deadline of each call.
  int page_size = 20;                          // history: diagnoses per page.
  std::string bucket;                          // trend: none, day, week or month.
  std::string time_zone;                       // trend: IANA zone for buckets.
  std::string out;                             // export: file to write (stdout when empty).
  double fps = 10;      // guide: frames sent per second; 0 sends them as fast as possible.
  int photo_width = 0;  // guide: the full photo's width the face size is judged at.
};

// Asks for a password without echo; the prompt names what for.
using PasswordPrompt = std::function<absl::StatusOr<std::string>(const std::string& prompt)>;

// Runs skinctl commands against a DiagnosisService stub. Not thread-safe.
class Skinctl {
 public:
  // `out` receives the command's output and must outlive this object.
  Skinctl(std::unique_ptr<v1::DiagnosisService::StubInterface> stub, Options options,
          std::ostream* out, PasswordPrompt ask_password);

  // Runs `args` (the command and its operands). INVALID_ARGUMENT with a
  // message starting "usage: " for a bad command line (the caller prints
  // kUsage); otherwise the call's error with a
  // message that says what to do (DescribeRpcError()).
  absl::Status Run(const std::vector<std::string>& args);

 private:
  absl::Status Register(const std::vector<std::string>& args);
  absl::Status Login(const std::vector<std::string>& args);
  absl::Status Logout();
  absl::Status Diagnose(const std::vector<std::string>& args);
  absl::Status History();
  absl::Status Show(const std::vector<std::string>& args);
  absl::Status Trend(const std::vector<std::string>& args);
  absl::Status Delete(const std::vector<std::string>& args);
  absl::Status Model();
  absl::Status Export();
  absl::Status DeleteAccount();
  absl::Status Guide(const std::vector<std::string>& files);

  // A context with the deadline and, when `authenticated`, the token.
  absl::StatusOr<std::unique_ptr<grpc::ClientContext>> Context(bool authenticated);
  // One call of `method` in a fresh Context(authenticated); a failed call
  // becomes a described error (DescribeRpcError).
  template <typename Request, typename Response>
  absl::Status Call(grpc::Status (v1::DiagnosisService::StubInterface::*method)(
                        grpc::ClientContext*, const Request&, Response*),
                    bool authenticated, const Request& request, Response* response);
  absl::StatusOr<std::string> Password(const std::string& prompt);
  void PrintJson(const google::protobuf::Message& message);

  std::unique_ptr<v1::DiagnosisService::StubInterface> stub_;
  const Options options_;
  std::ostream& out_;
  PasswordPrompt ask_password_;
};

// A failed call as an absl::Status whose message a person can act on: the
// code, the server's message, and the details (quality-gate reasons with their
// hints, field violations, the ErrorInfo reason, when to retry); for
// UNAUTHENTICATED a hint to log in again.
absl::Status DescribeRpcError(const grpc::Status& status);

// Tables (exposed for tests).
std::string FormatDiagnosis(const v1::Diagnosis& diagnosis);
std::string FormatDiagnosisList(const v1::ListDiagnosesResponse& page);
// Point times in `zone` (the --time_zone the buckets were made in).
std::string FormatTrend(const v1::GetTrendResponse& trend,
                        const absl::TimeZone& zone = absl::UTCTimeZone());
std::string FormatModelInfo(const v1::ModelInfo& info);
// One line per guidance answer: the frame, what it shows, what to do.
std::string FormatGuidance(const v1::GuideCaptureResponse& answer, const std::string& file);

// "ATTRIBUTE_WRINKLE" -> "wrinkle".
std::string AttributeName(v1::Attribute attribute);

}  // namespace skinlens::skinctl
