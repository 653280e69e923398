// InferenceService over gRPC on loopback, in-process, with tiny bundles the
// test writes. Queueing behaviour is driven by a ManualBatcherClock (the
// batcher flushes only on a full batch or when the test advances time), so no
// test depends on real time or sleeps.
#include "services/inference/inference_service.h"

#include <torch/torch.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/grpc/rich_status.h"
#include "common/grpc/server_runner.h"
#include "common/metrics/metrics_registry.h"
#include "common/model/grading_model_loader.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "services/inference/test_bundle.h"

namespace skinlens::inference {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int kSize = 64;  // The tiny bundle's input size.
constexpr double kTolerance = 1e-4;

v1::RegionCrop MakeCrop(v1::FaceRegion region, int seed, int size = kSize) {
  return testing::MakeTestCrop(region, seed, size);
}

// What the model library computes for `crops`, prepared here independently
// of the service: BGR bytes -> RGB -> / 255 -> (x - mean) / std, NCHW.
struct Reference {
  torch::Tensor probabilities;  // [N, A, G]
  torch::Tensor features;       // [N, C, h, w]
};
Reference ComputeReference(const std::string& bundle, const std::vector<v1::RegionCrop>& crops) {
  auto model = model::LoadGradingModel(bundle);
  EXPECT_TRUE(model.ok()) << model.status();
  const torch::Tensor images = testing::CropsToTensor(crops, (*model)->metadata().input);
  torch::NoGradGuard no_grad;
  auto out = (*model)->Forward(images, /*return_features=*/true);
  EXPECT_TRUE(out.ok()) << out.status();
  return {torch::softmax(out->logits, -1), out->features};
}

std::vector<float> Probabilities(const v1::CropPrediction& p, int attribute) {
  const auto& values = p.attributes(attribute).distribution().probabilities();
  return {values.begin(), values.end()};
}

// Every attribute's probabilities of `prediction` equal `expected` [A, G].
void ExpectMatches(const v1::CropPrediction& prediction, const torch::Tensor& expected) {
  ASSERT_EQ(prediction.attributes_size(), expected.size(0));
  for (int a = 0; a < prediction.attributes_size(); ++a) {
    const std::vector<float> got = Probabilities(prediction, a);
    ASSERT_EQ(static_cast<int64_t>(got.size()), expected.size(1));
    for (size_t g = 0; g < got.size(); ++g) {
      EXPECT_NEAR(got[g], expected[a][static_cast<int64_t>(g)].item<float>(), kTolerance)
          << "attribute " << a << " grade " << g;
    }
    EXPECT_EQ(prediction.attributes(a).distribution().grade(),
              expected[a].argmax().item<int64_t>());
  }
}

// One Predict call through the callback API, so tests can hold several open.
struct AsyncPredict {
  grpc::ClientContext context;
  v1::InferenceServicePredictRequest request;
  v1::InferenceServicePredictResponse response;
  grpc::Status status;
  absl::Notification done;

  void Start(v1::InferenceService::Stub* stub, absl::Duration timeout = absl::Seconds(60)) {
    context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
    stub->async()->Predict(&context, &request, &response, [this](grpc::Status s) {
      status = std::move(s);
      done.Notify();
    });
  }
  void Await() { ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(60))); }
};

class InferenceServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           absl::StrCat("skinlens_inference_test_", ::getpid(), "_",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "models");
    v1_ = (dir_ / "models" / "v1").string();
    v2_ = (dir_ / "models" / "v2").string();
    ASSERT_TRUE(testing::WriteTinyBundle(v1_, "tiny.1", 1).ok());
    ASSERT_TRUE(testing::WriteTinyBundle(v2_, "tiny.2", 2).ok());
  }
  void TearDown() override {
    runner_.reset();
    service_.reset();
    fs::remove_all(dir_);
  }

  // Options with one intra-op thread; `manual` puts the batcher on clock_.
  InferenceServiceOptions Options(bool manual, absl::Duration delay = absl::ZeroDuration()) {
    InferenceServiceOptions options;
    options.batcher.name = "test";
    options.batcher.max_batch_size = 8;
    options.batcher.max_queue_delay = delay;
    options.batcher.max_queue_size = 256;
    options.max_crops_per_request = 16;
    options.model_path = v1_;
    options.model_dir = (dir_ / "models").string();
    options.intra_op_threads = 1;
    options.deps.clock = manual ? &clock_ : nullptr;
    options.deps.metrics = &registry_;
    // On the manual clock the tests hold calls in the queue by the delay;
    // idle dispatch would compute a lone call at once.
    options.batcher.dispatch_when_idle = !manual;
    return options;
  }

  void Start(const InferenceServiceOptions& options, bool with_model = true) {
    std::shared_ptr<const ServedModel> model;
    if (with_model) {
      auto loaded = ServedModel::Load(options.model_path, options.serving);
      ASSERT_TRUE(loaded.ok()) << loaded.status();
      model = *loaded;
    }
    auto service = InferenceService::Create(options, model);
    ASSERT_TRUE(service.ok()) << service.status();
    service_ = std::move(*service);
    ServerOptions server;
    server.service_name = "inference";
    server.admin_port = -1;
    server.shutdown_grace = absl::Seconds(1);
    auto runner = ServerRunner::Start(
        server, {{v1::InferenceService::service_full_name(), service_.get()}}, &registry_);
    ASSERT_TRUE(runner.ok()) << runner.status();
    runner_ = std::move(*runner);
    stub_ = v1::InferenceService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", runner_->port()), grpc::InsecureChannelCredentials()));
  }

  grpc::Status Predict(const v1::InferenceServicePredictRequest& request,
                       v1::InferenceServicePredictResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
    return stub_->Predict(&context, request, response);
  }

  std::string ModelVersion() {
    grpc::ClientContext context;
    v1::InferenceServiceGetModelInfoResponse info;
    EXPECT_TRUE(stub_->GetModelInfo(&context, {}, &info).ok());
    return info.model_info().version();
  }

  grpc::Status Reload(const std::string& path, v1::InferenceServiceReloadModelResponse* response) {
    grpc::ClientContext context;
    v1::InferenceServiceReloadModelRequest request;
    request.set_bundle_path(path);
    return stub_->ReloadModel(&context, request, response);
  }

  fs::path dir_;
  std::string v1_, v2_;
  ManualBatcherClock clock_;
  MetricsRegistry registry_;
  std::unique_ptr<InferenceService> service_;  // Outlives the server (declared before it).
  std::unique_ptr<ServerRunner> runner_;
  std::unique_ptr<v1::InferenceService::Stub> stub_;
};

TEST_F(InferenceServiceTest, PredictionsMatchTheLibrarysForwardPass) {
  Start(Options(/*manual=*/false));
  v1::InferenceServicePredictRequest request;
  *request.add_crops() = MakeCrop(v1::FACE_REGION_FOREHEAD, 1);
  *request.add_crops() = MakeCrop(v1::FACE_REGION_NOSE, 2);
  *request.add_crops() = MakeCrop(v1::FACE_REGION_LEFT_CHEEK, 3);
  request.set_include_feature_maps(true);
  request.set_feature_map_data_type(v1::DATA_TYPE_FLOAT32);
  v1::InferenceServicePredictResponse response;
  const grpc::Status status = Predict(request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();

  const Reference ref = ComputeReference(v1_, {request.crops().begin(), request.crops().end()});
  ASSERT_EQ(response.predictions_size(), 3);
  for (int i = 0; i < 3; ++i) {
    const v1::CropPrediction& p = response.predictions(i);
    EXPECT_EQ(p.region(), request.crops(i).region());
    ExpectMatches(p, ref.probabilities[i]);
    EXPECT_EQ(p.attributes(0).attribute(), v1::ATTRIBUTE_OIL);
    EXPECT_THAT(p.attributes(0).regions(), ElementsAre(request.crops(i).region()));
    // The feature map, C-major float32, equals the library's.
    const v1::FeatureMap& map = p.feature_map();
    const torch::Tensor expected = ref.features[i].contiguous();
    ASSERT_EQ(map.channels(), expected.size(0));
    ASSERT_EQ(map.height(), expected.size(1));
    ASSERT_EQ(map.width(), expected.size(2));
    EXPECT_EQ(map.data_type(), v1::DATA_TYPE_FLOAT32);
    EXPECT_EQ(map.model_version(), "tiny.1");
    EXPECT_EQ(map.layer(), "stages.6");
    ASSERT_EQ(map.data().size(), static_cast<size_t>(expected.numel()) * 4);
    const torch::Tensor got =
        torch::from_blob(const_cast<char*>(map.data().data()), expected.sizes(), torch::kFloat32);
    EXPECT_TRUE(torch::allclose(got, expected, 0.0, kTolerance));
  }
  // Expected score of crop 0, attribute 2, from its probabilities.
  const auto& d = response.predictions(0).attributes(2).distribution();
  float expected_score = 0;
  for (int g = 0; g < d.probabilities_size(); ++g) {
    expected_score += d.probabilities(g) * static_cast<float>(g);
  }
  EXPECT_NEAR(d.expected_score(), expected_score, 1e-6);

  // Photo level: oil is the mean of forehead and nose; hydration of the cheek alone.
  ASSERT_EQ(response.photo_results_size(), 5);
  const v1::AttributeResult& oil = response.photo_results(0);
  EXPECT_EQ(oil.attribute(), v1::ATTRIBUTE_OIL);
  EXPECT_THAT(oil.regions(), ElementsAre(v1::FACE_REGION_FOREHEAD, v1::FACE_REGION_NOSE));
  const torch::Tensor oil_mean = (ref.probabilities[0][0] + ref.probabilities[1][0]) / 2;
  for (int g = 0; g < 5; ++g) {
    EXPECT_NEAR(oil.distribution().probabilities(g), oil_mean[g].item<float>(), kTolerance);
  }
  const v1::AttributeResult& hydration = response.photo_results(1);
  EXPECT_THAT(hydration.regions(), ElementsAre(v1::FACE_REGION_LEFT_CHEEK));
  EXPECT_NEAR(hydration.distribution().probabilities(0), ref.probabilities[2][1][0].item<float>(),
              kTolerance);

  EXPECT_EQ(response.model_info().version(), "tiny.1");
  EXPECT_EQ(response.model_info().input_width(), kSize);
  EXPECT_EQ(response.model_info().feature_map_channels(), ref.features.size(1));
  EXPECT_THAT(response.timing().batch_sizes(), ElementsAre(3));
}

TEST_F(InferenceServiceTest, FeatureMapsAreFloat16ByDefault) {
  Start(Options(/*manual=*/false));
  v1::InferenceServicePredictRequest request;
  *request.add_crops() = MakeCrop(v1::FACE_REGION_CHIN, 7);
  request.set_include_feature_maps(true);
  v1::InferenceServicePredictResponse response;
  ASSERT_TRUE(Predict(request, &response).ok());
  const Reference ref = ComputeReference(v1_, {request.crops(0)});
  const v1::FeatureMap& map = response.predictions(0).feature_map();
  EXPECT_EQ(map.data_type(), v1::DATA_TYPE_FLOAT16);
  const torch::Tensor expected = ref.features[0].contiguous();
  ASSERT_EQ(map.data().size(), static_cast<size_t>(expected.numel()) * 2);
  const torch::Tensor got =
      torch::from_blob(const_cast<char*>(map.data().data()), expected.sizes(), torch::kFloat16)
          .to(torch::kFloat32);
  EXPECT_TRUE(torch::allclose(got, expected, 1e-2, 1e-3));

  // Not asked: no feature map.
  request.set_include_feature_maps(false);
  response.Clear();
  ASSERT_TRUE(Predict(request, &response).ok());
  EXPECT_FALSE(response.predictions(0).has_feature_map());
}

TEST_F(InferenceServiceTest, SixtyFourConcurrentCallersEachGetTheirOwnAnswerInSharedBatches) {
  // The manual clock never moves, so only full batches (8) flush: 64 callers
  // make exactly 8 batches whatever the thread timing.
  Start(Options(/*manual=*/true, absl::Hours(1)));
  constexpr int kCallers = 64;
  std::vector<v1::RegionCrop> crops;
  for (int i = 0; i < kCallers; ++i) {
    crops.push_back(MakeCrop(static_cast<v1::FaceRegion>(1 + i % 8), 100 + i));
  }
  const Reference ref = ComputeReference(v1_, crops);
  // Mixing answers must be visible: every two crops' outputs differ well beyond the tolerance.
  for (int i = 0; i < kCallers; ++i) {
    for (int j = 0; j < i; ++j) {
      ASSERT_GT((ref.probabilities[i] - ref.probabilities[j]).abs().max().item<double>(),
                10 * kTolerance)
          << "crops " << i << " and " << j << " are too alike for this test";
    }
  }
  std::vector<std::unique_ptr<AsyncPredict>> calls;
  for (int i = 0; i < kCallers; ++i) {
    calls.push_back(std::make_unique<AsyncPredict>());
    *calls.back()->request.add_crops() = crops[static_cast<size_t>(i)];
    calls.back()->Start(stub_.get());
  }
  for (int i = 0; i < kCallers; ++i) {
    AsyncPredict& call = *calls[static_cast<size_t>(i)];
    call.Await();
    ASSERT_TRUE(call.status.ok()) << i << ": " << call.status.error_message();
    ASSERT_EQ(call.response.predictions_size(), 1);
    EXPECT_EQ(call.response.predictions(0).region(), crops[static_cast<size_t>(i)].region());
    ExpectMatches(call.response.predictions(0), ref.probabilities[i]);
    EXPECT_THAT(call.response.timing().batch_sizes(), ElementsAre(8));
  }
  const BatcherStats stats = service_->batcher_stats();
  EXPECT_EQ(stats.items_computed, kCallers);
  EXPECT_EQ(stats.batches, kCallers / 8);
  EXPECT_EQ(stats.largest_batch, 8);
  EXPECT_THAT(registry_.RenderText(),
              HasSubstr("skinlens_batcher_batch_size_count{batcher=\"test\"} 8"));
}

TEST_F(InferenceServiceTest, FullQueueIsResourceExhaustedWithQueueFullAndTheServiceRecovers) {
  InferenceServiceOptions options = Options(/*manual=*/true, absl::Seconds(1));
  options.batcher.max_queue_size = 4;
  options.max_crops_per_request = 4;
  Start(options);
  AsyncPredict first;
  for (int i = 0; i < 3; ++i) {
    *first.request.add_crops() = MakeCrop(v1::FACE_REGION_FOREHEAD, i);
  }
  first.Start(stub_.get());
  clock_.AwaitWaiter();  // The batcher waits for the delay: the 3 crops are queued.

  v1::InferenceServicePredictRequest two;
  *two.add_crops() = MakeCrop(v1::FACE_REGION_NOSE, 10);
  *two.add_crops() = MakeCrop(v1::FACE_REGION_CHIN, 11);
  v1::InferenceServicePredictResponse response;
  const grpc::Status full = Predict(two, &response);
  EXPECT_EQ(full.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  const std::optional<v1::ErrorInfo> info = FindDetail<v1::ErrorInfo>(full);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "QUEUE_FULL");
  const std::optional<v1::RetryInfo> retry = FindDetail<v1::RetryInfo>(full);
  ASSERT_TRUE(retry.has_value());
  EXPECT_GT(retry->retry_delay().nanos() + retry->retry_delay().seconds(), 0);
  EXPECT_EQ(service_->batcher_stats().queue_depth, 3);  // Nothing of the refused call queued.

  clock_.Advance(absl::Seconds(1));
  first.Await();
  EXPECT_TRUE(first.status.ok()) << first.status.error_message();
  // Recovered: the same call now goes through.
  AsyncPredict again;
  again.request = two;
  again.Start(stub_.get());
  clock_.AwaitWaiter();
  clock_.Advance(absl::Seconds(1));
  again.Await();
  EXPECT_TRUE(again.status.ok()) << again.status.error_message();
  EXPECT_EQ(again.response.predictions_size(), 2);
  EXPECT_EQ(service_->batcher_stats().items_rejected, 1);
  EXPECT_EQ(service_->batcher_stats().items_computed, 5);
}

TEST_F(InferenceServiceTest, ExpiredDeadlineIsNotComputed) {
  Start(Options(/*manual=*/true, absl::Seconds(1)));
  AsyncPredict in_time;
  *in_time.request.add_crops() = MakeCrop(v1::FACE_REGION_NOSE, 1);
  in_time.Start(stub_.get());
  clock_.AwaitWaiter();
  clock_.Advance(absl::Seconds(1));
  in_time.Await();
  ASSERT_TRUE(in_time.status.ok());

  // 30 s left when queued; the batcher's clock then jumps 60 s before the batch forms.
  AsyncPredict late;
  *late.request.add_crops() = MakeCrop(v1::FACE_REGION_CHIN, 2);
  late.Start(stub_.get(), absl::Seconds(30));
  clock_.AwaitWaiter();
  clock_.Advance(absl::Seconds(60));
  late.Await();
  EXPECT_EQ(late.status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_THAT(late.status.error_message(), HasSubstr("not computed"));
  const BatcherStats stats = service_->batcher_stats();
  EXPECT_EQ(stats.items_computed, 1);
  EXPECT_EQ(stats.items_expired, 1);
}

TEST_F(InferenceServiceTest, RefusesBadRequestsWithTheDocumentedCodes) {
  Start(Options(/*manual=*/false));
  v1::InferenceServicePredictResponse response;

  v1::InferenceServicePredictRequest wrong_size;
  *wrong_size.add_crops() = MakeCrop(v1::FACE_REGION_NOSE, 1, /*size=*/32);
  const grpc::Status size = Predict(wrong_size, &response);
  EXPECT_EQ(size.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(size.error_message(), HasSubstr("64x64"));
  const std::optional<v1::ErrorInfo> info = FindDetail<v1::ErrorInfo>(size);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "INPUT_SIZE_MISMATCH");
  EXPECT_EQ(info->metadata().at("model_version"), "tiny.1");

  EXPECT_EQ(Predict({}, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  v1::InferenceServicePredictRequest short_pixels;
  *short_pixels.add_crops() = MakeCrop(v1::FACE_REGION_NOSE, 1);
  short_pixels.mutable_crops(0)->mutable_pixels()->pop_back();
  const grpc::Status bad = Predict(short_pixels, &response);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  const std::optional<v1::BadRequest> violations = FindDetail<v1::BadRequest>(bad);
  ASSERT_TRUE(violations.has_value());
  EXPECT_EQ(violations->field_violations(0).field(), "crops[0].pixels");
  EXPECT_EQ(violations->field_violations(0).reason(), "PIXELS_SIZE_MISMATCH");

  v1::InferenceServicePredictRequest too_many;
  for (int i = 0; i < 17; ++i) {
    *too_many.add_crops() = MakeCrop(v1::FACE_REGION_NOSE, i);
  }
  EXPECT_EQ(Predict(too_many, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(service_->batcher_stats().items_computed, 0);
}

TEST_F(InferenceServiceTest, UnavailableUntilAModelIsLoaded) {
  Start(Options(/*manual=*/false), /*with_model=*/false);
  v1::InferenceServicePredictRequest request;
  *request.add_crops() = MakeCrop(v1::FACE_REGION_NOSE, 1);
  v1::InferenceServicePredictResponse response;
  const grpc::Status status = Predict(request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_TRUE(FindDetail<v1::RetryInfo>(status).has_value());

  v1::InferenceServiceReloadModelResponse reloaded;
  ASSERT_TRUE(Reload(v1_, &reloaded).ok());
  EXPECT_FALSE(reloaded.has_previous_model_info());
  EXPECT_TRUE(Predict(request, &response).ok());
}

TEST_F(InferenceServiceTest, ReloadChangesTheVersionAndQueuedCallsFinishOnTheirModel) {
  Start(Options(/*manual=*/true, absl::Seconds(1)));
  const v1::RegionCrop crop = MakeCrop(v1::FACE_REGION_FOREHEAD, 5);
  AsyncPredict queued;
  *queued.request.add_crops() = crop;
  queued.Start(stub_.get());
  clock_.AwaitWaiter();  // Queued for tiny.1.

  v1::InferenceServiceReloadModelResponse reloaded;
  const grpc::Status status = Reload(v2_, &reloaded);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(reloaded.previous_model_info().version(), "tiny.1");
  EXPECT_EQ(reloaded.model_info().version(), "tiny.2");
  EXPECT_EQ(ModelVersion(), "tiny.2");

  clock_.Advance(absl::Seconds(1));
  queued.Await();
  ASSERT_TRUE(queued.status.ok()) << queued.status.error_message();
  EXPECT_EQ(queued.response.model_info().version(), "tiny.1");
  ExpectMatches(queued.response.predictions(0), ComputeReference(v1_, {crop}).probabilities[0]);

  AsyncPredict after;
  *after.request.add_crops() = crop;
  after.Start(stub_.get());
  clock_.AwaitWaiter();
  clock_.Advance(absl::Seconds(1));
  after.Await();
  ASSERT_TRUE(after.status.ok());
  EXPECT_EQ(after.response.model_info().version(), "tiny.2");
  ExpectMatches(after.response.predictions(0), ComputeReference(v2_, {crop}).probabilities[0]);
}

TEST_F(InferenceServiceTest, FailedReloadKeepsTheOldModel) {
  Start(Options(/*manual=*/false));
  const fs::path broken = dir_ / "models" / "broken";
  fs::create_directories(broken);
  std::ofstream(broken / "metadata.json") << "{not json";
  v1::InferenceServiceReloadModelResponse response;
  const grpc::Status invalid = Reload(broken.string(), &response);
  EXPECT_EQ(invalid.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(invalid.error_message(), HasSubstr("metadata.json"));
  EXPECT_EQ(Reload((dir_ / "models" / "missing").string(), &response).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Reload((dir_ / "elsewhere").string(), &response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Reload((dir_ / "models" / ".." / "v1").string(), &response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ModelVersion(), "tiny.1");

  v1::InferenceServicePredictRequest request;
  *request.add_crops() = MakeCrop(v1::FACE_REGION_NOSE, 1);
  v1::InferenceServicePredictResponse predicted;
  ASSERT_TRUE(Predict(request, &predicted).ok());
  EXPECT_EQ(predicted.model_info().version(), "tiny.1");
}

TEST_F(InferenceServiceTest, GetModelInfoDescribesModelAndServing) {
  Start(Options(/*manual=*/false));
  grpc::ClientContext context;
  v1::InferenceServiceGetModelInfoResponse info;
  ASSERT_TRUE(stub_->GetModelInfo(&context, {}, &info).ok());
  EXPECT_EQ(info.model_info().version(), "tiny.1");
  EXPECT_EQ(info.model_info().format(), v1::MODEL_FORMAT_NATIVE);
  EXPECT_THAT(info.model_info().attributes(),
              ElementsAre(v1::ATTRIBUTE_OIL, v1::ATTRIBUTE_HYDRATION, v1::ATTRIBUTE_WRINKLE,
                          v1::ATTRIBUTE_PIGMENTATION, v1::ATTRIBUTE_SENSITIVITY));
  EXPECT_EQ(info.model_info().feature_map_height(), 2);  // 64 px / 32.
  EXPECT_EQ(info.model_info().digest().size(), 64u);
  EXPECT_EQ(info.serving().device(), "cpu");
  EXPECT_EQ(info.serving().max_batch_size(), 8);
  EXPECT_EQ(info.serving().queue_capacity(), 256);
  EXPECT_EQ(info.serving().intra_op_threads(), 1);
  EXPECT_GT(info.load_time().seconds(), 0);
}

}  // namespace
}  // namespace skinlens::inference
