// Process metrics in the Prometheus text exposition format (version 0.0.4,
// https://prometheus.io/docs/instrumenting/exposition_formats/).
//
// Debian 12 has no Prometheus client library for C++, and the format is small,
// so the three metric kinds SkinLens uses are implemented here. Metrics are
// registered once and updated lock-free on hot paths:
//
//   Counter& requests = registry.GetCounter("skinlens_grpc_requests_total",
//       "RPCs handled.", {{"method", "/skinlens.v1.AuthService/Login"}, {"code", "OK"}});
//   requests.Increment();
//   std::string text = registry.RenderText();  // served on GET /metrics
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace skinlens {

// Label name -> value pairs, ordered by name so that the same labels given in
// any order name the same series.
using MetricLabels = std::map<std::string, std::string>;

// A monotonically increasing value. Thread-safe.
class Counter {
 public:
  void Increment(double by = 1.0);
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// A value that goes up and down. Thread-safe.
class Gauge {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Add(double by);
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// Counts observations into cumulative buckets with fixed upper bounds.
// Thread-safe; Observe() takes no lock.
class Histogram {
 public:
  // `bounds` must be sorted ascending; +Inf is implicit.
  explicit Histogram(std::vector<double> bounds);

  void Observe(double value);

  struct Snapshot {
    std::vector<double> bounds;
    std::vector<uint64_t> cumulative_counts;  // One per bound, then one for +Inf.
    double sum = 0.0;
    uint64_t count = 0;
  };
  Snapshot Read() const;

 private:
  const std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> bucket_counts_;  // Non-cumulative, bounds_.size()+1.
  std::atomic<double> sum_{0.0};
  std::atomic<uint64_t> count_{0};
};

// Latency buckets in seconds, 1 ms to 60 s: from a cached health check to a
// 12 MP photo under load.
std::vector<double> LatencyBucketsSeconds();

// Owns every metric of a process and renders them. Get*() return references
// that stay valid for the registry's lifetime; callers on hot paths keep them.
// Thread-safe.
class MetricsRegistry {
 public:
  // The registry the process's services and the admin endpoint share.
  static MetricsRegistry& Default();

  // Returns the series `name{labels}`, creating it (and its family, with
  // `help`) on first use. Metric and label names must match Prometheus'
  // [a-zA-Z_:][a-zA-Z0-9_:]*; a name already used by another kind aborts,
  // since that is a programming error.
  Counter& GetCounter(absl::string_view name, absl::string_view help,
                      const MetricLabels& labels = {});
  Gauge& GetGauge(absl::string_view name, absl::string_view help, const MetricLabels& labels = {});
  // `bounds` is used when the family is created; later calls get its bounds.
  Histogram& GetHistogram(absl::string_view name, absl::string_view help,
                          const MetricLabels& labels = {},
                          std::vector<double> bounds = LatencyBucketsSeconds());

  // All families, sorted by name, in the text exposition format.
  std::string RenderText() const;

 private:
  enum class Kind { kCounter, kGauge, kHistogram };
  struct Family {
    Kind kind;
    std::string help;
    std::vector<double> bounds;  // Histograms only.
    std::map<MetricLabels, std::unique_ptr<Counter>> counters;
    std::map<MetricLabels, std::unique_ptr<Gauge>> gauges;
    std::map<MetricLabels, std::unique_ptr<Histogram>> histograms;
  };

  Family& FamilyFor(absl::string_view name, absl::string_view help, Kind kind,
                    const MetricLabels& labels) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::map<std::string, Family, std::less<>> families_ ABSL_GUARDED_BY(mu_);
};

// Text-format helpers, exposed for tests.
std::string EscapeLabelValue(absl::string_view value);
std::string FormatMetricValue(double value);

}  // namespace skinlens
