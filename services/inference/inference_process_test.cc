// The real skinlens-inference binary as a child process: loads a bundle,
// answers Predict over loopback, reloads --model on SIGHUP, drains on SIGTERM.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "server_process.h"
#include "services/inference/test_bundle.h"
#include "skinlens/v1/inference.grpc.pb.h"

namespace skinlens::inference {
namespace {

namespace fs = std::filesystem;

std::string ModelVersion(v1::InferenceService::Stub& stub) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  v1::InferenceServiceGetModelInfoResponse info;
  const grpc::Status status = stub.GetModelInfo(&context, {}, &info);
  return status.ok() ? info.model_info().version() : status.error_message();
}

TEST(InferenceProcess, ServesPredictOverLoopbackAndReloadsOnSighup) {
  const fs::path dir =
      fs::path(::testing::TempDir()) / absl::StrCat("skinlens_inference_process_", ::getpid());
  fs::remove_all(dir);
  const std::string bundle = (dir / "model").string();
  ASSERT_TRUE(testing::WriteTinyBundle(bundle, "tiny.1", 1).ok());

  skinlens::testing::ServerProcess server(
      SKINLENS_INFERENCE_SERVER,
      {"--model=" + bundle, "--intra_op_threads=1", "--max_queue_delay=0s"});
  ASSERT_TRUE(server.AwaitPorts()) << server.Log();
  auto stub = v1::InferenceService::NewStub(
      grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));

  v1::InferenceServicePredictRequest request;
  std::mt19937 rng(3);
  for (v1::FaceRegion region : {v1::FACE_REGION_FOREHEAD, v1::FACE_REGION_LEFT_CHEEK}) {
    v1::RegionCrop* crop = request.add_crops();
    crop->set_region(region);
    crop->set_width(64);
    crop->set_height(64);
    std::string pixels(64 * 64 * 3, '\0');
    for (char& c : pixels) {
      c = static_cast<char>(rng() & 0xff);
    }
    crop->set_pixels(pixels);
  }
  request.set_include_feature_maps(true);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  v1::InferenceServicePredictResponse response;
  const grpc::Status status = stub->Predict(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message() << "\n" << server.Log();
  ASSERT_EQ(response.predictions_size(), 2);
  EXPECT_EQ(response.predictions(1).region(), v1::FACE_REGION_LEFT_CHEEK);
  EXPECT_EQ(response.predictions(0).attributes_size(), 5);
  EXPECT_EQ(response.photo_results_size(), 5);
  EXPECT_EQ(response.model_info().version(), "tiny.1");
  EXPECT_EQ(response.predictions(0).feature_map().data_type(), v1::DATA_TYPE_FLOAT16);

  // A new bundle at the same path, then SIGHUP: the process reloads it.
  ASSERT_TRUE(testing::WriteTinyBundle(bundle, "tiny.2", 2).ok());
  server.Signal(SIGHUP);
  // Waits for another process (bounded): the reload runs on its own thread.
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  while (ModelVersion(*stub) != "tiny.2" && absl::Now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(ModelVersion(*stub), "tiny.2") << server.Log();

  server.Signal(SIGTERM);
  EXPECT_EQ(server.AwaitExit(std::chrono::seconds(15)), 0) << server.Log();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace skinlens::inference
