// skinlens-probe-server: the shared service runtime around ProbeService, as a
// real process for the tests of health, reflection and graceful shutdown.
#include "common/config/config.h"
#include "common/grpc/server_runner.h"
#include "common/logging/logging.h"
#include "probe_service.h"
#include "spdlog/spdlog.h"

int main(int argc, char** argv) {
  skinlens::InitCommandLine(argc, argv,
                            "skinlens-probe-server: a test server that answers Sleep calls");
  if (absl::Status s = skinlens::SetupLoggingFromFlags("probe"); !s.ok()) {
    spdlog::critical("{}", s.ToString());
    return 2;
  }
  skinlens::testing::ProbeService service;
  return skinlens::RunServer(
      skinlens::ServerOptionsFromFlags("probe"),
      {{skinlens::testing::v1::ProbeService::service_full_name(), &service}});
}
