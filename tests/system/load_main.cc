// skinlens-load: N virtual users diagnosing photos through the gateway's gRPC
// DiagnosisService, as mobile apps do; reports photos/s, latency percentiles,
// errors by code, the gateway's per-stage times and each service's memory.
//
//   skinlens-load --photo=face.jpg --users=16 --duration=30s --run_info=.skinlens/data/run.info
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "common/config/config.h"
#include "grpcpp/create_channel.h"
#include "load_generator.h"
#include "nlohmann/json.hpp"
#include "process_memory.h"
#include "seed_design_client.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50050", "The gateway's gRPC address");
ABSL_FLAG(std::string, photo, "", "Photo file every call sends (required)");
ABSL_FLAG(int32_t, users, 4, "Virtual users diagnosing at the same time");
ABSL_FLAG(int32_t, accounts, 4,
          "Accounts the users share (auth throttles sign-ups per client address)");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(10), "No new photo starts after this long");
ABSL_FLAG(int64_t, photos, 0, "Stop after this many photos in all (0: only --duration counts)");
ABSL_FLAG(bool, heatmaps, false, "Ask for heatmaps (values, no overlays)");
ABSL_FLAG(bool, mixed, false,
          "Mixed traffic: every other photo with heatmaps, and a history list and trend read "
          "after every 5th photo (read failures count as errors 'read <CODE>')");
ABSL_FLAG(absl::Duration, deadline, absl::Seconds(30), "Deadline of each call");
ABSL_FLAG(std::string, account_prefix, "load", "Accounts are <prefix>-<n>, registered if missing");
ABSL_FLAG(std::string, pids, "", "Services whose resident memory to report, as name:pid,name:pid");
ABSL_FLAG(std::string, run_info, "",
          "Or: the run.info of scripts/run (.skinlens/data/run.info), for every service's pid");
ABSL_FLAG(std::string, seed_design, "",
          "Instead of the gateway: the seed's design (tests/seed_design), the URLs of its five "
          "attribute servers, comma-separated; every photo is posted to all five");
ABSL_FLAG(absl::Duration, memory_interval, absl::ZeroDuration(),
          "With --pids or --run_info: also sample every service's resident memory this often "
          "during the run (0: only at the start and the end)");
ABSL_FLAG(bool, json, false, "Print the report as JSON (for scripts) instead of a table");
ABSL_FLAG(bool, progress, true, "Show a progress line on stderr (only on a terminal)");

namespace {

using skinlens::load::LoadReport;
using Pids = std::vector<std::pair<std::string, pid_t>>;

std::vector<int64_t> Memory(const Pids& pids) {
  std::vector<int64_t> bytes;
  for (const auto& [name, pid] : pids) {
    absl::StatusOr<int64_t> rss = skinlens::load::ResidentBytes(pid);
    bytes.push_back(rss.ok() ? *rss : -1);
  }
  return bytes;
}

// Resident memory of each service over time, in bytes: samples[i][k] is
// service i at the k-th sample.
using MemorySamples = std::vector<std::vector<int64_t>>;

nlohmann::json ToJson(const LoadReport& r, const Pids& pids, const std::vector<int64_t>& before,
                      const std::vector<int64_t>& after, const MemorySamples& samples,
                      absl::Duration interval) {
  nlohmann::json j;
  j["ok"] = r.ok;
  j["failed"] = r.failed();
  j["saved"] = r.saved_diagnosis_ids.size();
  j["errors"] = r.errors;
  j["wall_seconds"] = absl::ToDoubleSeconds(r.wall);
  j["photos_per_second"] = r.photos_per_second();
  j["latency_ms"] = {{"p50", r.LatencyPercentileMs(50)},
                     {"p90", r.LatencyPercentileMs(90)},
                     {"p99", r.LatencyPercentileMs(99)},
                     {"max", r.max_latency_ms}};
  nlohmann::json stages;
  for (const auto& [stage, sum] : r.stage_ms_sum) stages[stage] = r.ok > 0 ? sum / r.ok : 0.0;
  j["stage_mean_ms"] = stages;
  nlohmann::json memory = nlohmann::json::object();
  for (size_t i = 0; i < pids.size(); ++i) {
    memory[pids[i].first] = {{"start_bytes", before[i]}, {"end_bytes", after[i]}};
  }
  j["resident_memory"] = memory;
  if (interval > absl::ZeroDuration()) {
    nlohmann::json series = nlohmann::json::object();
    for (size_t i = 0; i < pids.size(); ++i) series[pids[i].first] = samples[i];
    j["resident_memory_samples"] = {{"interval_seconds", absl::ToDoubleSeconds(interval)},
                                    {"bytes", series}};
  }
  return j;
}

void PrintTable(const LoadReport& r, const Pids& pids, const std::vector<int64_t>& before,
                const std::vector<int64_t>& after) {
  std::cout << absl::StrFormat("photos: %d ok (%d saved), %d failed in %.1f s: %.2f photos/s\n",
                               r.ok, r.saved_diagnosis_ids.size(), r.failed(),
                               absl::ToDoubleSeconds(r.wall), r.photos_per_second());
  std::cout << absl::StrFormat("latency (ok calls), ms: p50 %.1f  p90 %.1f  p99 %.1f  max %.1f\n",
                               r.LatencyPercentileMs(50), r.LatencyPercentileMs(90),
                               r.LatencyPercentileMs(99), r.max_latency_ms);
  if (r.ok > 0) {
    std::cout << "gateway stage means, ms:";
    for (const char* stage :
         {"authenticate", "preprocess", "inference", "explain", "record", "total"}) {
      auto it = r.stage_ms_sum.find(stage);
      std::cout << absl::StrFormat("  %s %.1f", stage,
                                   it == r.stage_ms_sum.end() ? 0.0 : it->second / r.ok);
    }
    std::cout << "\n";
  }
  for (const auto& [code, count] : r.errors)
    std::cout << "  error " << code << ": " << count << "\n";
  if (!pids.empty()) {
    std::cout << absl::StrFormat("%-12s %12s %12s %8s\n", "service", "RSS start MiB", "RSS end MiB",
                                 "change");
    for (size_t i = 0; i < pids.size(); ++i) {
      if (before[i] < 0 || after[i] < 0) {
        std::cout << absl::StrFormat("%-12s %12s\n", pids[i].first, "(process gone)");
        continue;
      }
      std::cout << absl::StrFormat("%-12s %12.1f %12.1f %+7.1f%%\n", pids[i].first,
                                   before[i] / 1048576.0, after[i] / 1048576.0,
                                   100.0 * (after[i] - before[i]) / before[i]);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  skinlens::InitCommandLine(
      argc, argv,
      "skinlens-load: N virtual users diagnosing a photo through the gateway's gRPC API; "
      "photos/s, latency percentiles, errors by code, per-stage times, services' memory");
  skinlens::load::LoadOptions options;
  options.users = absl::GetFlag(FLAGS_users);
  options.accounts = absl::GetFlag(FLAGS_accounts);
  options.duration = absl::GetFlag(FLAGS_duration);
  options.max_photos = absl::GetFlag(FLAGS_photos);
  options.heatmaps = absl::GetFlag(FLAGS_heatmaps);
  options.mixed = absl::GetFlag(FLAGS_mixed);
  options.deadline = absl::GetFlag(FLAGS_deadline);
  options.account_prefix = absl::GetFlag(FLAGS_account_prefix);
  const std::string photo_path = absl::GetFlag(FLAGS_photo);
  if (photo_path.empty()) {
    std::cerr << "skinlens-load: --photo is required (a JPEG, PNG or WebP face photo)\n";
    return 2;
  }
  std::ifstream in(photo_path, std::ios::binary);
  if (!in) {
    std::cerr << "skinlens-load: cannot read --photo '" << photo_path << "'\n";
    return 2;
  }
  std::stringstream photo;
  photo << in.rdbuf();
  options.photo = photo.str();
  if (options.users < 1 || options.users > 1024 || options.accounts < 1 ||
      options.duration <= absl::ZeroDuration() || options.max_photos < 0) {
    std::cerr << "skinlens-load: --users must be 1..1024, --accounts at least 1, --duration "
                 "positive, --photos not negative\n";
    return 2;
  }

  Pids pids;
  if (!absl::GetFlag(FLAGS_pids).empty()) {
    auto parsed = skinlens::load::ParsePidList(absl::GetFlag(FLAGS_pids));
    if (!parsed.ok()) {
      std::cerr << "skinlens-load: --pids: " << parsed.status().message() << "\n";
      return 2;
    }
    pids = *std::move(parsed);
  } else if (!absl::GetFlag(FLAGS_run_info).empty()) {
    auto parsed = skinlens::load::PidsFromRunInfo(absl::GetFlag(FLAGS_run_info));
    if (!parsed.ok()) {
      std::cerr << "skinlens-load: --run_info: " << parsed.status().message() << "\n";
      return 2;
    }
    pids = *std::move(parsed);
  }

  const std::string target = absl::GetFlag(FLAGS_target);
  auto new_stub = [&] {
    // Each virtual user on its own connection, like separate phones.
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetMaxReceiveMessageSize(64 << 20);
    args.SetMaxSendMessageSize(64 << 20);
    return skinlens::v1::DiagnosisService::NewStub(
        grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args));
  };
  const bool show_progress = absl::GetFlag(FLAGS_progress) && isatty(STDERR_FILENO);
  auto progress = [&](const skinlens::load::LoadProgress& p) {
    if (!show_progress) return;
    const double seconds = absl::ToDoubleSeconds(p.elapsed);
    std::fprintf(stderr, "\r[%5.1fs / %.0fs] %lld photos, %lld failed, %.1f/s   ", seconds,
                 absl::ToDoubleSeconds(options.duration), static_cast<long long>(p.done),
                 static_cast<long long>(p.failed), seconds > 0 ? p.done / seconds : 0.0);
    std::fflush(stderr);
  };

  const std::vector<int64_t> before = Memory(pids);
  // Memory over time, sampled on a thread while the load runs.
  const absl::Duration interval = absl::GetFlag(FLAGS_memory_interval);
  MemorySamples samples(pids.size());
  absl::Notification load_done;
  std::thread sampler;
  if (interval > absl::ZeroDuration() && !pids.empty()) {
    sampler = std::thread([&] {
      do {
        const std::vector<int64_t> now = Memory(pids);
        for (size_t i = 0; i < pids.size(); ++i) samples[i].push_back(now[i]);
      } while (!load_done.WaitForNotificationWithTimeout(interval));
    });
  }
  const std::vector<std::string> seed_urls =
      absl::StrSplit(absl::GetFlag(FLAGS_seed_design), ',', absl::SkipEmpty());
  absl::StatusOr<LoadReport> report =
      seed_urls.empty() ? skinlens::load::RunLoad(options, new_stub, progress)
                        : skinlens::load::RunSeedDesignLoad(options, seed_urls, progress);
  load_done.Notify();
  if (sampler.joinable()) sampler.join();
  if (show_progress) std::fputc('\n', stderr);
  if (!report.ok()) {
    std::cerr << "skinlens-load: " << report.status().message() << "\n";
    return 1;
  }
  const std::vector<int64_t> after = Memory(pids);
  if (absl::GetFlag(FLAGS_json)) {
    std::cout << ToJson(*report, pids, before, after, samples, interval).dump(2) << "\n";
  } else {
    PrintTable(*report, pids, before, after);
  }
  return 0;
}
