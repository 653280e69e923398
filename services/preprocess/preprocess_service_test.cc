// PreprocessService over gRPC on an ephemeral loopback port, through the
// generated stub: crops for the clean photo, FAILED_PRECONDITION with the
// quality report for a refused one, INVALID_ARGUMENT with the reason for
// broken uploads and malformed requests, and the server keeps serving.
#include "preprocess_service.h"

#include <memory>
#include <string>

#include "common/grpc/channel_factory.h"
#include "common/grpc/server_runner.h"
#include "common/metrics/metrics_registry.h"
#include "gtest/gtest.h"
#include "opencv2/imgproc.hpp"
#include "test_images.h"

namespace skinlens::preprocess {
namespace {

using v1::PreprocessServicePreprocessRequest;
using v1::PreprocessServicePreprocessResponse;

class PreprocessServiceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto preprocessor = Preprocessor::Create(PreprocessorOptions{});
    ASSERT_TRUE(preprocessor.ok()) << preprocessor.status();
    service_ = new PreprocessService(*std::move(preprocessor), PreprocessServiceOptions{});
    registry_ = new MetricsRegistry();
    ServerOptions options;
    options.service_name = "preprocess";
    options.admin_port = -1;
    auto runner = ServerRunner::Start(
        options, {{v1::PreprocessService::service_full_name(), service_}}, registry_);
    ASSERT_TRUE(runner.ok()) << runner.status();
    runner_ = runner->release();
    stub_ =
        v1::PreprocessService::NewStub(CreateChannel(absl::StrCat("127.0.0.1:", runner_->port())))
            .release();
  }
  static void TearDownTestSuite() {
    delete stub_;
    delete runner_;
    delete service_;
    delete registry_;
  }

  grpc::Status Call(const PreprocessServicePreprocessRequest& request,
                    PreprocessServicePreprocessResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return stub_->Preprocess(&context, request, response);
  }

  grpc::Status Call(const std::string& photo) {
    PreprocessServicePreprocessRequest request;
    request.set_photo(photo);
    PreprocessServicePreprocessResponse response;
    return Call(request, &response);
  }

  static PreprocessService* service_;
  static MetricsRegistry* registry_;
  static ServerRunner* runner_;
  static v1::PreprocessService::Stub* stub_;
};

PreprocessService* PreprocessServiceTest::service_ = nullptr;
MetricsRegistry* PreprocessServiceTest::registry_ = nullptr;
ServerRunner* PreprocessServiceTest::runner_ = nullptr;
v1::PreprocessService::Stub* PreprocessServiceTest::stub_ = nullptr;

// The RpcStatus in the error details of `status`.
v1::RpcStatus Details(const grpc::Status& status) {
  v1::RpcStatus details;
  EXPECT_TRUE(details.ParseFromString(status.error_details()));
  EXPECT_EQ(details.code(), static_cast<int>(status.error_code()));
  return details;
}

v1::QualityReport ReportOf(const grpc::Status& status) {
  const v1::RpcStatus details = Details(status);
  v1::QualityReport report;
  EXPECT_EQ(details.details_size(), 1);
  if (details.details_size() == 1) {
    EXPECT_EQ(details.details(0).type_url(), "type.googleapis.com/skinlens.v1.QualityReport");
    EXPECT_TRUE(details.details(0).UnpackTo(&report));
  }
  return report;
}

TEST_F(PreprocessServiceTest, CleanPhotoYieldsFaceAndEveryRegionInsideThePhoto) {
  PreprocessServicePreprocessRequest request;
  request.set_photo(testing::AstronautJpeg());
  PreprocessServicePreprocessResponse response;
  const grpc::Status status = Call(request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.photo_width(), 512);
  EXPECT_EQ(response.photo_height(), 512);
  EXPECT_EQ(response.photo_encoding(), v1::IMAGE_ENCODING_JPEG);
  EXPECT_EQ(response.exif_orientation(), 0);
  EXPECT_TRUE(response.quality().accepted());
  EXPECT_EQ(response.quality().measurements().face_count(), 1);
  // The portrait is near daylight; the crops were corrected by default.
  const v1::IlluminantEstimate& light = response.quality().measurements().illuminant();
  EXPECT_TRUE(light.corrected());
  EXPECT_EQ(light.green(), 1.0);
  EXPECT_GT(light.correlated_color_temperature_k(), 4000);
  EXPECT_LT(light.correlated_color_temperature_k(), 9000);
  EXPECT_EQ(response.face().detector(), "haar");
  EXPECT_NEAR(response.face().box().center_x(), 224, 10);
  EXPECT_TRUE(response.face().has_left_eye());
  EXPECT_GT(response.face().left_eye().x(), response.face().right_eye().x());
  ASSERT_EQ(response.crops_size(), 8);  // FULL_FACE and the seven regions.
  for (int i = 0; i < response.crops_size(); ++i) {
    const v1::RegionCrop& crop = response.crops(i);
    EXPECT_EQ(crop.region(), static_cast<v1::FaceRegion>(i + 1));
    EXPECT_EQ(crop.width(), 224);
    EXPECT_EQ(crop.height(), 224);
    EXPECT_EQ(crop.pixel_format(), v1::PIXEL_FORMAT_BGR8);
    EXPECT_EQ(crop.pixels().size(), 224u * 224u * 3u);
    const v1::RegionBox& b = crop.box();
    Box box{b.center_x(), b.center_y(), b.width(), b.height(), b.rotation_degrees()};
    for (const cv::Point2d& p : box.Corners()) {
      EXPECT_GE(p.x, 0);
      EXPECT_LE(p.x, 512);
      EXPECT_GE(p.y, 0);
      EXPECT_LE(p.y, 512);
    }
  }
  EXPECT_FALSE(response.has_preview());
}

TEST_F(PreprocessServiceTest, RequestedRegionsComeInOrderInTheRequestedLayoutAndSize) {
  PreprocessServicePreprocessRequest request;
  request.set_photo(testing::AstronautJpeg());
  request.add_regions(v1::FACE_REGION_NOSE);
  request.add_regions(v1::FACE_REGION_FOREHEAD);
  request.set_crop_width(64);
  request.set_crop_height(32);
  request.set_crop_pixel_format(v1::PIXEL_FORMAT_GRAY8);
  request.set_preview_max_side(128);
  PreprocessServicePreprocessResponse response;
  ASSERT_TRUE(Call(request, &response).ok());
  ASSERT_EQ(response.crops_size(), 2);
  EXPECT_EQ(response.crops(0).region(), v1::FACE_REGION_NOSE);
  EXPECT_EQ(response.crops(1).region(), v1::FACE_REGION_FOREHEAD);
  EXPECT_EQ(response.crops(0).pixel_format(), v1::PIXEL_FORMAT_GRAY8);
  EXPECT_EQ(response.crops(0).pixels().size(), 64u * 32u);
  EXPECT_EQ(response.preview().width(), 128);
  EXPECT_EQ(response.preview().height(), 128);
  EXPECT_FLOAT_EQ(response.preview().scale(), 0.25f);
  EXPECT_EQ(response.preview().pixels().size(), 128u * 128u * 3u);
}

TEST_F(PreprocessServiceTest, ExifRotatedPhotoIsAnsweredInUprightCoordinates) {
  // The upright portrait stored rotated 90 degrees counter-clockwise with the
  // tag (6) that tells viewers to turn it back.
  cv::Mat stored;
  cv::rotate(testing::Astronaut()(cv::Rect(0, 0, 512, 400)), stored,
             cv::ROTATE_90_COUNTERCLOCKWISE);
  PreprocessServicePreprocessRequest request;
  request.set_photo(testing::WithExifOrientation(testing::EncodeJpeg(stored), 6));
  PreprocessServicePreprocessResponse response;
  const grpc::Status status = Call(request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.exif_orientation(), 6);
  EXPECT_EQ(response.photo_width(), 512);
  EXPECT_EQ(response.photo_height(), 400);
  EXPECT_NEAR(response.face().box().center_x(), 224, 12);
  EXPECT_NEAR(response.face().box().center_y(), 114, 12);
}

TEST_F(PreprocessServiceTest, RefusedPhotoIsFailedPreconditionWithTheQualityReport) {
  const grpc::Status status =
      Call(testing::EncodeJpeg(testing::Darkened(testing::Astronaut(), 0.2)));
  ASSERT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  const v1::QualityReport report = ReportOf(status);
  EXPECT_FALSE(report.accepted());
  ASSERT_GE(report.issues_size(), 1);
  const v1::QualityIssue& issue = report.issues(0);
  EXPECT_EQ(issue.reason(), v1::QUALITY_REASON_TOO_DARK);
  EXPECT_EQ(issue.severity(), v1::QUALITY_SEVERITY_BLOCKING);
  ASSERT_TRUE(issue.has_measured_value());
  EXPECT_LT(issue.measured_value(), issue.threshold());
  EXPECT_EQ(issue.threshold(), 60);
  EXPECT_TRUE(report.measurements().has_mean_luminance());
}

TEST_F(PreprocessServiceTest, EachDegradedVariantIsRefusedWithItsReason) {
  const cv::Mat photo = testing::Astronaut();
  struct Case {
    cv::Mat image;
    v1::QualityReason reason;
  };
  for (const Case& c :
       {Case{testing::Brightened(photo, 100), v1::QUALITY_REASON_TOO_BRIGHT},
        Case{testing::Blurred(photo, 3), v1::QUALITY_REASON_BLURRED},
        Case{testing::HalfShadowed(photo, 224, 0.4), v1::QUALITY_REASON_UNEVEN_LIGHTING},
        Case{testing::Scaled(photo, 0.5), v1::QUALITY_REASON_FACE_TOO_SMALL},
        Case{testing::NoFaceCrop(photo), v1::QUALITY_REASON_NO_FACE}}) {
    const std::string name = v1::QualityReason_Name(c.reason);
    const grpc::Status status = Call(testing::EncodeJpeg(c.image));
    EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << name;
    const v1::QualityReport report = ReportOf(status);
    ASSERT_GE(report.issues_size(), 1) << name;
    EXPECT_EQ(report.issues(0).reason(), c.reason) << name;
    EXPECT_EQ(report.issues(0).severity(), v1::QUALITY_SEVERITY_BLOCKING) << name;
  }
}

TEST_F(PreprocessServiceTest, BrokenUploadsAreInvalidArgumentWithTheirReasonAndServingGoesOn) {
  const std::string jpeg = testing::AstronautJpeg();
  struct Case {
    std::string bytes;
    v1::QualityReason reason;
  };
  for (const Case& c :
       {Case{"", v1::QUALITY_REASON_EMPTY_IMAGE},
        Case{"plain text, named photo.jpg", v1::QUALITY_REASON_UNSUPPORTED_FORMAT},
        Case{jpeg.substr(0, jpeg.size() / 3), v1::QUALITY_REASON_UNDECODABLE},
        Case{testing::PngHeader(100000, 100000), v1::QUALITY_REASON_IMAGE_TOO_MANY_PIXELS}}) {
    const grpc::Status status = Call(c.bytes);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    const v1::QualityReport report = ReportOf(status);
    ASSERT_EQ(report.issues_size(), 1);
    EXPECT_EQ(report.issues(0).reason(), c.reason) << v1::QualityReason_Name(c.reason);
  }
  EXPECT_TRUE(Call(jpeg).ok());
}

TEST_F(PreprocessServiceTest, MalformedRequestsNameTheBadField) {
  struct Case {
    void (*edit)(PreprocessServicePreprocessRequest*);
    const char* field;
    const char* reason;
  };
  const Case cases[] = {
      {[](PreprocessServicePreprocessRequest* r) { r->set_crop_width(-1); }, "crop_width",
       "CROP_SIZE_OUT_OF_RANGE"},
      {[](PreprocessServicePreprocessRequest* r) { r->set_crop_height(5000); }, "crop_height",
       "CROP_SIZE_OUT_OF_RANGE"},
      {[](PreprocessServicePreprocessRequest* r) {
         r->add_regions(v1::FACE_REGION_NOSE);
         r->add_regions(v1::FACE_REGION_NOSE);
       },
       "regions[1]", "DUPLICATE_REGION"},
      {[](PreprocessServicePreprocessRequest* r) { r->add_regions(v1::FACE_REGION_UNSPECIFIED); },
       "regions[0]", "UNKNOWN_REGION"},
  };
  for (const Case& c : cases) {
    PreprocessServicePreprocessRequest request;
    request.set_photo(testing::AstronautJpeg());
    c.edit(&request);
    PreprocessServicePreprocessResponse response;
    const grpc::Status status = Call(request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.field;
    const v1::RpcStatus details = Details(status);
    ASSERT_EQ(details.details_size(), 1);
    v1::BadRequest bad;
    ASSERT_TRUE(details.details(0).UnpackTo(&bad));
    ASSERT_EQ(bad.field_violations_size(), 1);
    EXPECT_EQ(bad.field_violations(0).field(), c.field);
    EXPECT_EQ(bad.field_violations(0).reason(), c.reason);
  }
}

// A 640 x 480 preview frame holding the portrait scaled to 480 px on a grey
// background, shifted so that the centre of its face (about (224, 117) in
// the 512 px original) lands at `face_at`; what falls outside is cut off.
cv::Mat PreviewFrame(cv::Point face_at) {
  constexpr double kScale = 480.0 / 512;
  cv::Mat portrait;
  cv::resize(testing::Astronaut(), portrait, cv::Size(480, 480), 0, 0, cv::INTER_AREA);
  const cv::Point origin(face_at.x - static_cast<int>(224 * kScale),
                         face_at.y - static_cast<int>(117 * kScale));
  cv::Mat frame(480, 640, CV_8UC3, cv::Scalar(128, 128, 128));
  const cv::Rect target = cv::Rect(origin, portrait.size()) & cv::Rect(0, 0, 640, 480);
  portrait(target - origin).copyTo(frame(target));
  return frame;
}

// The face in the middle of the frame, and near its left edge.
const cv::Point kCentred(320, 240);
const cv::Point kNearTheEdge(110, 240);

grpc::Status AssessFrame(v1::PreprocessService::Stub* stub, const std::string& frame,
                         int photo_width, v1::PreprocessServiceAssessFrameResponse* response) {
  v1::PreprocessServiceAssessFrameRequest request;
  request.set_frame(frame);
  request.set_photo_width(photo_width);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return stub->AssessFrame(&context, request, response);
}

bool HasIssue(const v1::QualityReport& report, v1::QualityReason reason) {
  for (const v1::QualityIssue& issue : report.issues()) {
    if (issue.reason() == reason) return true;
  }
  return false;
}

TEST_F(PreprocessServiceTest, AFrameIsJudgedByTheGateAsAPhotoTakenNow) {
  // Dark first, as a camera starting up in a dim room, then the good frame.
  v1::PreprocessServiceAssessFrameResponse dark, good;
  ASSERT_TRUE(AssessFrame(stub_,
                          testing::EncodeJpeg(testing::Darkened(PreviewFrame(kCentred), 0.2)), 0,
                          &dark)
                  .ok());
  EXPECT_FALSE(dark.quality().accepted());
  ASSERT_GE(dark.quality().issues_size(), 1);
  EXPECT_EQ(dark.quality().issues(0).reason(), v1::QUALITY_REASON_TOO_DARK);
  EXPECT_EQ(dark.quality().issues(0).threshold(), 60);  // The photo gate's own threshold.

  const grpc::Status status =
      AssessFrame(stub_, testing::EncodeJpeg(PreviewFrame(kCentred)), 0, &good);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(good.quality().accepted()) << good.quality().DebugString();
  EXPECT_EQ(good.frame_width(), 640);
  EXPECT_EQ(good.frame_height(), 480);
  ASSERT_TRUE(good.has_face());
  EXPECT_NEAR(good.face().box().center_x(), 320, 20);
  EXPECT_NEAR(good.face().box().center_y(), 240, 30);
}

TEST_F(PreprocessServiceTest, AFaceNearTheFramesEdgeIsOffCentre) {
  v1::PreprocessServiceAssessFrameResponse response;
  ASSERT_TRUE(
      AssessFrame(stub_, testing::EncodeJpeg(PreviewFrame(kNearTheEdge)), 0, &response).ok());
  EXPECT_FALSE(response.quality().accepted());
  ASSERT_GE(response.quality().issues_size(), 1);
  const v1::QualityIssue& issue = response.quality().issues(0);
  EXPECT_EQ(issue.reason(), v1::QUALITY_REASON_FACE_OFF_CENTER);
  EXPECT_EQ(issue.severity(), v1::QUALITY_SEVERITY_BLOCKING);
  EXPECT_GT(issue.measured_value(), issue.threshold());
  EXPECT_EQ(issue.threshold(), 0.3);
}

TEST_F(PreprocessServiceTest, TheFacesSizeIsJudgedAtThePhotosResolution) {
  // The half-size portrait's face is too small for a photo of that size, but
  // not for the camera's photo four times as wide.
  const std::string frame = testing::EncodeJpeg(testing::Scaled(testing::Astronaut(), 0.5));
  v1::PreprocessServiceAssessFrameResponse same, larger;
  ASSERT_TRUE(AssessFrame(stub_, frame, 0, &same).ok());
  ASSERT_TRUE(AssessFrame(stub_, frame, 1024, &larger).ok());
  EXPECT_TRUE(HasIssue(same.quality(), v1::QUALITY_REASON_FACE_TOO_SMALL));
  EXPECT_FALSE(HasIssue(larger.quality(), v1::QUALITY_REASON_FACE_TOO_SMALL));
  EXPECT_NEAR(larger.quality().measurements().face_width_px(),
              4 * same.quality().measurements().face_width_px(), 1e-6);
}

TEST_F(PreprocessServiceTest, FramesBeyondTheirLimitsOrBrokenAreInvalidArgumentWithTheReason) {
  cv::Mat noise(1100, 1000, CV_8UC3);
  cv::randu(noise, 0, 255);
  const std::string jpeg = testing::EncodeJpeg(PreviewFrame(kCentred));
  struct Case {
    std::string bytes;
    v1::QualityReason reason;
  };
  // UNSPECIFIED: admitted (640 x 480 and 512 x 512 are within the limits).
  for (const Case& c : {Case{jpeg, v1::QUALITY_REASON_UNSPECIFIED},
                        Case{testing::AstronautJpeg(), v1::QUALITY_REASON_UNSPECIFIED},
                        Case{testing::EncodePng(noise), v1::QUALITY_REASON_IMAGE_TOO_LARGE},
                        Case{testing::EncodeJpeg(testing::Scaled(testing::Astronaut(), 1.5)),
                             v1::QUALITY_REASON_IMAGE_TOO_MANY_PIXELS},
                        Case{jpeg.substr(0, jpeg.size() / 3), v1::QUALITY_REASON_UNDECODABLE},
                        Case{"", v1::QUALITY_REASON_EMPTY_IMAGE}}) {
    v1::PreprocessServiceAssessFrameResponse response;
    const grpc::Status status = AssessFrame(stub_, c.bytes, 0, &response);
    const std::string name = v1::QualityReason_Name(c.reason);
    if (c.reason == v1::QUALITY_REASON_UNSPECIFIED) {
      EXPECT_TRUE(status.ok()) << status.error_message();
      continue;
    }
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << name;
    const v1::QualityReport report = ReportOf(status);
    ASSERT_EQ(report.issues_size(), 1) << name;
    EXPECT_EQ(report.issues(0).reason(), c.reason) << name;
  }
}

// The domain enums are cast to the proto enums: their numbers must agree.
TEST(PreprocessServiceEnums, DomainEnumsMatchTheProto) {
  EXPECT_EQ(v1::QualityReason_Name(static_cast<v1::QualityReason>(QualityReason::kNoFace)),
            "QUALITY_REASON_NO_FACE");
  EXPECT_EQ(v1::QualityReason_Name(static_cast<v1::QualityReason>(QualityReason::kFaceTooSmall)),
            "QUALITY_REASON_FACE_TOO_SMALL");
  EXPECT_EQ(v1::QualityReason_Name(static_cast<v1::QualityReason>(QualityReason::kUndecodable)),
            "QUALITY_REASON_UNDECODABLE");
  EXPECT_EQ(v1::QualityReason_Name(static_cast<v1::QualityReason>(QualityReason::kEyesNotFound)),
            "QUALITY_REASON_EYES_NOT_FOUND");
  EXPECT_EQ(v1::QualityReason_Name(static_cast<v1::QualityReason>(QualityReason::kFaceMoving)),
            "QUALITY_REASON_FACE_MOVING");
  EXPECT_EQ(v1::QualityReason_descriptor()->value_count(), 21);  // 20 reasons + UNSPECIFIED.
  const char* regions[] = {"FULL_FACE", "FOREHEAD", "LEFT_CHEEK",    "RIGHT_CHEEK",
                           "NOSE",      "CHIN",     "LEFT_EYE_AREA", "RIGHT_EYE_AREA"};
  for (size_t i = 0; i < AllRegions().size(); ++i) {
    EXPECT_EQ(v1::FaceRegion_Name(static_cast<v1::FaceRegion>(AllRegions()[i])),
              std::string("FACE_REGION_") + regions[i]);
  }
  EXPECT_EQ(v1::ImageEncoding_Name(static_cast<v1::ImageEncoding>(ImageFormat::kWebp)),
            "IMAGE_ENCODING_WEBP");
}

}  // namespace
}  // namespace skinlens::preprocess
