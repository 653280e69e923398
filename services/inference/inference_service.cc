#include "services/inference/inference_service.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/grpc/call_context.h"
#include "common/grpc/rich_status.h"
#include "common/time/proto_time.h"
#include "services/inference/photo_aggregation.h"
#include "spdlog/spdlog.h"

namespace skinlens::inference {
namespace {

constexpr char kErrorDomain[] = "inference.skinlens";

int Channels(v1::PixelFormat format) { return format == v1::PIXEL_FORMAT_GRAY8 ? 1 : 3; }

v1::ErrorInfo MakeErrorInfo(const std::string& reason) {
  v1::ErrorInfo info;
  info.set_reason(reason);
  info.set_domain(kErrorDomain);
  return info;
}

// The call's deadline on the batcher's clock (which tests may replace by a
// manual one): the same time left, counted from the clock's now.
absl::Time BatcherDeadline(const grpc::CallbackServerContext& context, BatcherClock* clock) {
  const auto deadline = context.deadline();
  if (deadline == std::chrono::system_clock::time_point::max()) {
    return absl::InfiniteFuture();
  }
  const absl::Duration left = absl::FromChrono(deadline) - absl::Now();
  return (clock == nullptr ? absl::Now() : clock->Now()) + left;
}

}  // namespace

// The state of one Predict call between queueing its crops and finishing.
struct InferenceService::PredictCall {
  grpc::ServerUnaryReactor* reactor = nullptr;
  const v1::InferenceServicePredictRequest* request = nullptr;
  v1::InferenceServicePredictResponse* response = nullptr;
  std::shared_ptr<const ServedModel> model;
  absl::Time arrival;

  absl::Mutex mu;
  std::vector<absl::StatusOr<CropResult>> results ABSL_GUARDED_BY(mu);
  int remaining ABSL_GUARDED_BY(mu) = 0;
};

absl::StatusOr<std::unique_ptr<InferenceService>> InferenceService::Create(
    const InferenceServiceOptions& options, std::shared_ptr<const ServedModel> model) {
  if (absl::Status valid = ValidateBatcherConfig(options.batcher); !valid.ok()) {
    return valid;
  }
  if (options.max_crops_per_request < 1 ||
      options.max_crops_per_request > options.batcher.max_queue_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_crops_per_request must be between 1 and the queue size (",
                     options.batcher.max_queue_size, "), got ", options.max_crops_per_request));
  }
  if (options.intra_op_threads < 0) {
    return absl::InvalidArgumentError("intra_op_threads must be >= 0");
  }
  if (options.intra_op_threads > 0) {
    torch::set_num_threads(options.intra_op_threads);
  }
  std::unique_ptr<InferenceService> service(new InferenceService(options, std::move(model)));
  InferenceService* self = service.get();
  absl::StatusOr<std::unique_ptr<Batcher>> batcher = Batcher::Create(
      options.batcher, [self](std::vector<CropJob>& jobs) { return self->ComputeBatch(jobs); },
      options.deps);
  if (!batcher.ok()) {
    return batcher.status();
  }
  service->batcher_ = std::move(*batcher);
  return service;
}

InferenceService::~InferenceService() {
  if (batcher_) {
    batcher_->Shutdown();
  }
}

InferenceService::InferenceService(const InferenceServiceOptions& options,
                                   std::shared_ptr<const ServedModel> model)
    : options_(options),
      models_(
          model::BundleLocation{options.model_path, options.model_dir},
          [serving = options.serving](const std::string& path) {
            return ServedModel::Load(path, serving);
          },
          [](const ServedModel& m) { return m.info().version(); }, std::move(model)) {}

std::shared_ptr<const ServedModel> InferenceService::model() const { return models_.current(); }

absl::StatusOr<std::vector<absl::StatusOr<CropResult>>> InferenceService::ComputeBatch(
    std::vector<CropJob>& jobs) {
  // Worker threads are ours, not LibTorch's: give each the intra-op thread
  // count set at start (OpenMP keeps it per thread).
  thread_local bool threads_initialised = false;
  if (!threads_initialised) {
    at::init_num_threads();
    threads_initialised = true;
  }
  const int64_t batch_id = next_batch_id_.fetch_add(1);
  const absl::Time start = absl::Now();
  std::vector<absl::StatusOr<CropResult>> results;
  results.reserve(jobs.size());
  // Crops of one batch normally share a model; around a reload they may not,
  // and each run of one model's crops is computed on that model.
  for (size_t begin = 0; begin < jobs.size();) {
    size_t end = begin + 1;
    while (end < jobs.size() && jobs[end].model == jobs[begin].model) {
      ++end;
    }
    std::vector<torch::Tensor> images;
    bool want_features = false;
    for (size_t i = begin; i < end; ++i) {
      images.push_back(std::move(jobs[i].image));
      want_features = want_features || jobs[i].want_features;
    }
    absl::StatusOr<ServedOutput> out = jobs[begin].model->Run(images, want_features);
    for (size_t i = begin; i < end; ++i) {
      if (!out.ok()) {
        results.push_back(out.status());
        continue;
      }
      try {
        c10::InferenceMode inference;
        CropResult r;
        const torch::Tensor p = out->probabilities[static_cast<int64_t>(i - begin)].contiguous();
        r.probabilities.assign(p.data_ptr<float>(), p.data_ptr<float>() + p.numel());
        if (jobs[i].want_features) {
          const torch::Tensor f =
              out->features[static_cast<int64_t>(i - begin)]
                  .to(jobs[i].feature_type == v1::DATA_TYPE_FLOAT32 ? torch::kFloat32
                                                                    : torch::kFloat16)
                  .contiguous();  // C-major, as FeatureMap documents.
          r.feature_channels = static_cast<int>(f.size(0));
          r.feature_height = static_cast<int>(f.size(1));
          r.feature_width = static_cast<int>(f.size(2));
          r.feature_bytes.assign(static_cast<const char*>(f.data_ptr()),
                                 static_cast<size_t>(f.numel()) * f.element_size());
        }
        results.push_back(std::move(r));
      } catch (const std::exception& e) {
        results.push_back(
            absl::InternalError(absl::StrCat("cannot read a crop's output: ", e.what())));
      }
    }
    begin = end;
  }
  const absl::Duration compute = absl::Now() - start;
  for (absl::StatusOr<CropResult>& r : results) {
    if (r.ok()) {
      r->batch_id = batch_id;
      r->batch_size = static_cast<int>(jobs.size());
      r->batch_start = start;
      r->compute = compute;
    }
  }
  return results;
}

grpc::ServerUnaryReactor* InferenceService::Predict(
    grpc::CallbackServerContext* context, const v1::InferenceServicePredictRequest* request,
    v1::InferenceServicePredictResponse* response) {
  ServerCallScope scope(context);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const absl::Time arrival = absl::Now();

  // The request on its own.
  v1::BadRequest bad;
  auto violation = [&bad](std::string field, std::string description, std::string reason) {
    v1::BadRequest::FieldViolation* v = bad.add_field_violations();
    v->set_field(std::move(field));
    v->set_description(std::move(description));
    v->set_reason(std::move(reason));
  };
  if (request->crops_size() == 0) {
    violation("crops", "at least one crop is needed", "NO_CROPS");
  } else if (request->crops_size() > options_.max_crops_per_request) {
    violation("crops", absl::StrCat("at most ", options_.max_crops_per_request, " crops per call"),
              "TOO_MANY_CROPS");
  }
  if (!v1::DataType_IsValid(request->feature_map_data_type())) {
    violation("feature_map_data_type", "unknown data type", "UNKNOWN_DATA_TYPE");
  }
  for (int i = 0; i < request->crops_size() && i < options_.max_crops_per_request; ++i) {
    const v1::RegionCrop& crop = request->crops(i);
    const std::string field = absl::StrCat("crops[", i, "]");
    if (!v1::FaceRegion_IsValid(crop.region()) || crop.region() == v1::FACE_REGION_UNSPECIFIED) {
      violation(field + ".region", "unknown or unspecified region", "UNKNOWN_REGION");
    }
    if (!v1::PixelFormat_IsValid(crop.pixel_format())) {
      violation(field + ".pixel_format", "unknown pixel format", "UNKNOWN_PIXEL_FORMAT");
      continue;
    }
    if (crop.width() < 1 || crop.height() < 1) {
      violation(field, "width and height must be positive", "CROP_SIZE_INVALID");
      continue;
    }
    const int64_t expected = int64_t{crop.width()} * crop.height() * Channels(crop.pixel_format());
    if (static_cast<int64_t>(crop.pixels().size()) != expected) {
      violation(field + ".pixels",
                absl::StrCat("has ", crop.pixels().size(), " bytes; width x height x channels is ",
                             expected),
                "PIXELS_SIZE_MISMATCH");
    }
  }
  if (bad.field_violations_size() > 0) {
    reactor->Finish(StatusWithDetails(
        absl::InvalidArgumentError(absl::StrCat(bad.field_violations(0).field(), ": ",
                                                bad.field_violations(0).description())),
        {&bad}));
    return reactor;
  }

  // The model.
  std::shared_ptr<const ServedModel> model = this->model();
  if (model == nullptr) {
    reactor->Finish(ToGrpcStatus(
        WithRetryDelay(absl::UnavailableError("no model loaded yet"), absl::Seconds(1))));
    return reactor;
  }
  const v1::ModelInfo& info = model->info();
  for (int i = 0; i < request->crops_size(); ++i) {
    const v1::RegionCrop& crop = request->crops(i);
    if (crop.width() != info.input_width() || crop.height() != info.input_height()) {
      v1::ErrorInfo error = MakeErrorInfo("INPUT_SIZE_MISMATCH");
      (*error.mutable_metadata())["model_version"] = info.version();
      (*error.mutable_metadata())["input_width"] = absl::StrCat(info.input_width());
      (*error.mutable_metadata())["input_height"] = absl::StrCat(info.input_height());
      (*error.mutable_metadata())["crop"] = absl::StrCat(i);
      reactor->Finish(StatusWithDetails(
          absl::FailedPreconditionError(
              absl::StrCat("crops[", i, "] is ", crop.width(), "x", crop.height(), " but model '",
                           info.version(), "' takes ", info.input_width(), "x", info.input_height(),
                           " (re-read GetModelInfo)")),
          {&error}));
      return reactor;
    }
  }

  // Queue every crop as one unit; the last result finishes the call.
  auto call = std::make_shared<PredictCall>();
  call->reactor = reactor;
  call->request = request;
  call->response = response;
  call->model = model;
  call->arrival = arrival;
  const int n = request->crops_size();
  {
    absl::MutexLock lock(&call->mu);
    call->results.assign(static_cast<size_t>(n), absl::UnknownError("no result"));
    call->remaining = n;
  }
  std::vector<CropJob> jobs;
  std::vector<Batcher::Callback> callbacks;
  jobs.reserve(static_cast<size_t>(n));
  callbacks.reserve(static_cast<size_t>(n));
  const bool want_features = request->include_feature_maps();
  const v1::DataType feature_type = request->feature_map_data_type() == v1::DATA_TYPE_FLOAT32
                                        ? v1::DATA_TYPE_FLOAT32
                                        : v1::DATA_TYPE_FLOAT16;
  for (int i = 0; i < n; ++i) {
    const v1::RegionCrop& crop = request->crops(i);
    jobs.push_back(
        CropJob{model->PrepareCrop(crop.pixels(), crop.width(), crop.height(), crop.pixel_format()),
                model, want_features, feature_type});
    callbacks.push_back([call, i](absl::StatusOr<CropResult> result) {
      bool last = false;
      {
        absl::MutexLock lock(&call->mu);
        call->results[static_cast<size_t>(i)] = std::move(result);
        last = --call->remaining == 0;
      }
      if (last) {
        Complete(*call);
      }
    });
  }
  const absl::Status admitted = batcher_->SubmitAll(
      std::move(jobs), BatcherDeadline(*context, options_.deps.clock), std::move(callbacks));
  if (absl::IsResourceExhausted(admitted)) {
    v1::ErrorInfo error = MakeErrorInfo("QUEUE_FULL");
    (*error.mutable_metadata())["queue_capacity"] = absl::StrCat(options_.batcher.max_queue_size);
    reactor->Finish(ToGrpcStatus(
        WithRetryDelay(WithDetails(admitted, {&error}),
                       std::max(absl::Milliseconds(10), 2 * options_.batcher.max_queue_delay))));
  } else if (absl::IsUnavailable(admitted)) {
    reactor->Finish(ToGrpcStatus(WithRetryDelay(admitted, absl::Seconds(1))));
  } else if (!admitted.ok()) {
    reactor->Finish(ToGrpcStatus(admitted));
  }
  return reactor;
}

void InferenceService::Complete(PredictCall& call) {
  std::vector<absl::StatusOr<CropResult>> results;
  {
    absl::MutexLock lock(&call.mu);
    results = std::move(call.results);
  }
  for (const absl::StatusOr<CropResult>& r : results) {
    if (!r.ok()) {
      if (absl::IsDeadlineExceeded(r.status())) {
        call.reactor->Finish(ToGrpcStatus(absl::DeadlineExceededError(
            "the deadline passed while the crops were queued; they were not computed")));
      } else {
        spdlog::error("inference failed: {}", r.status().ToString());
        call.reactor->Finish(ToGrpcStatus(r.status()));
      }
      return;
    }
  }
  const v1::InferenceServicePredictRequest& request = *call.request;
  v1::InferenceServicePredictResponse& response = *call.response;
  const v1::ModelInfo& info = call.model->info();
  const int attributes = info.attributes_size();
  const int grades = info.grade_names_size();
  std::vector<v1::FaceRegion> regions;
  std::map<int64_t, std::pair<int, absl::Duration>> batches;  // id -> size, compute time
  absl::Time last_start = call.arrival;
  for (size_t i = 0; i < results.size(); ++i) {
    const CropResult& r = *results[i];
    const v1::RegionCrop& crop = request.crops(static_cast<int>(i));
    regions.push_back(crop.region());
    v1::CropPrediction* prediction = response.add_predictions();
    prediction->set_region(crop.region());
    for (int a = 0; a < attributes; ++a) {
      const Distribution d = MakeDistribution(std::vector<float>(
          r.probabilities.begin() + a * grades, r.probabilities.begin() + (a + 1) * grades));
      v1::AttributeResult* out = prediction->add_attributes();
      out->set_attribute(info.attributes(a));
      out->mutable_distribution()->mutable_probabilities()->Add(d.probabilities.begin(),
                                                                d.probabilities.end());
      out->mutable_distribution()->set_grade(d.grade);
      out->mutable_distribution()->set_expected_score(d.expected_score);
      out->add_regions(crop.region());
    }
    if (request.include_feature_maps()) {
      v1::FeatureMap* map = prediction->mutable_feature_map();
      map->set_channels(r.feature_channels);
      map->set_height(r.feature_height);
      map->set_width(r.feature_width);
      map->set_data_type(request.feature_map_data_type() == v1::DATA_TYPE_FLOAT32
                             ? v1::DATA_TYPE_FLOAT32
                             : v1::DATA_TYPE_FLOAT16);
      map->set_data(r.feature_bytes);
      map->set_model_version(info.version());
      map->set_layer(info.target_layer());
    }
    batches[r.batch_id] = {r.batch_size, r.compute};
    last_start = std::max(last_start, r.batch_start);
  }
  for (int a = 0; a < attributes; ++a) {
    std::vector<std::vector<float>> probabilities;
    for (const absl::StatusOr<CropResult>& r : results) {
      probabilities.emplace_back(r->probabilities.begin() + a * grades,
                                 r->probabilities.begin() + (a + 1) * grades);
    }
    const PhotoAttributeResult photo =
        AggregatePhotoAttribute(info.attributes(a), regions, probabilities);
    v1::AttributeResult* out = response.add_photo_results();
    out->set_attribute(info.attributes(a));
    out->mutable_distribution()->mutable_probabilities()->Add(
        photo.distribution.probabilities.begin(), photo.distribution.probabilities.end());
    out->mutable_distribution()->set_grade(photo.distribution.grade);
    out->mutable_distribution()->set_expected_score(photo.distribution.expected_score);
    for (v1::FaceRegion region : photo.regions) {
      out->add_regions(region);
    }
    const model::ModelMetadata& metadata = call.model->metadata();
    if (a < static_cast<int>(metadata.attribute_names.size())) {
      const std::string& name = metadata.attribute_names[static_cast<size_t>(a)];
      const Abstention abstention = DecideAbstention(
          photo.distribution, model::CalibrationFor(metadata, name).abstain_threshold, name);
      out->set_abstained(abstention.abstained);
      out->set_abstain_reason(abstention.reason);
    }
  }
  *response.mutable_model_info() = info;
  v1::PredictTiming* timing = response.mutable_timing();
  SetDuration(last_start - call.arrival, timing->mutable_queue_time());
  absl::Duration compute;
  for (const auto& [id, batch] : batches) {
    timing->add_batch_sizes(batch.first);
    compute += batch.second;
  }
  SetDuration(compute, timing->mutable_compute_time());
  call.reactor->Finish(grpc::Status::OK);
}

grpc::ServerUnaryReactor* InferenceService::GetModelInfo(
    grpc::CallbackServerContext* context, const v1::InferenceServiceGetModelInfoRequest* request,
    v1::InferenceServiceGetModelInfoResponse* response) {
  ServerCallScope scope(context);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  std::shared_ptr<const ServedModel> model = this->model();
  if (model == nullptr) {
    reactor->Finish(ToGrpcStatus(
        WithRetryDelay(absl::UnavailableError("no model loaded yet"), absl::Seconds(1))));
    return reactor;
  }
  *response->mutable_model_info() = model->info();
  SetTimestamp(model->load_time(), response->mutable_load_time());
  v1::ServingConfig* serving = response->mutable_serving();
  serving->set_device(model->device());
  serving->set_max_batch_size(options_.batcher.max_batch_size);
  SetDuration(options_.batcher.max_queue_delay, serving->mutable_max_queue_delay());
  serving->set_queue_capacity(options_.batcher.max_queue_size);
  serving->set_worker_count(options_.batcher.worker_threads);
  serving->set_intra_op_threads(torch::get_num_threads());
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

absl::StatusOr<ReloadOutcome> InferenceService::Reload(const std::optional<std::string>& path) {
  absl::StatusOr<ReloadOutcome> outcome = models_.Reload(path);
  if (!outcome.ok()) {
    spdlog::warn("reload failed, the old model stays: {}", outcome.status().ToString());
    return outcome.status();
  }
  spdlog::info("model '{}' ({}) loaded from '{}'", outcome->current->info().version(),
               outcome->current->device(), outcome->path);
  return outcome;
}

grpc::ServerUnaryReactor* InferenceService::ReloadModel(
    grpc::CallbackServerContext* context, const v1::InferenceServiceReloadModelRequest* request,
    v1::InferenceServiceReloadModelResponse* response) {
  ServerCallScope scope(context);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<ReloadOutcome> outcome =
      Reload(request->has_bundle_path() ? std::optional<std::string>(request->bundle_path())
                                        : std::nullopt);
  if (!outcome.ok()) {
    reactor->Finish(ToGrpcStatus(outcome.status()));
    return reactor;
  }
  if (outcome->previous != nullptr) {
    *response->mutable_previous_model_info() = outcome->previous->info();
  }
  *response->mutable_model_info() = outcome->current->info();
  SetTimestamp(outcome->current->load_time(), response->mutable_load_time());
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace skinlens::inference
