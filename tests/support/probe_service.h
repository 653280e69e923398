// ProbeService: a test service that holds a call for a requested time, used to
// test the shared server runtime (health, reflection, drain on SIGTERM).
#pragma once

#include <mutex>
#include <thread>
#include <vector>

#include "skinlens/testing/v1/probe.grpc.pb.h"

namespace skinlens::testing {

// Thread-safe. Each Sleep waits on its own thread so that a held call never
// blocks gRPC's callback threads, and it ends early (CANCELLED) when the call
// is cancelled, as every real handler must: a server cannot finish shutting
// down while a handler holds a call. The destructor joins the threads.
class ProbeService final : public skinlens::testing::v1::ProbeService::CallbackService {
 public:
  ~ProbeService() override;

  grpc::ServerUnaryReactor* Sleep(grpc::CallbackServerContext* context,
                                  const v1::SleepRequest* request,
                                  v1::SleepResponse* response) override;

 private:
  std::mutex mu_;
  std::vector<std::thread> sleepers_;  // Guarded by mu_.
};

}  // namespace skinlens::testing
