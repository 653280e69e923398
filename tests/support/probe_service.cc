#include "probe_service.h"

#include <chrono>
#include <condition_variable>

#include "common/grpc/call_context.h"
#include "spdlog/spdlog.h"

namespace skinlens::testing {
namespace {

// A unary reactor that a waiting thread can be woken from when the call is
// cancelled. Deletes itself when gRPC is done with it.
class SleepReactor : public grpc::ServerUnaryReactor {
 public:
  // Waits up to `duration`; returns false if the call was cancelled first.
  bool WaitFor(std::chrono::milliseconds duration) {
    std::unique_lock<std::mutex> lock(mu_);
    return !cv_.wait_for(lock, duration, [this] { return cancelled_; });
  }

  void OnCancel() override {
    std::lock_guard<std::mutex> lock(mu_);
    cancelled_ = true;
    cv_.notify_all();
  }

  void OnDone() override { delete this; }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool cancelled_ = false;  // Guarded by mu_.
};

}  // namespace

ProbeService::~ProbeService() {
  std::lock_guard<std::mutex> lock(mu_);
  for (std::thread& t : sleepers_) t.join();
}

grpc::ServerUnaryReactor* ProbeService::Sleep(grpc::CallbackServerContext* context,
                                              const v1::SleepRequest* request,
                                              v1::SleepResponse* response) {
  ServerCallScope scope(context);
  spdlog::info("sleep {} ms", request->milliseconds());
  auto* reactor = new SleepReactor();
  response->set_request_id(scope.request_id());
  const std::chrono::milliseconds duration(request->milliseconds());
  std::lock_guard<std::mutex> lock(mu_);
  sleepers_.emplace_back([reactor, response, duration] {
    const auto start = std::chrono::steady_clock::now();
    if (!reactor->WaitFor(duration)) {
      reactor->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled while sleeping"));
      return;
    }
    response->set_slept_milliseconds(
        static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - start)
                             .count()));
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

}  // namespace skinlens::testing
