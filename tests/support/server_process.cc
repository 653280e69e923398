#include "server_process.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace skinlens::testing {
namespace fs = std::filesystem;

namespace {
std::atomic<int> next_instance{0};
}  // namespace

ServerProcess::ServerProcess(const std::string& binary, std::vector<std::string> args) {
  dir_ = fs::temp_directory_path() /
         absl::StrCat("skinlens-server-", getpid(), "-", next_instance.fetch_add(1));
  fs::create_directories(dir_);
  const std::string log_file = (dir_ / "server.log").string();
  args.insert(args.begin(), {binary, "--port=0", "--admin_port=0",
                             "--port_file=" + (dir_ / "ports").string(), "--log_format=json"});
  // A test that writes to a socket its server closed gets EPIPE, not death:
  // a test process killed by SIGPIPE would leave its servers running.
  signal(SIGPIPE, SIG_IGN);
  const pid_t parent = getpid();
  pid_ = fork();
  if (pid_ == 0) {
    // The server goes when the test process goes, however it ends; and it
    // holds none of the test's output pipes open (ctest waits on them).
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent) _exit(125);
    if (std::freopen(log_file.c_str(), "a", stderr) == nullptr) _exit(126);
    if (std::freopen("/dev/null", "w", stdout) == nullptr) _exit(126);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0 && !reaped_) {
    // A graceful stop first, as Kubernetes does: the service's shutdown path
    // runs, and under sanitizers its exit-time leak check too. SIGKILL only if
    // it does not exit in time (its shutdown grace is 10 s).
    kill(pid_, SIGTERM);
    kill(pid_, SIGCONT);  // In case a test froze it.
    if (AwaitExit(std::chrono::seconds(15)) == -1 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

bool ServerProcess::AwaitPorts(std::chrono::seconds limit) {
  const auto give_up = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < give_up) {
    std::ifstream in(dir_ / "ports");
    std::string line;
    while (std::getline(in, line)) {
      std::vector<std::string> kv = absl::StrSplit(line, '=');
      if (kv.size() == 2 && kv[0] == "grpc_port") return absl::SimpleAtoi(kv[1], &port_);
    }
    int status;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      reaped_ = true;
      return false;  // Died before serving.
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

int ServerProcess::AwaitExit(std::chrono::seconds limit) {
  const auto give_up = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < give_up) {
    int status;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      reaped_ = true;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

void ServerProcess::Signal(int signo) { kill(pid_, signo); }

std::string ServerProcess::Log() const {
  std::ifstream in(dir_ / "server.log");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string ServerProcess::address() const { return absl::StrCat("127.0.0.1:", port_); }

}  // namespace skinlens::testing
