// A SkinLens service binary run as a child process on ephemeral ports, for
// tests that need a real process: signals, crashes, restarts.
//
//   ServerProcess server(SKINLENS_HISTORY_SERVER, {"--database_url=sqlite:/tmp/h.db"});
//   ASSERT_TRUE(server.AwaitPorts()) << server.Log();
//   auto channel = grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials());
//   server.Signal(SIGKILL);
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace skinlens::testing {

// Starts `binary` with `args` plus --port=0, --admin_port=0, --port_file and
// JSON logs into a private temporary folder. The destructor stops the process
// (if still running: SIGTERM, SIGKILL after 15 s) and removes the folder. Not
// thread-safe.
class ServerProcess {
 public:
  ServerProcess(const std::string& binary, std::vector<std::string> args);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Waits (bounded) for the port file the server writes once it serves;
  // false when the process died first or the time ran out.
  bool AwaitPorts(std::chrono::seconds limit = std::chrono::seconds(30));

  // Waits (bounded) for the process to exit; its exit code, or -1 if it was
  // killed by a signal or did not exit in time.
  int AwaitExit(std::chrono::seconds limit);

  // Sends `signo` to the process.
  void Signal(int signo);

  // Everything the process wrote to stderr so far.
  std::string Log() const;

  pid_t pid() const { return pid_; }
  std::string address() const;

 private:
  std::filesystem::path dir_;
  pid_t pid_ = -1;
  int port_ = 0;
  bool reaped_ = false;
};

}  // namespace skinlens::testing
