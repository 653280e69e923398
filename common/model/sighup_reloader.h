// Runs a reload on every SIGHUP, the same in inference and explain. The
// signal handler only writes a byte to a pipe (all a handler may safely do;
// gRPC and LibTorch start threads of their own, some before main(), so a
// blocked mask and sigwait cannot be relied on); a thread of the reloader
// reads it and calls `reload` as ordinary code. Several signals during one
// reload make one more reload, not many. One per process.
//
//   absl::StatusOr<std::unique_ptr<SighupReloader>> hup =
//       SighupReloader::Start([&] { LogOutcome(models.Reload(std::nullopt)); });
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <thread>

#include "absl/status/statusor.h"

namespace skinlens::model {

class SighupReloader {
 public:
  // Installs the SIGHUP handler and starts the thread. FAILED_PRECONDITION
  // when one is running already; INTERNAL when the pipe or handler cannot be
  // set up.
  static absl::StatusOr<std::unique_ptr<SighupReloader>> Start(std::function<void()> reload);

  // Stops the thread (after a reload in progress) and restores SIGHUP's default.
  ~SighupReloader();

  SighupReloader(const SighupReloader&) = delete;
  SighupReloader& operator=(const SighupReloader&) = delete;

 private:
  explicit SighupReloader(std::function<void()> reload) : reload_(std::move(reload)) {}
  void Loop();

  const std::function<void()> reload_;
  int fds_[2] = {-1, -1};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace skinlens::model
