#include "common/metrics/admin_server.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"

namespace skinlens {
namespace {

TEST(AdminServer, ServesMetricsAndHealthOnEphemeralPort) {
  MetricsRegistry registry;
  registry.GetCounter("probe_total", "Probes.").Increment(7);
  auto server = AdminServer::Start("127.0.0.1", 0, &registry);
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_GT((*server)->port(), 0);

  httplib::Client client("127.0.0.1", (*server)->port());
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_THAT(metrics->get_header_value("Content-Type"), ::testing::HasSubstr("version=0.0.4"));
  EXPECT_THAT(metrics->body, ::testing::HasSubstr("probe_total 7\n"));

  auto health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);

  (*server)->SetDraining();
  health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 503);

  auto missing = client.Get("/nope");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST(AdminServer, PortInUseIsUnavailable) {
  MetricsRegistry registry;
  auto first = AdminServer::Start("127.0.0.1", 0, &registry);
  ASSERT_TRUE(first.ok());
  auto second = AdminServer::Start("127.0.0.1", (*first)->port(), &registry);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace skinlens
