// ExplainService over gRPC on loopback: in-process (a real server on port 0, a tiny model bundle
// made here) and as a separate process (skinlens-explain).
#include "services/explain/explain_service.h"

#include <signal.h>
#include <torch/torch.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/grpc/rich_status.h"
#include "common/grpc/server_runner.h"
#include "common/model/grad_cam.h"
#include "common/model/grading_model_loader.h"
#include "common/model/model_bundle.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "opencv2/imgcodecs.hpp"
#include "server_process.h"

namespace skinlens::explain {
namespace {

namespace fs = std::filesystem;
using model::GradingModel;
using ::testing::ElementsAre;

constexpr int kCrop = 64;  // the tiny model's input size; its feature map is 2 x 2

// Writes a tiny SkinNet bundle (width and depth 0.25, 64 px) with version `version` into `dir`.
void MakeBundle(const fs::path& dir, const std::string& version, int seed) {
  fs::remove_all(dir);
  model::SkinNetConfig config;
  config.backbone.name = "efficientnet-tiny";
  config.backbone.width_multiplier = 0.25;
  config.backbone.depth_multiplier = 0.25;
  config.backbone.resolution = kCrop;
  torch::manual_seed(seed);
  model::SkinNet net(config);
  // Batch norm statistics of one random batch, as training would leave them roughly: without
  // them the untrained network's activations grow past float16's range.
  for (const auto& module : net->modules(/*include_self=*/false)) {
    if (auto* bn = module->as<torch::nn::BatchNorm2dImpl>()) bn->options.momentum(1.0);
  }
  net->train();
  {
    torch::NoGradGuard no_grad;
    net->forward(torch::randn({8, 3, kCrop, kCrop}));
  }
  net->eval();
  model::ModelMetadata metadata = model::DefaultMetadata(config);
  metadata.model_version = version;
  absl::StatusOr<model::ModelMetadata> written = model::SaveBundle(*net, metadata, dir.string());
  ASSERT_TRUE(written.ok()) << written.status();
}

v1::FeatureMap ToProto(const torch::Tensor& features, v1::DataType type,
                       const std::string& version) {
  v1::FeatureMap map;
  map.set_channels(static_cast<int32_t>(features.size(0)));
  map.set_height(static_cast<int32_t>(features.size(1)));
  map.set_width(static_cast<int32_t>(features.size(2)));
  map.set_data_type(type);
  const torch::Tensor data =
      features.to(type == v1::DATA_TYPE_FLOAT16 ? torch::kHalf : torch::kFloat).contiguous();
  map.set_data(
      std::string(static_cast<const char*>(data.data_ptr()), data.numel() * data.element_size()));
  map.set_model_version(version);
  map.set_layer("stages.6");
  return map;
}

class ExplainServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / absl::StrCat("skinlens_explain_", getpid());
    MakeBundle(dir_ / "a", "tiny.a", 21);
    absl::StatusOr<std::unique_ptr<GradingModel>> model =
        model::LoadGradingModel((dir_ / "a").string());
    ASSERT_TRUE(model.ok()) << model.status();
    model_ = std::move(*model);
    ExplainerOptions options;
    options.model_path = (dir_ / "a").string();
    options.model_dir = dir_.string();
    options.metrics = &registry_;
    absl::StatusOr<std::unique_ptr<Explainer>> explainer = Explainer::Create(options);
    ASSERT_TRUE(explainer.ok()) << explainer.status();
    explainer_ = std::move(*explainer);
    service_ = std::make_unique<ExplainService>(explainer_.get(), ExplainServiceOptions{});
    ServerOptions server;
    server.service_name = "explain";
    server.admin_port = -1;
    server.shutdown_grace = absl::Seconds(1);
    auto runner = ServerRunner::Start(
        server, {{v1::ExplainService::service_full_name(), service_.get()}}, &registry_);
    ASSERT_TRUE(runner.ok()) << runner.status();
    runner_ = std::move(*runner);
    stub_ = v1::ExplainService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", runner_->port()), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    if (runner_ != nullptr) runner_->Shutdown();
    fs::remove_all(dir_);
  }

  // `n` crops of random pixels with their feature maps from the model's forward pass, and the
  // features as a tensor [n, C, h, w].
  v1::ExplainServiceExplainRequest MakeRequest(int n, v1::DataType type, torch::Tensor* features) {
    torch::manual_seed(99);
    const torch::Tensor images = torch::randn({n, 3, kCrop, kCrop});
    {
      torch::InferenceMode inference;
      absl::StatusOr<model::GradingOutput> out = model_->Forward(images, true);
      EXPECT_TRUE(out.ok()) << out.status();
      *features = out->features;
    }
    v1::ExplainServiceExplainRequest request;
    for (int i = 0; i < n; ++i) {
      v1::ExplainInput* input = request.add_inputs();
      v1::RegionCrop* crop = input->mutable_crop();
      crop->set_region(static_cast<v1::FaceRegion>(v1::FACE_REGION_FOREHEAD + i));
      crop->set_width(kCrop);
      crop->set_height(kCrop);
      crop->set_pixel_format(v1::PIXEL_FORMAT_BGR8);
      crop->set_pixels(std::string(kCrop * kCrop * 3, static_cast<char>(100 + i)));
      v1::RegionBox* box = crop->mutable_box();
      box->set_center_x(60.0f + 70.0f * i);
      box->set_center_y(80.0f);
      box->set_width(64.0f);
      box->set_height(64.0f);
      *input->mutable_feature_map() = ToProto((*features)[i], type, "tiny.a");
    }
    return request;
  }

  grpc::Status Explain(const v1::ExplainServiceExplainRequest& request,
                       v1::ExplainServiceExplainResponse* response) {
    grpc::ClientContext context;
    return stub_->Explain(&context, request, response);
  }

  // The field and reason of the first BadRequest violation of `status`.
  static std::string Violation(const grpc::Status& status) {
    std::optional<v1::BadRequest> bad = FindDetail<v1::BadRequest>(status);
    if (!bad || bad->field_violations().empty()) return "(no BadRequest)";
    return absl::StrCat(bad->field_violations(0).field(), " ", bad->field_violations(0).reason());
  }

  fs::path dir_;
  MetricsRegistry registry_;
  std::unique_ptr<GradingModel> model_;  // the same bundle, loaded by the test itself
  std::unique_ptr<Explainer> explainer_;
  std::unique_ptr<ExplainService> service_;
  std::unique_ptr<ServerRunner> runner_;
  std::unique_ptr<v1::ExplainService::Stub> stub_;
};

TEST_F(ExplainServiceTest, HeatmapsEqualTheLibraryGradCamWithinOneLevel) {
  for (const v1::DataType type : {v1::DATA_TYPE_FLOAT32, v1::DATA_TYPE_FLOAT16}) {
    SCOPED_TRACE(v1::DataType_Name(type));
    torch::Tensor features;
    const v1::ExplainServiceExplainRequest request = MakeRequest(3, type, &features);
    v1::ExplainServiceExplainResponse response;
    const grpc::Status status = Explain(request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();

    const model::GradCamOutput cam =
        model::GradCam([&](const torch::Tensor& f) { return *model_->Head(f); }, features,
                       torch::full({3, 5}, model::kExpectedGrade, torch::kLong));
    const torch::Tensor upsampled = model::UpsampleCams(cam.maps, kCrop, kCrop);
    const torch::Tensor expected = model::NormalizeCams(upsampled).mul(255).round();
    EXPECT_EQ(response.model_version(), "tiny.a");
    ASSERT_EQ(response.explanations_size(), 3);
    for (int i = 0; i < 3; ++i) {
      const v1::CropExplanation& explanation = response.explanations(i);
      EXPECT_EQ(explanation.region(), v1::FACE_REGION_FOREHEAD + i);
      ASSERT_EQ(explanation.heatmaps_size(), 5);
      for (int a = 0; a < 5; ++a) {
        SCOPED_TRACE(absl::StrCat("crop ", i, " attribute ", a));
        const v1::Heatmap& heatmap = explanation.heatmaps(a);
        EXPECT_EQ(heatmap.attribute(), static_cast<v1::Attribute>(a + 1));
        EXPECT_EQ(heatmap.grade(), cam.logits[i][a].argmax().item<int64_t>());
        EXPECT_TRUE(heatmap.expected_grade());  // no grade asked for: the expected grade
        EXPECT_EQ(heatmap.width(), kCrop);
        EXPECT_EQ(heatmap.height(), kCrop);
        EXPECT_FLOAT_EQ(heatmap.box().center_x(), 60.0f + 70.0f * i);
        ASSERT_EQ(heatmap.values().size(), static_cast<size_t>(kCrop * kCrop));
        EXPECT_TRUE(heatmap.overlay().empty());
        const torch::Tensor got = torch::from_blob(const_cast<char*>(heatmap.values().data()),
                                                   {kCrop, kCrop}, torch::kByte)
                                      .to(torch::kFloat);
        EXPECT_LE((got - expected[i][a]).abs().max().item<float>(), 1.0f);
        EXPECT_NEAR(heatmap.raw_max(), upsampled[i][a].max().item<float>(),
                    type == v1::DATA_TYPE_FLOAT32 ? 1e-5 : 1e-2);
      }
    }
  }
}

TEST_F(ExplainServiceTest, ExplainsTheRequestedTargetsWithCropAndPhotoOverlays) {
  torch::Tensor features;
  v1::ExplainServiceExplainRequest request = MakeRequest(2, v1::DATA_TYPE_FLOAT16, &features);
  v1::ExplainTarget* wrinkle = request.add_targets();
  wrinkle->set_attribute(v1::ATTRIBUTE_WRINKLE);
  wrinkle->set_grade(4);
  request.add_targets()->set_attribute(v1::ATTRIBUTE_OIL);  // predicted grade
  request.set_include_crop_overlays(true);
  request.set_include_photo_heatmaps(true);
  request.set_include_photo_overlays(true);
  request.set_overlay_encoding(v1::IMAGE_ENCODING_JPEG);
  v1::PhotoPreview* photo = request.mutable_photo();
  photo->set_width(100);
  photo->set_height(80);
  photo->set_scale(0.5f);
  photo->set_pixel_format(v1::PIXEL_FORMAT_RGB8);
  photo->set_pixels(std::string(100 * 80 * 3, '\x50'));
  v1::ExplainServiceExplainResponse response;
  const grpc::Status status = Explain(request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();

  ASSERT_EQ(response.explanations_size(), 2);
  const v1::Heatmap& first = response.explanations(0).heatmaps(0);
  EXPECT_EQ(first.attribute(), v1::ATTRIBUTE_WRINKLE);
  EXPECT_EQ(first.grade(), 4);
  EXPECT_FALSE(first.expected_grade());  // a grade was asked for
  EXPECT_EQ(response.explanations(0).heatmaps(1).attribute(), v1::ATTRIBUTE_OIL);
  EXPECT_EQ(first.overlay_encoding(), v1::IMAGE_ENCODING_JPEG);
  const cv::Mat overlay = cv::imdecode(
      std::vector<uint8_t>(first.overlay().begin(), first.overlay().end()), cv::IMREAD_COLOR);
  EXPECT_EQ(overlay.size(), cv::Size(kCrop, kCrop));

  ASSERT_EQ(response.photo_heatmaps_size(), 2);
  const v1::PhotoHeatmap& photo_heat = response.photo_heatmaps(0);
  EXPECT_EQ(photo_heat.attribute(), v1::ATTRIBUTE_WRINKLE);
  EXPECT_EQ(photo_heat.width(), 100);
  EXPECT_EQ(photo_heat.height(), 80);
  ASSERT_EQ(photo_heat.values().size(), 100u * 80u);
  const cv::Mat values(80, 100, CV_8UC1, const_cast<char*>(photo_heat.values().data()));
  // Crop 0's box is photo x 28..92, y 48..112: preview x 14..46, y 24..56. Crop 1's box is
  // preview x 49..81. Nothing is drawn outside them.
  EXPECT_EQ(cv::countNonZero(values(cv::Rect(0, 0, 100, 23))), 0);
  EXPECT_EQ(cv::countNonZero(values(cv::Rect(0, 0, 13, 80))), 0);
  EXPECT_EQ(cv::countNonZero(values(cv::Rect(83, 0, 17, 80))), 0);
  // Preview pixel (30, 40) is photo point (61, 81), crop 0's heatmap point (33, 33): between
  // its pixels 32 and 33.
  const v1::Heatmap& crop_heat = response.explanations(0).heatmaps(0);
  const cv::Mat crop_values(kCrop, kCrop, CV_8UC1, const_cast<char*>(crop_heat.values().data()));
  EXPECT_NEAR(values.at<uint8_t>(40, 30), cv::mean(crop_values(cv::Rect(32, 32, 2, 2)))[0], 2.0);
  const cv::Mat photo_overlay =
      cv::imdecode(std::vector<uint8_t>(photo_heat.overlay().begin(), photo_heat.overlay().end()),
                   cv::IMREAD_COLOR);
  EXPECT_EQ(photo_overlay.size(), cv::Size(100, 80));

  // Without photo overlays: the same values, no image.
  request.set_include_photo_overlays(false);
  v1::ExplainServiceExplainResponse values_only;
  ASSERT_TRUE(Explain(request, &values_only).ok());
  ASSERT_EQ(values_only.photo_heatmaps_size(), 2);
  EXPECT_EQ(values_only.photo_heatmaps(0).values(), photo_heat.values());
  EXPECT_TRUE(values_only.photo_heatmaps(0).overlay().empty());
  EXPECT_EQ(values_only.photo_heatmaps(0).overlay_encoding(), v1::IMAGE_ENCODING_UNSPECIFIED);
}

TEST_F(ExplainServiceTest, RefusesBadRequestsWithTheDocumentedCodesAndDetails) {
  torch::Tensor features;
  const v1::ExplainServiceExplainRequest good = MakeRequest(1, v1::DATA_TYPE_FLOAT16, &features);
  v1::ExplainServiceExplainResponse response;
  struct Case {
    std::string name;
    std::function<void(v1::ExplainServiceExplainRequest*)> edit;
    std::string violation;
  };
  const std::vector<Case> cases = {
      {"no inputs", [](auto* r) { r->clear_inputs(); }, "inputs NO_INPUTS"},
      {"channels", [](auto* r) { r->mutable_inputs(0)->mutable_feature_map()->set_channels(7); },
       "inputs[0].feature_map FEATURE_MAP_SHAPE_MISMATCH"},
      {"bytes",
       [](auto* r) { r->mutable_inputs(0)->mutable_feature_map()->mutable_data()->pop_back(); },
       "inputs[0].feature_map.data FEATURE_MAP_SIZE_MISMATCH"},
      {"not finite",
       [](auto* r) {
         std::string* data = r->mutable_inputs(0)->mutable_feature_map()->mutable_data();
         data->assign(data->size(), '\xff');  // float16 NaNs
       },
       "inputs[0].feature_map.data FEATURE_MAP_NOT_FINITE"},
      {"data type",
       [](auto* r) {
         r->mutable_inputs(0)->mutable_feature_map()->set_data_type(v1::DATA_TYPE_UNSPECIFIED);
       },
       "inputs[0].feature_map.data_type FEATURE_MAP_TYPE_INVALID"},
      {"missing version",
       [](auto* r) { r->mutable_inputs(0)->mutable_feature_map()->clear_model_version(); },
       "inputs[0].feature_map.model_version MODEL_VERSION_MISSING"},
      {"crop size", [](auto* r) { r->mutable_inputs(0)->mutable_crop()->set_width(0); },
       "inputs[0].crop CROP_SIZE_OUT_OF_RANGE"},
      {"crop pixels",
       [](auto* r) {
         r->set_include_crop_overlays(true);
         r->mutable_inputs(0)->mutable_crop()->clear_pixels();
       },
       "inputs[0].crop.pixels CROP_PIXELS_SIZE_MISMATCH"},
      {"grade",
       [](auto* r) {
         v1::ExplainTarget* t = r->add_targets();
         t->set_attribute(v1::ATTRIBUTE_OIL);
         t->set_grade(5);
       },
       "targets[0].grade GRADE_OUT_OF_RANGE"},
      {"attribute", [](auto* r) { r->add_targets(); }, "targets[0].attribute UNKNOWN_ATTRIBUTE"},
      {"duplicate",
       [](auto* r) {
         r->add_targets()->set_attribute(v1::ATTRIBUTE_OIL);
         r->add_targets()->set_attribute(v1::ATTRIBUTE_OIL);
       },
       "targets[1].attribute DUPLICATE_ATTRIBUTE"},
      {"webp", [](auto* r) { r->set_overlay_encoding(v1::IMAGE_ENCODING_WEBP); },
       "overlay_encoding UNSUPPORTED_OVERLAY_ENCODING"},
      {"jpeg quality", [](auto* r) { r->set_jpeg_quality(101); },
       "jpeg_quality JPEG_QUALITY_OUT_OF_RANGE"},
      {"no photo", [](auto* r) { r->set_include_photo_heatmaps(true); },
       "photo PHOTO_PREVIEW_MISSING"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    v1::ExplainServiceExplainRequest request = good;
    c.edit(&request);
    const grpc::Status status = Explain(request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
    EXPECT_EQ(Violation(status), c.violation);
  }

  v1::ExplainServiceExplainRequest other_model = good;
  other_model.mutable_inputs(0)->mutable_feature_map()->set_model_version("someone.else");
  const grpc::Status mismatch = Explain(other_model, &response);
  EXPECT_EQ(mismatch.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  const std::optional<v1::ErrorInfo> info = FindDetail<v1::ErrorInfo>(mismatch);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "MODEL_MISMATCH");
  EXPECT_EQ(info->metadata().at("model_version"), "someone.else");
  EXPECT_EQ(info->metadata().at("loaded_model_version"), "tiny.a");
}

TEST_F(ExplainServiceTest, ReloadKeepsThePreviousModelForFeatureMapsStillOnIt) {
  MakeBundle(dir_ / "b", "tiny.b", 22);
  grpc::ClientContext context;
  v1::ExplainServiceReloadModelRequest reload;
  reload.set_bundle_path("b");
  v1::ExplainServiceReloadModelResponse reloaded;
  const grpc::Status status = stub_->ReloadModel(&context, reload, &reloaded);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(reloaded.previous_model_info().version(), "tiny.a");
  EXPECT_EQ(reloaded.model_info().version(), "tiny.b");
  EXPECT_EQ(reloaded.model_info().feature_map_channels(), 80);
  EXPECT_THAT(reloaded.model_info().attributes(),
              ElementsAre(v1::ATTRIBUTE_OIL, v1::ATTRIBUTE_HYDRATION, v1::ATTRIBUTE_WRINKLE,
                          v1::ATTRIBUTE_PIGMENTATION, v1::ATTRIBUTE_SENSITIVITY));

  torch::Tensor features;
  v1::ExplainServiceExplainResponse response;
  ASSERT_TRUE(Explain(MakeRequest(1, v1::DATA_TYPE_FLOAT16, &features), &response).ok());
  EXPECT_EQ(response.model_version(), "tiny.a");  // the previous head explained it

  grpc::ClientContext info_context;
  v1::ExplainServiceGetModelInfoResponse info;
  ASSERT_TRUE(stub_->GetModelInfo(&info_context, {}, &info).ok());
  EXPECT_EQ(info.model_info().version(), "tiny.b");
  EXPECT_GT(info.load_time().seconds(), 0);

  for (const auto& [path, code] : std::vector<std::pair<std::string, grpc::StatusCode>>{
           {"../../etc", grpc::StatusCode::PERMISSION_DENIED},
           {"/etc", grpc::StatusCode::PERMISSION_DENIED},
           {"missing", grpc::StatusCode::NOT_FOUND},
           {"", grpc::StatusCode::INVALID_ARGUMENT}}) {
    SCOPED_TRACE(path);
    grpc::ClientContext bad_context;
    reload.set_bundle_path(path);
    EXPECT_EQ(stub_->ReloadModel(&bad_context, reload, &reloaded).error_code(), code);
  }
  // A folder that is not a bundle.
  fs::create_directories(dir_ / "empty");
  std::ofstream(dir_ / "empty" / "metadata.json") << "{ not json";
  grpc::ClientContext broken_context;
  reload.set_bundle_path("empty");
  EXPECT_EQ(stub_->ReloadModel(&broken_context, reload, &reloaded).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(explainer_->model()->info.version(), "tiny.b");  // unchanged by the failures
}

TEST_F(ExplainServiceTest, TheServerProcessExplainsReloadsOnSighupAndDrainsOnSigterm) {
  const fs::path bundle = dir_ / "served";
  MakeBundle(bundle, "tiny.served.1", 23);
  testing::ServerProcess server(SKINLENS_EXPLAIN_SERVER, {"--model=" + bundle.string()});
  ASSERT_TRUE(server.AwaitPorts()) << server.Log();
  auto stub = v1::ExplainService::NewStub(
      grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
  {
    grpc::ClientContext context;
    v1::ExplainServiceGetModelInfoResponse info;
    ASSERT_TRUE(stub->GetModelInfo(&context, {}, &info).ok()) << server.Log();
    EXPECT_EQ(info.model_info().version(), "tiny.served.1");
  }
  torch::Tensor features;
  v1::ExplainServiceExplainRequest request = MakeRequest(1, v1::DATA_TYPE_FLOAT16, &features);
  {
    // Feature maps of the test's own model "tiny.a" are refused; relabelled as the served
    // model's, they have the right shape and are explained.
    request.mutable_inputs(0)->mutable_feature_map()->set_model_version("tiny.served.1");
    grpc::ClientContext context;
    v1::ExplainServiceExplainResponse response;
    const grpc::Status status = stub->Explain(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.explanations(0).heatmaps_size(), 5);
  }
  // A new bundle at the same path; SIGHUP loads it. Polled with GetModelInfo (bounded).
  MakeBundle(bundle, "tiny.served.2", 24);
  server.Signal(SIGHUP);
  std::string version;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (version != "tiny.served.2" && std::chrono::steady_clock::now() < give_up) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    v1::ExplainServiceGetModelInfoResponse info;
    if (stub->GetModelInfo(&context, {}, &info).ok()) version = info.model_info().version();
  }
  EXPECT_EQ(version, "tiny.served.2") << server.Log();
  server.Signal(SIGTERM);
  EXPECT_EQ(server.AwaitExit(std::chrono::seconds(20)), 0) << server.Log();
}

}  // namespace
}  // namespace skinlens::explain
