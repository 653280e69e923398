#include "common/grpc/shutdown_signal.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace skinlens {
namespace {

int pipe_fds[2] = {-1, -1};
std::atomic<int> signals_seen{0};

void OnSignal(int signo) {
  if (signals_seen.fetch_add(1) >= 1) {
    _exit(128 + signo);  // Second signal: the operator insists.
  }
  unsigned char byte = static_cast<unsigned char>(signo);
  ssize_t ignored = write(pipe_fds[1], &byte, 1);
  (void)ignored;
}

void CreatePipe() {
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    std::perror("shutdown signal pipe");
    std::abort();
  }
}

std::once_flag pipe_once;

}  // namespace

void InstallShutdownSignalHandlers() {
  std::call_once(pipe_once, CreatePipe);
  struct sigaction action {};
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
}

int WaitForShutdownSignal() {
  std::call_once(pipe_once, CreatePipe);
  unsigned char byte = 0;
  while (true) {
    ssize_t n = read(pipe_fds[0], &byte, 1);
    if (n == 1) return byte;
    if (n < 0 && errno == EINTR) continue;
    std::perror("shutdown signal pipe read");
    std::abort();
  }
}

void RequestShutdown() {
  std::call_once(pipe_once, CreatePipe);
  unsigned char byte = 0;
  ssize_t ignored = write(pipe_fds[1], &byte, 1);
  (void)ignored;
}

}  // namespace skinlens
