#include "common/metrics/metrics_registry.h"

#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skinlens {
namespace {

using ::testing::HasSubstr;

TEST(MetricsRegistry, RendersCounterWithHelpTypeAndSortedLabels) {
  MetricsRegistry registry;
  registry.GetCounter("rpc_total", "RPCs handled.", {{"method", "Login"}, {"code", "OK"}})
      .Increment(3);
  EXPECT_EQ(registry.RenderText(),
            "# HELP rpc_total RPCs handled.\n"
            "# TYPE rpc_total counter\n"
            "rpc_total{code=\"OK\",method=\"Login\"} 3\n");
}

TEST(MetricsRegistry, SameLabelsInAnyOrderAreOneSeries) {
  MetricsRegistry registry;
  Counter& a = registry.GetCounter("x_total", "x", {{"a", "1"}, {"b", "2"}});
  Counter& b = registry.GetCounter("x_total", "x", {{"b", "2"}, {"a", "1"}});
  EXPECT_EQ(&a, &b);
}

TEST(MetricsRegistry, GaugeGoesUpAndDown) {
  MetricsRegistry registry;
  Gauge& g = registry.GetGauge("in_flight", "Calls in flight.");
  g.Add(2);
  g.Add(-1);
  EXPECT_THAT(registry.RenderText(), HasSubstr("# TYPE in_flight gauge\nin_flight 1\n"));
}

TEST(MetricsRegistry, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  MetricsRegistry registry;
  Histogram& h =
      registry.GetHistogram("latency_seconds", "Latency.", {{"method", "M"}}, {0.1, 0.5, 1});
  h.Observe(0.05);
  h.Observe(0.1);  // On a bound: counts in that bucket ("le" is less or equal).
  h.Observe(0.7);
  h.Observe(3);
  EXPECT_EQ(registry.RenderText(),
            "# HELP latency_seconds Latency.\n"
            "# TYPE latency_seconds histogram\n"
            "latency_seconds_bucket{method=\"M\",le=\"0.1\"} 2\n"
            "latency_seconds_bucket{method=\"M\",le=\"0.5\"} 2\n"
            "latency_seconds_bucket{method=\"M\",le=\"1\"} 3\n"
            "latency_seconds_bucket{method=\"M\",le=\"+Inf\"} 4\n"
            "latency_seconds_sum{method=\"M\"} 3.85\n"
            "latency_seconds_count{method=\"M\"} 4\n");
}

TEST(MetricsRegistry, EscapesLabelValuesAndHelp) {
  MetricsRegistry registry;
  registry.GetCounter("e_total", "line one\nback\\slash", {{"path", "a\"b\\c\nd"}}).Increment();
  EXPECT_EQ(registry.RenderText(),
            "# HELP e_total line one\\nback\\\\slash\n"
            "# TYPE e_total counter\n"
            "e_total{path=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(MetricsRegistry, FamiliesAreSortedByName) {
  MetricsRegistry registry;
  registry.GetGauge("zeta", "z");
  registry.GetGauge("alpha", "a");
  std::string text = registry.RenderText();
  EXPECT_LT(text.find("alpha"), text.find("zeta"));
}

TEST(MetricsRegistry, CountsFromManyThreadsAddUp) {
  MetricsRegistry registry;
  Counter& c = registry.GetCounter("c_total", "c");
  Histogram& h = registry.GetHistogram("h_seconds", "h");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c.Increment();
        h.Observe(0.002);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.Value(), 40000);
  EXPECT_EQ(h.Read().count, 40000u);
  EXPECT_NEAR(h.Read().sum, 80.0, 1e-9);
}

TEST(MetricsRegistryDeathTest, OneNameCannotBeTwoKinds) {
  MetricsRegistry registry;
  registry.GetCounter("dup", "d");
  EXPECT_DEATH(registry.GetGauge("dup", "d"), "two kinds");
}

TEST(MetricsRegistryDeathTest, RejectsInvalidNames) {
  MetricsRegistry registry;
  EXPECT_DEATH(registry.GetCounter("bad-name", "d"), "invalid metric name");
  EXPECT_DEATH(registry.GetCounter("ok", "d", {{"le", "1"}}), "invalid label name");
}

TEST(FormatMetricValue, IntegersExactOthersShortest) {
  EXPECT_EQ(FormatMetricValue(42), "42");
  EXPECT_EQ(FormatMetricValue(0.001), "0.001");
  EXPECT_EQ(FormatMetricValue(1e20), "1e+20");
  EXPECT_EQ(FormatMetricValue(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(FormatMetricValue(1.0 / 0.0), "+Inf");
}

}  // namespace
}  // namespace skinlens
