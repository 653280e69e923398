// skinlens-history: every user's diagnoses over time (skinlens.v1.HistoryService).
#include "absl/flags/flag.h"
#include "common/config/config.h"
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

int main(int argc, char** argv) {
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
  auto store = skinlens::storage::OpenHistoryStore(absl::GetFlag(FLAGS_database_url));
  if (!store.ok()) {
    spdlog::critical("cannot open the history database: {}", store.status().ToString());
    return 1;
  }
  skinlens::history::HistoryService service(store->get(), options);
  return skinlens::RunServer(skinlens::ServerOptionsFromFlags("history"),
                             {{skinlens::v1::HistoryService::service_full_name(), &service}});
}
