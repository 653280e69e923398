#include "common/model/sighup_reloader.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <utility>

#include "absl/status/status.h"

namespace skinlens::model {
namespace {

// The write end of the running reloader's pipe; -1 when none runs.
std::atomic<int> hup_pipe_write{-1};

void OnSighup(int /*signo*/) {
  const int fd = hup_pipe_write.load();
  const char byte = 'h';
  if (fd < 0) return;
  // Async-signal-safe; a full pipe means a reload is pending anyway.
  [[maybe_unused]] const ssize_t written = write(fd, &byte, 1);
}

}  // namespace

absl::StatusOr<std::unique_ptr<SighupReloader>> SighupReloader::Start(
    std::function<void()> reload) {
  std::unique_ptr<SighupReloader> reloader(new SighupReloader(std::move(reload)));
  if (pipe2(reloader->fds_, O_CLOEXEC | O_NONBLOCK) != 0) {
    return absl::InternalError("cannot create the SIGHUP pipe");
  }
  int none = -1;
  if (!hup_pipe_write.compare_exchange_strong(none, reloader->fds_[1])) {
    close(reloader->fds_[0]);
    close(reloader->fds_[1]);
    return absl::FailedPreconditionError("a SIGHUP reloader already runs in this process");
  }
  struct sigaction action = {};
  action.sa_handler = OnSighup;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  if (sigaction(SIGHUP, &action, nullptr) != 0) {
    hup_pipe_write = -1;
    close(reloader->fds_[0]);
    close(reloader->fds_[1]);
    return absl::InternalError("cannot install the SIGHUP handler");
  }
  reloader->thread_ = std::thread([self = reloader.get()] { self->Loop(); });
  return reloader;
}

SighupReloader::~SighupReloader() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  signal(SIGHUP, SIG_DFL);
  hup_pipe_write = -1;
  close(fds_[0]);
  close(fds_[1]);
}

void SighupReloader::Loop() {
  while (!stop_) {
    pollfd fd = {fds_[0], POLLIN, 0};
    if (poll(&fd, 1, /*timeout_ms=*/100) <= 0) continue;  // Timeout or EINTR: stop_ again.
    char buffer[64];
    while (read(fds_[0], buffer, sizeof(buffer)) > 0) {
    }  // Every signal so far: one reload.
    reload_();
  }
}

}  // namespace skinlens::model
