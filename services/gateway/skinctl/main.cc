// skinctl: command-line client of the SkinLens gRPC API. See skinctl.h.
#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "common/config/config.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "services/gateway/skinctl/skinctl.h"
#include "services/gateway/skinctl/token_store.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50050", "The gateway's gRPC address (host:port)");
ABSL_FLAG(std::string, token_file, "",
          "Session token file; default $XDG_CONFIG_HOME/skinlens/token or "
          "~/.config/skinlens/token");
ABSL_FLAG(bool, json, false, "Print the response as JSON (protobuf JSON mapping)");
ABSL_FLAG(std::string, heatmaps, "", "diagnose: also compute Grad-CAM heatmaps, write them here");
ABSL_FLAG(std::string, password, "",
          "Password for register/login/delete-account (prefer $SKINLENS_PASSWORD or the prompt)");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(60), "Deadline of each call");
ABSL_FLAG(int32_t, page_size, 20, "history: diagnoses to list (at most 100)");
ABSL_FLAG(std::string, bucket, "", "trend: none, day, week or month");
ABSL_FLAG(std::string, time_zone, "", "trend: IANA time zone for buckets, e.g. Asia/Seoul");
ABSL_FLAG(std::string, out, "", "export: write the CSV here instead of stdout");
ABSL_FLAG(double, fps, 10, "guide: frames sent per second (0: as fast as possible)");
ABSL_FLAG(int32_t, photo_width, 0,
          "guide: width of the photo the camera would take, so the face's size is judged at "
          "it (0: the frame's own width)");

namespace {

// Reads a line from the terminal without echo (or from stdin when it is not
// a terminal, for scripts).
absl::StatusOr<std::string> AskPassword(const std::string& prompt) {
  const bool tty = isatty(STDIN_FILENO) != 0;
  termios saved{};
  if (tty) {
    std::cerr << prompt << std::flush;
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  const bool got = static_cast<bool>(std::getline(std::cin, line));
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << "\n";
  }
  if (!got || line.empty()) return absl::InvalidArgumentError("no password given");
  return line;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> positional = skinlens::InitCommandLine(argc, argv, skinlens::skinctl::kUsage);
  std::vector<std::string> args(positional.begin() + 1, positional.end());
  if (args.empty()) {
    std::cerr << skinlens::skinctl::kUsage;
    return 2;
  }
  skinlens::skinctl::Options options;
  options.token_file = absl::GetFlag(FLAGS_token_file);
  if (options.token_file.empty()) options.token_file = skinlens::skinctl::DefaultTokenPath();
  options.json = absl::GetFlag(FLAGS_json);
  options.heatmaps_dir = absl::GetFlag(FLAGS_heatmaps);
  options.password = absl::GetFlag(FLAGS_password);
  options.timeout = absl::GetFlag(FLAGS_timeout);
  options.page_size = absl::GetFlag(FLAGS_page_size);
  options.bucket = absl::GetFlag(FLAGS_bucket);
  options.time_zone = absl::GetFlag(FLAGS_time_zone);
  options.out = absl::GetFlag(FLAGS_out);
  options.fps = absl::GetFlag(FLAGS_fps);
  options.photo_width = absl::GetFlag(FLAGS_photo_width);

  grpc::ChannelArguments channel_args;
  channel_args.SetMaxSendMessageSize(32 << 20);
  channel_args.SetMaxReceiveMessageSize(64 << 20);
  auto channel = grpc::CreateCustomChannel(absl::GetFlag(FLAGS_target),
                                           grpc::InsecureChannelCredentials(), channel_args);
  skinlens::skinctl::Skinctl cli(skinlens::v1::DiagnosisService::NewStub(channel), options,
                                 &std::cout, AskPassword);
  const absl::Status status = cli.Run(args);
  if (status.ok()) return 0;
  if (absl::IsInvalidArgument(status) && absl::StartsWith(status.message(), "usage: ")) {
    std::cerr << "skinctl: " << status.message() << "\n\n" << skinlens::skinctl::kUsage;
    return 2;
  }
  std::cerr << "skinctl: " << absl::StatusCodeToString(status.code()) << ": " << status.message()
            << "\n";
  return 1;
}
