// skinlens-history: every user's diagnoses over time (skinlens.v1.HistoryService).
#include <string>
#include <utility>

#include "absl/flags/flag.h"
#include "common/config/config.h"
#include "common/config/large_allocations.h"
#include "common/grpc/call_assertion.h"
#include "common/grpc/server_runner.h"
#include "common/logging/logging.h"
#include "common/storage/history_store.h"
#include "services/history/history_service.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(std::string, database_url, "sqlite:history.db",
          "Where diagnoses live: sqlite:<path> (the embedded default) or "
          "postgresql://user:password@host:port/db");
ABSL_FLAG(int32_t, max_trend_points, 1000,
          "Most points per GetTrend series; older points beyond it are dropped");
ABSL_FLAG(std::string, user_assertion_key_file, "",
          "Required. File holding the secret (at least 32 bytes) shared with skinlens-gateway: "
          "history acts only for users whose id the gateway signed with it. Create one with "
          "`head -c 32 /dev/urandom | base64 > FILE`");
ABSL_FLAG(int32_t, heatmap_thumbnail_px, 0,
          "0: store no heatmaps (the default). Otherwise keep each heatmap as a thumbnail whose "
          "longer side is at most this many pixels (4..256)");

int main(int argc, char** argv) {
  skinlens::KeepLargeAllocationsInProcess();
  skinlens::InitCommandLine(argc, argv, "skinlens-history: every user's diagnoses over time");
  if (absl::Status s = skinlens::SetupLoggingFromFlags("history"); !s.ok()) {
    spdlog::critical("{}", s.ToString());
    return 2;
  }
  skinlens::history::HistoryServiceOptions options;
  options.max_trend_points = absl::GetFlag(FLAGS_max_trend_points);
  if (options.max_trend_points < 1) {
    spdlog::critical("--max_trend_points must be at least 1");
    return 2;
  }
  options.heatmap_thumbnail_px = absl::GetFlag(FLAGS_heatmap_thumbnail_px);
  if (options.heatmap_thumbnail_px != 0 &&
      (options.heatmap_thumbnail_px < 4 || options.heatmap_thumbnail_px > 256)) {
    spdlog::critical("--heatmap_thumbnail_px must be 0 (off) or 4..256, not {}",
                     options.heatmap_thumbnail_px);
    return 2;
  }
  auto key = skinlens::CallAssertionKey::FromFlag(absl::GetFlag(FLAGS_user_assertion_key_file),
                                                  "--user_assertion_key_file", "skinlens-gateway");
  if (!key.ok()) {
    spdlog::critical("{}", std::string(key.status().message()));
    return 2;
  }
  auto store = skinlens::storage::OpenHistoryStore(absl::GetFlag(FLAGS_database_url));
  if (!store.ok()) {
    spdlog::critical("cannot open the history database: {}", store.status().ToString());
    return 1;
  }
  skinlens::history::HistoryService service(store->get(), *std::move(key), options);
  return skinlens::RunServer(skinlens::ServerOptionsFromFlags("history"),
                             {{skinlens::v1::HistoryService::service_full_name(), &service}});
}
