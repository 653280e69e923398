// skinlens-preprocess: the preprocess gRPC service (decoding, quality gate,
// face and region crops). Flags only; the logic lives in Preprocessor.
#include <cstdint>
#include <string>

#include "absl/flags/flag.h"
#include "common/config/config.h"
#include "common/config/large_allocations.h"
#include "common/grpc/server_runner.h"
#include "common/logging/logging.h"
#include "opencv2/core/utils/logger.hpp"
#include "preprocess_service.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(int64_t, max_photo_bytes, 15 * 1000 * 1000, "Largest accepted upload in bytes.");
ABSL_FLAG(double, max_photo_megapixels, 40.0,
          "Most pixels a photo header may declare, in megapixels (checked before decoding).");
ABSL_FLAG(std::string, cascade_dir, "/usr/share/opencv4/haarcascades",
          "Folder of OpenCV's Haar cascades (Debian package opencv-data).");
ABSL_FLAG(int, max_detection_side, 1024, "Photos are searched for faces scaled to this side.");
ABSL_FLAG(double, min_face_width_px, 80, "Narrowest accepted face box, in photo pixels.");
ABSL_FLAG(double, min_sharpness, 40,
          "Least variance of the Laplacian of the contrast-normalised face (see README.md).");
ABSL_FLAG(double, min_luminance, 60, "Darkest accepted mean face luminance (0..255).");
ABSL_FLAG(double, max_luminance, 210, "Brightest accepted mean face luminance (0..255).");
ABSL_FLAG(double, max_lighting_ratio, 1.6,
          "Largest accepted ratio of the brighter face half's luminance to the darker half's.");
ABSL_FLAG(double, max_yaw_degrees, 30, "Largest accepted estimated face turn in degrees.");
ABSL_FLAG(double, max_roll_degrees, 25, "Largest accepted head tilt in degrees.");
ABSL_FLAG(bool, multiple_faces_blocking, true,
          "Refuse photos with several faces, so a bystander's face is never graded; false: "
          "warn and analyse the largest.");
ABSL_FLAG(int, default_crop_width, 224, "Crop width when the request gives 0.");
ABSL_FLAG(int, default_crop_height, 224, "Crop height when the request gives 0.");
ABSL_FLAG(int, max_crop_side, 1024,
          "Largest crop width, height or preview side a request may ask.");
ABSL_FLAG(int, max_concurrent_calls, 8, "Calls handled at once; more get RESOURCE_EXHAUSTED.");
ABSL_FLAG(int64_t, max_frame_bytes, 1000 * 1000,
          "Largest camera preview frame (capture guidance) in bytes.");
ABSL_FLAG(int64_t, max_frame_pixels, 640 * 640,
          "Most pixels of a camera preview frame (640 x 640 admits 640 px on the longer side).");
ABSL_FLAG(double, max_face_offset, 0.3,
          "Capture guidance: farthest the face's centre may sit from a preview frame's centre, "
          "as a fraction of the frame's shorter side.");
ABSL_FLAG(int, max_concurrent_frames, 8,
          "Preview frames judged at once; more get RESOURCE_EXHAUSTED.");
ABSL_FLAG(bool, white_balance, true,
          "Correct the crops to neutral light (shades of grey over the photo) before grading; "
          "the estimated light is reported either way.");

int main(int argc, char** argv) {
  skinlens::KeepLargeAllocationsInProcess();
  skinlens::InitCommandLine(argc, argv,
                            "skinlens-preprocess: photo decoding, quality gate and face crops");
  if (absl::Status s = skinlens::SetupLoggingFromFlags("preprocess"); !s.ok()) {
    spdlog::critical("{}", s.ToString());
    return 2;
  }
  // Broken uploads are expected; OpenCV's own warnings about them are noise.
  cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_ERROR);
  namespace pre = skinlens::preprocess;
  pre::PreprocessorOptions options;
  options.limits.max_bytes = absl::GetFlag(FLAGS_max_photo_bytes);
  options.limits.max_pixels = static_cast<int64_t>(absl::GetFlag(FLAGS_max_photo_megapixels) * 1e6);
  options.detector.cascade_dir = absl::GetFlag(FLAGS_cascade_dir);
  options.white_balance = absl::GetFlag(FLAGS_white_balance);
  options.detector.max_detection_side = absl::GetFlag(FLAGS_max_detection_side);
  options.thresholds.min_face_width_px = absl::GetFlag(FLAGS_min_face_width_px);
  options.thresholds.min_sharpness = absl::GetFlag(FLAGS_min_sharpness);
  options.thresholds.min_luminance = absl::GetFlag(FLAGS_min_luminance);
  options.thresholds.max_luminance = absl::GetFlag(FLAGS_max_luminance);
  options.thresholds.max_lighting_ratio = absl::GetFlag(FLAGS_max_lighting_ratio);
  options.thresholds.max_yaw_degrees = absl::GetFlag(FLAGS_max_yaw_degrees);
  options.thresholds.max_roll_degrees = absl::GetFlag(FLAGS_max_roll_degrees);
  options.thresholds.multiple_faces_blocking = absl::GetFlag(FLAGS_multiple_faces_blocking);
  options.thresholds.max_face_offset = absl::GetFlag(FLAGS_max_face_offset);
  options.frame_limits.max_bytes = absl::GetFlag(FLAGS_max_frame_bytes);
  options.frame_limits.max_pixels = absl::GetFlag(FLAGS_max_frame_pixels);
  auto preprocessor = pre::Preprocessor::Create(options);
  if (!preprocessor.ok()) {
    spdlog::critical("{}", preprocessor.status().ToString());
    return 1;
  }
  pre::PreprocessServiceOptions service_options;
  service_options.default_crop_width = absl::GetFlag(FLAGS_default_crop_width);
  service_options.default_crop_height = absl::GetFlag(FLAGS_default_crop_height);
  service_options.max_crop_side = absl::GetFlag(FLAGS_max_crop_side);
  service_options.max_concurrent_calls = absl::GetFlag(FLAGS_max_concurrent_calls);
  service_options.max_concurrent_frames = absl::GetFlag(FLAGS_max_concurrent_frames);
  pre::PreprocessService service(*std::move(preprocessor), service_options);
  return skinlens::RunServer(skinlens::ServerOptionsFromFlags("preprocess"),
                             {{skinlens::v1::PreprocessService::service_full_name(), &service}});
}
