// The gateway's settings are checked where they are defined (GatewayOptions,
// HttpOptions), not in main: defaults pass, each out-of-range one is named.
#include "gtest/gtest.h"
#include "services/gateway/gateway_core.h"
#include "services/gateway/http_gateway.h"

namespace skinlens::gateway {
namespace {

TEST(GatewayOptions, DefaultsPassAndEachBadSettingIsNamed) {
  EXPECT_TRUE(GatewayOptions().Validate().ok());
  auto refused = [](auto change) {
    GatewayOptions o;
    change(o);
    const absl::Status s = o.Validate();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    return std::string(s.message());
  };
  EXPECT_NE(
      refused([](GatewayOptions& o) { o.diagnose.max_photo_bytes = 0; }).find("max_photo_bytes"),
      std::string::npos);
  EXPECT_NE(
      refused([](GatewayOptions& o) { o.diagnose.preview_max_side = 8; }).find("preview_max_side"),
      std::string::npos);
  EXPECT_NE(refused([](GatewayOptions& o) {
              o.max_concurrent_diagnoses = 0;
            }).find("max_concurrent_diagnoses"),
            std::string::npos);
  EXPECT_NE(refused([](GatewayOptions& o) {
              o.diagnose.deadlines.explain = absl::ZeroDuration();
            }).find("deadline"),
            std::string::npos);
  EXPECT_NE(
      refused([](GatewayOptions& o) { o.guidance.max_streams = 0; }).find("guidance_max_streams"),
      std::string::npos);
  EXPECT_NE(
      refused([](GatewayOptions& o) { o.guidance.ready_frames = 0; }).find("guidance_ready_frames"),
      std::string::npos);
  EXPECT_NE(refused([](GatewayOptions& o) {
              o.guidance.max_face_movement = 0;
            }).find("guidance_max_face_movement"),
            std::string::npos);
  EXPECT_NE(refused([](GatewayOptions& o) {
              o.guidance.idle_timeout = absl::ZeroDuration();
            }).find("guidance_idle_timeout"),
            std::string::npos);
}

TEST(HttpOptions, DefaultsPassAndEachBadSettingIsNamed) {
  EXPECT_TRUE(HttpOptions().Validate().ok());
  auto refused = [](auto change) {
    HttpOptions o;
    change(o);
    const absl::Status s = o.Validate();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    return std::string(s.message());
  };
  EXPECT_NE(refused([](HttpOptions& o) { o.port = 70000; }).find("http_port"), std::string::npos);
  EXPECT_NE(refused([](HttpOptions& o) { o.worker_threads = 0; }).find("http_threads"),
            std::string::npos);
  EXPECT_NE(refused([](HttpOptions& o) { o.max_queued_connections = 0; }).find("http_max_queued"),
            std::string::npos);
  EXPECT_NE(refused([](HttpOptions& o) {
              o.request_deadline = absl::ZeroDuration();
            }).find("http_request_deadline"),
            std::string::npos);
  EXPECT_NE(refused([](HttpOptions& o) {
              o.max_connections_per_address = -1;
            }).find("http_max_connections_per_address"),
            std::string::npos);
}

}  // namespace
}  // namespace skinlens::gateway
