#include "services/explain/explainer.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/grpc/rich_status.h"
#include "common/model/grad_cam.h"
#include "common/model/grading_model_loader.h"
#include "common/status/status_macros.h"
#include "opencv2/imgproc.hpp"
#include "services/explain/overlay.h"

namespace skinlens::explain {
namespace {

using v1::ExplainServiceExplainRequest;
using v1::ExplainServiceExplainResponse;

constexpr char kErrorDomain[] = "explain.skinlens";

absl::Status BadField(const std::string& field, const std::string& description,
                      const std::string& reason) {
  v1::BadRequest bad;
  v1::BadRequest::FieldViolation* violation = bad.add_field_violations();
  violation->set_field(field);
  violation->set_description(description);
  violation->set_reason(reason);
  return WithDetails(absl::InvalidArgumentError(absl::StrCat(field, ": ", description)), {&bad});
}

// Bytes per pixel of a raw 8-bit format; 0 for an unknown one.
int ChannelsOf(v1::PixelFormat format) {
  switch (format) {
    case v1::PIXEL_FORMAT_UNSPECIFIED:
    case v1::PIXEL_FORMAT_BGR8:
    case v1::PIXEL_FORMAT_RGB8:
      return 3;
    case v1::PIXEL_FORMAT_GRAY8:
      return 1;
    default:
      return 0;
  }
}

// Raw pixels as a BGR image (a copy). Precondition: the byte count was checked.
cv::Mat ToBgr(const std::string& pixels, int width, int height, v1::PixelFormat format) {
  const int channels = ChannelsOf(format);
  const cv::Mat raw(height, width, channels == 1 ? CV_8UC1 : CV_8UC3,
                    const_cast<char*>(pixels.data()));
  cv::Mat bgr;
  if (format == v1::PIXEL_FORMAT_RGB8) {
    cv::cvtColor(raw, bgr, cv::COLOR_RGB2BGR);
  } else if (format == v1::PIXEL_FORMAT_GRAY8) {
    cv::cvtColor(raw, bgr, cv::COLOR_GRAY2BGR);
  } else {
    bgr = raw.clone();
  }
  return bgr;
}

PhotoBox ToPhotoBox(const v1::RegionBox& box) {
  return PhotoBox{box.center_x(), box.center_y(), box.width(), box.height(),
                  box.rotation_degrees()};
}

// Observes the seconds since construction into a histogram when destroyed or Stop()ped.
class StageTimer {
 public:
  explicit StageTimer(Histogram* histogram) : histogram_(histogram), start_(absl::Now()) {}
  ~StageTimer() { Stop(); }
  void Stop() {
    if (histogram_ != nullptr) {
      histogram_->Observe(absl::ToDoubleSeconds(absl::Now() - start_));
      histogram_ = nullptr;
    }
  }

 private:
  Histogram* histogram_;
  absl::Time start_;
};

// One attribute to explain: its index in the model's logits and its grade (nullopt:
// predicted).
struct Target {
  int64_t index = 0;
  v1::Attribute attribute = v1::ATTRIBUTE_UNSPECIFIED;
  std::optional<int> grade;
};

// The request's targets, validated against the model.
absl::StatusOr<std::vector<Target>> ResolveTargets(const ExplainServiceExplainRequest& request,
                                                   const v1::ModelInfo& info) {
  std::vector<Target> targets;
  const int num_grades = info.grade_names_size();
  if (request.targets().empty()) {
    for (int a = 0; a < info.attributes_size(); ++a) {
      targets.push_back(Target{a, info.attributes(a), std::nullopt});
    }
    return targets;
  }
  for (int t = 0; t < request.targets_size(); ++t) {
    const v1::ExplainTarget& target = request.targets(t);
    const std::string field = absl::StrCat("targets[", t, "]");
    const auto found =
        std::find(info.attributes().begin(), info.attributes().end(), target.attribute());
    if (target.attribute() == v1::ATTRIBUTE_UNSPECIFIED || found == info.attributes().end()) {
      return BadField(field + ".attribute",
                      absl::StrCat("the model (", info.version(), ") has no attribute ",
                                   v1::Attribute_Name(target.attribute())),
                      "UNKNOWN_ATTRIBUTE");
    }
    const int64_t index = found - info.attributes().begin();
    for (const Target& earlier : targets) {
      if (earlier.index == index) {
        return BadField(field + ".attribute", "attribute given twice", "DUPLICATE_ATTRIBUTE");
      }
    }
    if (target.has_grade() && (target.grade() < 0 || target.grade() >= num_grades)) {
      return BadField(field + ".grade", absl::StrCat("must be in 0..", num_grades - 1),
                      "GRADE_OUT_OF_RANGE");
    }
    targets.push_back(
        Target{index, target.attribute(),
               target.has_grade() ? std::optional<int>(target.grade()) : std::nullopt});
  }
  return targets;
}

// Checks one input against the model and the request's options.
absl::Status ValidateInput(const v1::ExplainInput& input, int i, const v1::ModelInfo& info,
                           const ExplainServiceExplainRequest& request,
                           const ExplainerOptions& options) {
  const std::string prefix = absl::StrCat("inputs[", i, "]");
  const v1::RegionCrop& crop = input.crop();
  const v1::FeatureMap& map = input.feature_map();
  if (map.channels() != info.feature_map_channels() || map.height() != info.feature_map_height() ||
      map.width() != info.feature_map_width()) {
    return BadField(prefix + ".feature_map",
                    absl::StrCat("shape ", map.channels(), "x", map.height(), "x", map.width(),
                                 " does not match the model's ", info.feature_map_channels(), "x",
                                 info.feature_map_height(), "x", info.feature_map_width()),
                    "FEATURE_MAP_SHAPE_MISMATCH");
  }
  int element_bytes = 0;
  if (map.data_type() == v1::DATA_TYPE_FLOAT16) {
    element_bytes = 2;
  } else if (map.data_type() == v1::DATA_TYPE_FLOAT32) {
    element_bytes = 4;
  } else {
    return BadField(prefix + ".feature_map.data_type", "must be FLOAT16 or FLOAT32",
                    "FEATURE_MAP_TYPE_INVALID");
  }
  const int64_t expected_bytes =
      static_cast<int64_t>(map.channels()) * map.height() * map.width() * element_bytes;
  if (static_cast<int64_t>(map.data().size()) != expected_bytes) {
    return BadField(prefix + ".feature_map.data",
                    absl::StrCat("has ", map.data().size(), " bytes, expected ", expected_bytes),
                    "FEATURE_MAP_SIZE_MISMATCH");
  }
  if (!map.layer().empty() && map.layer() != info.target_layer()) {
    return BadField(prefix + ".feature_map.layer",
                    absl::StrCat("is '", map.layer(), "', the model's target layer is '",
                                 info.target_layer(), "'"),
                    "FEATURE_MAP_LAYER_MISMATCH");
  }
  if (crop.width() < 1 || crop.height() < 1 || crop.width() > options.max_crop_side ||
      crop.height() > options.max_crop_side) {
    return BadField(prefix + ".crop",
                    absl::StrCat("width and height must be in 1..", options.max_crop_side),
                    "CROP_SIZE_OUT_OF_RANGE");
  }
  if (request.include_crop_overlays()) {
    const int channels = ChannelsOf(crop.pixel_format());
    if (channels == 0) {
      return BadField(prefix + ".crop.pixel_format", "unknown pixel format",
                      "UNKNOWN_PIXEL_FORMAT");
    }
    const int64_t pixel_bytes = static_cast<int64_t>(crop.width()) * crop.height() * channels;
    if (static_cast<int64_t>(crop.pixels().size()) != pixel_bytes) {
      return BadField(prefix + ".crop.pixels",
                      absl::StrCat("has ", crop.pixels().size(), " bytes, expected ", pixel_bytes,
                                   " (crop overlays need the crop's pixels)"),
                      "CROP_PIXELS_SIZE_MISMATCH");
    }
  }
  if (request.include_photo_heatmaps() &&
      (!(crop.box().width() > 0) || !(crop.box().height() > 0))) {
    return BadField(prefix + ".crop.box", "photo heatmaps need each crop's box", "BOX_MISSING");
  }
  return absl::OkStatus();
}

absl::Status ValidatePhoto(const v1::PhotoPreview& photo, const ExplainerOptions& options) {
  if (photo.width() < 1 || photo.height() < 1 || photo.width() > options.max_photo_side ||
      photo.height() > options.max_photo_side) {
    return BadField("photo",
                    absl::StrCat("photo heatmaps need a photo preview of width and height in 1..",
                                 options.max_photo_side),
                    "PHOTO_PREVIEW_MISSING");
  }
  const int channels = ChannelsOf(photo.pixel_format());
  if (channels == 0) {
    return BadField("photo.pixel_format", "unknown pixel format", "UNKNOWN_PIXEL_FORMAT");
  }
  const int64_t bytes = static_cast<int64_t>(photo.width()) * photo.height() * channels;
  if (static_cast<int64_t>(photo.pixels().size()) != bytes) {
    return BadField("photo.pixels",
                    absl::StrCat("has ", photo.pixels().size(), " bytes, expected ", bytes),
                    "PHOTO_PIXELS_SIZE_MISMATCH");
  }
  if (!(photo.scale() > 0) || photo.scale() > 1) {
    return BadField("photo.scale", "must be in (0, 1]", "PHOTO_SCALE_OUT_OF_RANGE");
  }
  return absl::OkStatus();
}

// The feature maps of all inputs as one float32 tensor [N, C, h, w]. Precondition: validated.
// The wire format is little-endian, as is every host SkinLens builds for.
torch::Tensor DecodeFeatureMaps(const ExplainServiceExplainRequest& request) {
  const v1::FeatureMap& first = request.inputs(0).feature_map();
  const int64_t n = request.inputs_size();
  torch::Tensor out = torch::empty({n, first.channels(), first.height(), first.width()});
  for (int64_t i = 0; i < n; ++i) {
    const v1::FeatureMap& map = request.inputs(static_cast<int>(i)).feature_map();
    torch::Tensor dst = out[i];
    if (map.data_type() == v1::DATA_TYPE_FLOAT32) {
      std::memcpy(dst.data_ptr<float>(), map.data().data(), map.data().size());
    } else {
      torch::Tensor half = torch::empty(dst.sizes(), torch::kHalf);
      std::memcpy(half.data_ptr(), map.data().data(), map.data().size());
      dst.copy_(half);
    }
  }
  return out;
}

std::string Bytes(const torch::Tensor& t) {
  const torch::Tensor c = t.contiguous();
  return std::string(static_cast<const char*>(c.data_ptr()), c.numel() * c.element_size());
}

absl::StatusOr<std::shared_ptr<const LoadedModel>> LoadModel(const std::string& path) {
  absl::StatusOr<std::unique_ptr<model::GradingModel>> loaded = model::LoadGradingModel(path);
  if (!loaded.ok()) {
    if (loaded.status().code() == absl::StatusCode::kNotFound) {
      return loaded.status();
    }
    return absl::FailedPreconditionError(
        absl::StrCat("cannot load the bundle '", path, "': ", loaded.status().message()));
  }
  std::shared_ptr<const model::GradingModel> grading = std::move(*loaded);
  const model::InputSpec& input = grading->metadata().input;
  absl::StatusOr<model::GradingOutput> probe;
  {
    // The feature map's shape at the input size, which requests are checked against; also a
    // warm-up of the model.
    torch::InferenceMode inference;
    probe = grading->Forward(torch::zeros({1, 3, input.height, input.width}),
                             /*return_features=*/true);
  }
  if (!probe.ok() || !probe->features.defined() || probe->features.dim() != 4) {
    return absl::FailedPreconditionError(
        absl::StrCat("the bundle '", path, "' does not compute a feature map at its input size: ",
                     probe.ok() ? "no 4-D feature map" : probe.status().message()));
  }
  auto result = std::make_shared<LoadedModel>();
  result->model = grading;
  if (const auto* native = dynamic_cast<const model::NativeGradingModel*>(grading.get())) {
    result->split_head = model::SplitSkinNetHead(native->net());
  }
  result->info = ModelInfoOf(*grading, probe->features.sizes());
  result->load_time = absl::Now();
  return std::shared_ptr<const LoadedModel>(std::move(result));
}

// What an Explain call will do, once its request is checked against the model.
struct ExplainPlan {
  const LoadedModel* loaded = nullptr;
  OverlayEncoding encoding = OverlayEncoding::kPng;
  int quality = 90;
  std::vector<Target> targets;
  std::vector<int64_t> target_indices;  // targets[t].index, for index_select
};

// Checks the encoding, the JPEG quality, the targets, every input and the photo.
absl::StatusOr<ExplainPlan> PlanExplain(const ExplainServiceExplainRequest& request,
                                        const LoadedModel& loaded,
                                        const ExplainerOptions& options) {
  ExplainPlan plan;
  plan.loaded = &loaded;
  if (request.overlay_encoding() == v1::IMAGE_ENCODING_JPEG) {
    plan.encoding = OverlayEncoding::kJpeg;
  } else if (request.overlay_encoding() != v1::IMAGE_ENCODING_PNG &&
             request.overlay_encoding() != v1::IMAGE_ENCODING_UNSPECIFIED) {
    return BadField("overlay_encoding", "overlays are encoded as PNG or JPEG only",
                    "UNSUPPORTED_OVERLAY_ENCODING");
  }
  plan.quality = request.has_jpeg_quality() ? request.jpeg_quality() : options.default_jpeg_quality;
  if (plan.quality < 1 || plan.quality > 100) {
    return BadField("jpeg_quality", "must be in 1..100", "JPEG_QUALITY_OUT_OF_RANGE");
  }
  SKINLENS_ASSIGN_OR_RETURN(plan.targets, ResolveTargets(request, loaded.info));
  for (const Target& target : plan.targets) plan.target_indices.push_back(target.index);
  for (int i = 0; i < request.inputs_size(); ++i) {
    SKINLENS_RETURN_IF_ERROR(ValidateInput(request.inputs(i), i, loaded.info, request, options));
  }
  if (request.include_photo_heatmaps()) {
    SKINLENS_RETURN_IF_ERROR(ValidatePhoto(request.photo(), options));
  }
  return plan;
}

// Grad-CAM of every input for every target.
struct CamMaps {
  model::GradCamOutput cam;
};

// Decodes the feature maps (INVALID_ARGUMENT for a map that is not finite) and runs Grad-CAM
// for the plan's targets, timing each stage.
absl::StatusOr<CamMaps> ComputeCams(const ExplainServiceExplainRequest& request,
                                    const ExplainPlan& plan, Histogram* decode_seconds,
                                    Histogram* grad_cam_seconds) {
  StageTimer decode_timer(decode_seconds);
  const torch::Tensor features = DecodeFeatureMaps(request);
  if (!features.isfinite().all().item<bool>()) {
    const int64_t bad =
        features.flatten(1).isfinite().all(1).logical_not().nonzero()[0].item<int64_t>();
    return BadField(absl::StrCat("inputs[", bad, "].feature_map.data"),
                    "holds values that are not finite (NaN or infinity)", "FEATURE_MAP_NOT_FINITE");
  }
  const int64_t n = request.inputs_size();
  const int64_t num_attributes = plan.loaded->info.attributes_size();
  torch::Tensor grades = torch::full({n, num_attributes}, model::kSkipGrade, torch::kLong);
  for (const Target& target : plan.targets) {
    grades.select(1, target.index).fill_(target.grade ? *target.grade : model::kExpectedGrade);
  }
  decode_timer.Stop();

  StageTimer grad_cam_timer(grad_cam_seconds);
  absl::Status head_status;
  const model::GradingModel& grading = *plan.loaded->model;
  const model::HeadFn head = [&](const torch::Tensor& f) -> torch::Tensor {
    absl::StatusOr<torch::Tensor> logits = grading.Head(f);
    if (!logits.ok()) {
      head_status = logits.status();
      return torch::Tensor();
    }
    return *std::move(logits);
  };
  CamMaps maps{plan.loaded->split_head ? model::GradCam(*plan.loaded->split_head, features, grades)
                                       : model::GradCam(head, features, grades)};
  if (!maps.cam.maps.defined()) {
    return absl::InternalError(
        absl::StrCat("the head failed on validated feature maps: ", head_status.message()));
  }
  return maps;
}

// One explanation per crop with a heatmap per target (the normalised map quantised to 8 bits,
// and its raw maximum). Returns the quantised maps, [T, H, W] uint8 per crop, for the overlays.
std::vector<torch::Tensor> AddCropHeatmaps(const ExplainServiceExplainRequest& request,
                                           const ExplainPlan& plan, const CamMaps& cams,
                                           ExplainServiceExplainResponse& response) {
  const int64_t n = request.inputs_size();
  const torch::Tensor index = torch::tensor(plan.target_indices, torch::kLong);
  std::vector<torch::Tensor> levels(n);
  for (int64_t i = 0; i < n; ++i) {
    const v1::RegionCrop& crop = request.inputs(static_cast<int>(i)).crop();
    const torch::Tensor up = model::UpsampleCams(
        cams.cam.maps[i].index_select(0, index).unsqueeze(0), crop.height(), crop.width())[0];
    const torch::Tensor maxima = model::CamMaxima(up);  // [T]
    levels[i] = model::NormalizeCams(up).mul(255.0).round_().to(torch::kByte).contiguous();
    v1::CropExplanation* explanation = response.add_explanations();
    explanation->set_region(crop.region());
    for (size_t t = 0; t < plan.targets.size(); ++t) {
      const Target& target = plan.targets[t];
      v1::Heatmap* heatmap = explanation->add_heatmaps();
      heatmap->set_attribute(target.attribute);
      const int64_t explained = cams.cam.grades[i][target.index].item<int64_t>();
      const bool expected = explained == model::kExpectedGrade;
      heatmap->set_grade(static_cast<int32_t>(
          expected ? cams.cam.logits[i][target.index].argmax().item<int64_t>() : explained));
      heatmap->set_expected_grade(expected);
      heatmap->set_region(crop.region());
      *heatmap->mutable_box() = crop.box();
      heatmap->set_width(crop.width());
      heatmap->set_height(crop.height());
      heatmap->set_values(Bytes(levels[i][static_cast<int64_t>(t)]));
      heatmap->set_raw_max(maxima[static_cast<int64_t>(t)].item<float>());
    }
  }
  return levels;
}

// Crop `i`'s quantised map for target `t` as an 8-bit image (no copy).
cv::Mat HeatMat(const ExplainServiceExplainRequest& request,
                const std::vector<torch::Tensor>& levels, int64_t i, size_t t) {
  const v1::RegionCrop& crop = request.inputs(static_cast<int>(i)).crop();
  return cv::Mat(crop.height(), crop.width(), CV_8UC1,
                 levels[i][static_cast<int64_t>(t)].data_ptr<uint8_t>());
}

v1::ImageEncoding ProtoEncoding(OverlayEncoding encoding) {
  return encoding == OverlayEncoding::kJpeg ? v1::IMAGE_ENCODING_JPEG : v1::IMAGE_ENCODING_PNG;
}

// Each crop heatmap's overlay: the map blended over the crop's pixels, encoded.
absl::Status AddCropOverlays(const ExplainServiceExplainRequest& request, const ExplainPlan& plan,
                             const std::vector<torch::Tensor>& levels, double alpha,
                             ExplainServiceExplainResponse& response) {
  for (int64_t i = 0; i < request.inputs_size(); ++i) {
    const v1::RegionCrop& crop = request.inputs(static_cast<int>(i)).crop();
    const cv::Mat bgr = ToBgr(crop.pixels(), crop.width(), crop.height(), crop.pixel_format());
    for (size_t t = 0; t < plan.targets.size(); ++t) {
      SKINLENS_ASSIGN_OR_RETURN(
          std::string bytes, EncodeImage(BlendHeatmap(bgr, HeatMat(request, levels, i, t), alpha),
                                         plan.encoding, plan.quality));
      v1::Heatmap* heatmap =
          response.mutable_explanations(static_cast<int>(i))->mutable_heatmaps(static_cast<int>(t));
      heatmap->set_overlay(std::move(bytes));
      heatmap->set_overlay_encoding(ProtoEncoding(plan.encoding));
    }
  }
  return absl::OkStatus();
}

// One whole-photo heatmap per target: every crop's map drawn at its box on the photo preview
// (and, when asked, blended over the preview where the regions cover it).
absl::Status AddPhotoHeatmaps(const ExplainServiceExplainRequest& request, const ExplainPlan& plan,
                              const std::vector<torch::Tensor>& levels, double alpha,
                              ExplainServiceExplainResponse& response) {
  const v1::PhotoPreview& photo = request.photo();
  const cv::Mat preview =
      ToBgr(photo.pixels(), photo.width(), photo.height(), photo.pixel_format());
  // What the regions cover is the same for every attribute: drawn with the first.
  cv::Mat covered(preview.size(), CV_8UC1, cv::Scalar(0));
  const bool overlays = request.include_photo_overlays();
  for (size_t t = 0; t < plan.targets.size(); ++t) {
    cv::Mat photo_heat(preview.size(), CV_8UC1, cv::Scalar(0));
    for (int64_t i = 0; i < request.inputs_size(); ++i) {
      DrawHeatmapAtBox(HeatMat(request, levels, i, t),
                       ToPhotoBox(request.inputs(static_cast<int>(i)).crop().box()), photo.scale(),
                       &photo_heat, overlays && t == 0 ? &covered : nullptr);
    }
    v1::PhotoHeatmap* out = response.add_photo_heatmaps();
    out->set_attribute(plan.targets[t].attribute);
    out->set_width(preview.cols);
    out->set_height(preview.rows);
    out->set_scale(photo.scale());
    out->set_values(
        std::string(reinterpret_cast<const char*>(photo_heat.data), photo_heat.total()));
    if (overlays) {
      SKINLENS_ASSIGN_OR_RETURN(std::string bytes,
                                EncodeImage(BlendHeatmap(preview, photo_heat, alpha, covered),
                                            plan.encoding, plan.quality));
      out->set_overlay(std::move(bytes));
      out->set_overlay_encoding(ProtoEncoding(plan.encoding));
    }
  }
  return absl::OkStatus();
}

}  // namespace

v1::Attribute AttributeFromName(absl::string_view name) {
  const std::string lower = absl::AsciiStrToLower(name);
  if (lower == "oil") return v1::ATTRIBUTE_OIL;
  if (lower == "hydration") return v1::ATTRIBUTE_HYDRATION;
  if (lower == "wrinkle") return v1::ATTRIBUTE_WRINKLE;
  if (lower == "pigmentation") return v1::ATTRIBUTE_PIGMENTATION;
  if (lower == "sensitivity" || lower == "sensitive") return v1::ATTRIBUTE_SENSITIVITY;
  return v1::ATTRIBUTE_UNSPECIFIED;
}

v1::ModelInfo ModelInfoOf(const model::GradingModel& model, const torch::IntArrayRef features) {
  const model::ModelMetadata& m = model.metadata();
  v1::ModelInfo info;
  info.set_version(m.model_version);
  info.set_digest(m.weights.sha256);
  info.set_architecture(m.architecture.backbone.name);
  info.set_format(model.kind() == model::GradingModelKind::kNativeBundle
                      ? v1::MODEL_FORMAT_NATIVE
                      : v1::MODEL_FORMAT_TORCHSCRIPT);
  info.set_input_width(m.input.width);
  info.set_input_height(m.input.height);
  for (const std::string& name : m.attribute_names) {
    info.add_attributes(AttributeFromName(name));
    info.add_attribute_names(name);
  }
  for (const std::string& name : m.grade_names) info.add_grade_names(name);
  for (double v : m.input.mean) info.add_normalization_mean(static_cast<float>(v));
  for (double v : m.input.std) info.add_normalization_std(static_cast<float>(v));
  info.set_target_layer(m.target_layer);
  info.set_feature_map_channels(static_cast<int32_t>(features[1]));
  info.set_feature_map_height(static_cast<int32_t>(features[2]));
  info.set_feature_map_width(static_cast<int32_t>(features[3]));
  info.set_trained_on(m.training_data.description);
  info.set_demo_model(m.training_data.synthetic_only);
  for (const auto& [name, metrics] : m.validation_metrics) {
    v1::AttributeMetrics* out = info.add_validation_metrics();
    out->set_attribute(AttributeFromName(name));
    out->set_p_recall(metrics.p_recall);
    out->set_accuracy(metrics.accuracy);
    out->set_macro_f1(metrics.macro_f1);
    out->set_mae(metrics.mae);
    out->set_sample_count(metrics.num_samples);
  }
  absl::Time created;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, m.created_time, &created, &error)) {
    const int64_t nanos = absl::ToUnixNanos(created);
    info.mutable_create_time()->set_seconds(nanos / 1000000000);
    info.mutable_create_time()->set_nanos(static_cast<int32_t>(nanos % 1000000000));
  }
  return info;
}

Explainer::Explainer(const ExplainerOptions& options)
    : options_(options),
      decode_seconds_(&options.metrics->GetHistogram(
          "skinlens_explain_stage_seconds", "Compute time of each stage of an Explain call.",
          {{"stage", "decode"}})),
      grad_cam_seconds_(&options.metrics->GetHistogram(
          "skinlens_explain_stage_seconds", "Compute time of each stage of an Explain call.",
          {{"stage", "grad_cam"}})),
      heatmap_seconds_(&options.metrics->GetHistogram(
          "skinlens_explain_stage_seconds", "Compute time of each stage of an Explain call.",
          {{"stage", "heatmap"}})),
      overlay_seconds_(&options.metrics->GetHistogram(
          "skinlens_explain_stage_seconds", "Compute time of each stage of an Explain call.",
          {{"stage", "crop_overlay"}})),
      photo_seconds_(&options.metrics->GetHistogram(
          "skinlens_explain_stage_seconds", "Compute time of each stage of an Explain call.",
          {{"stage", "photo_heatmap"}})),
      models_(model::BundleLocation{options.model_path, options.model_dir}, LoadModel,
              [](const LoadedModel& m) { return m.info.version(); }) {}

absl::StatusOr<std::unique_ptr<Explainer>> Explainer::Create(const ExplainerOptions& options) {
  if (options.max_inputs < 1 || options.max_crop_side < 1 || options.max_photo_side < 1 ||
      options.overlay_alpha < 0 || options.overlay_alpha > 1 || options.default_jpeg_quality < 1 ||
      options.default_jpeg_quality > 100 || options.metrics == nullptr) {
    return absl::InvalidArgumentError(
        "explainer options out of range (max_inputs, max_crop_side, max_photo_side >= 1; "
        "overlay_alpha in [0, 1]; default_jpeg_quality in 1..100)");
  }
  std::unique_ptr<Explainer> explainer(new Explainer(options));
  if (!options.model_path.empty()) {
    SKINLENS_RETURN_IF_ERROR(explainer->Reload(std::nullopt).status());
  }
  return explainer;
}

std::shared_ptr<const LoadedModel> Explainer::model() const { return models_.current(); }

absl::StatusOr<ReloadResult> Explainer::Reload(const std::optional<std::string>& bundle_path) {
  SKINLENS_ASSIGN_OR_RETURN(model::ModelRepository<LoadedModel>::Swap swap,
                            models_.Reload(bundle_path));
  ReloadResult result;
  if (swap.previous != nullptr) result.previous = swap.previous->info;
  result.current = std::move(swap.current);
  return result;
}

absl::StatusOr<std::shared_ptr<const LoadedModel>> Explainer::ModelFor(
    const std::string& version) const {
  if (std::shared_ptr<const LoadedModel> found = models_.WithVersion(version)) return found;
  const std::shared_ptr<const LoadedModel> current = models_.current();
  if (current == nullptr) {
    return absl::UnavailableError("no model loaded yet");
  }
  const std::shared_ptr<const LoadedModel> previous = models_.previous();
  v1::ErrorInfo info;
  info.set_reason("MODEL_MISMATCH");
  info.set_domain(kErrorDomain);
  (*info.mutable_metadata())["model_version"] = version;
  (*info.mutable_metadata())["loaded_model_version"] = current->info.version();
  return WithDetails(
      absl::FailedPreconditionError(absl::StrCat(
          "the feature maps come from model '", version, "', but explain serves '",
          current->info.version(), "'",
          previous != nullptr ? absl::StrCat(" and '", previous->info.version(), "'") : "")),
      {&info});
}

absl::StatusOr<ExplainServiceExplainResponse> Explainer::Explain(
    const ExplainServiceExplainRequest& request) const {
  if (request.inputs().empty()) {
    return BadField("inputs", "at least one input is needed", "NO_INPUTS");
  }
  if (request.inputs_size() > options_.max_inputs) {
    return BadField("inputs", absl::StrCat("at most ", options_.max_inputs, " inputs per call"),
                    "TOO_MANY_INPUTS");
  }
  const std::string& version = request.inputs(0).feature_map().model_version();
  if (version.empty()) {
    return BadField("inputs[0].feature_map.model_version", "missing", "MODEL_VERSION_MISSING");
  }
  for (int i = 1; i < request.inputs_size(); ++i) {
    if (request.inputs(i).feature_map().model_version() != version) {
      return BadField(absl::StrCat("inputs[", i, "].feature_map.model_version"),
                      "all feature maps of a call must come from the same model",
                      "MIXED_MODEL_VERSIONS");
    }
  }
  SKINLENS_ASSIGN_OR_RETURN(std::shared_ptr<const LoadedModel> loaded, ModelFor(version));
  SKINLENS_ASSIGN_OR_RETURN(const ExplainPlan plan, PlanExplain(request, *loaded, options_));
  try {
    SKINLENS_ASSIGN_OR_RETURN(const CamMaps cams,
                              ComputeCams(request, plan, decode_seconds_, grad_cam_seconds_));
    ExplainServiceExplainResponse response;
    response.set_model_version(loaded->info.version());
    std::vector<torch::Tensor> levels;
    {
      StageTimer timer(heatmap_seconds_);
      levels = AddCropHeatmaps(request, plan, cams, response);
    }
    if (request.include_crop_overlays()) {
      StageTimer timer(overlay_seconds_);
      SKINLENS_RETURN_IF_ERROR(
          AddCropOverlays(request, plan, levels, options_.overlay_alpha, response));
    }
    if (request.include_photo_heatmaps()) {
      StageTimer timer(photo_seconds_);
      SKINLENS_RETURN_IF_ERROR(
          AddPhotoHeatmaps(request, plan, levels, options_.overlay_alpha, response));
    }
    return response;
  } catch (const c10::Error& e) {
    return absl::InternalError(absl::StrCat("Grad-CAM failed: ", e.what_without_backtrace()));
  } catch (const cv::Exception& e) {
    return absl::InternalError(absl::StrCat("drawing the heatmaps failed: ", e.what()));
  }
}

}  // namespace skinlens::explain
