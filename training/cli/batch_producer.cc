#include "training/cli/batch_producer.h"

#include <algorithm>
#include <random>
#include <utility>

#include "absl/strings/str_cat.h"
#include "opencv2/imgproc.hpp"
#include "training/data/image_loader.h"

namespace skinlens::training {
namespace {

// A 64-bit mix of the inputs (splitmix64), so neighbouring steps get unrelated
// random streams.
uint64_t Mix(uint64_t a, uint64_t b) {
  uint64_t z = a + 0x9E3779B97F4A7C15ULL * (b + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace

absl::StatusOr<std::unique_ptr<BatchProducer>> BatchProducer::Start(
    std::vector<Sample> samples, std::vector<BatchTask> tasks,
    const BatchProducerOptions& options) {
  if (tasks.empty()) return absl::InvalidArgumentError("no training task");
  if (samples.empty()) return absl::InvalidArgumentError("no training samples");
  for (size_t t = 0; t < tasks.size(); ++t) {
    if (!tasks[t].sampler.has_value() && tasks[t].eligible.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("task ", t, " has no sample to draw"));
    }
  }
  if (options.batch_size < 1 || options.image_size < 8) {
    return absl::InvalidArgumentError("batch size must be >= 1 and image size >= 8");
  }
  if (options.first_step < 0 || options.end_step <= options.first_step) {
    return absl::InvalidArgumentError(
        absl::StrCat("empty step range [", options.first_step, ", ", options.end_step, ")"));
  }
  std::unique_ptr<BatchProducer> producer(
      new BatchProducer(std::move(samples), std::move(tasks), options));
  // Skip the batches a resumed run already trained on: only the cursors move.
  for (int64_t step = 0; step < options.first_step; ++step) {
    producer->DrawIndices(static_cast<int>(step % producer->tasks_.size()));
  }
  producer->next_to_take_ = options.first_step;
  producer->thread_ = std::thread([p = producer.get()] { p->Run(); });
  return producer;
}

BatchProducer::BatchProducer(std::vector<Sample> samples, std::vector<BatchTask> tasks,
                             const BatchProducerOptions& options)
    : samples_(std::move(samples)),
      tasks_(std::move(tasks)),
      options_(options),
      cache_(samples_.size()),
      cursors_(tasks_.size()) {}

BatchProducer::~BatchProducer() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

std::vector<int64_t> BatchProducer::DrawIndices(int task) {
  const BatchTask& t = tasks_[task];
  Cursor& cursor = cursors_[task];
  std::vector<int64_t> indices;
  indices.reserve(options_.batch_size);
  while (static_cast<int>(indices.size()) < options_.batch_size) {
    if (cursor.position >= cursor.order.size()) {
      if (t.sampler.has_value()) {
        cursor.order = t.sampler->EpochIndices(cursor.pass);
      } else {
        cursor.order = t.eligible;
        std::mt19937_64 rng(Mix(Mix(options_.seed, task), cursor.pass));
        // Fisher-Yates with our own bounded draws: the same order on every
        // platform (std::shuffle's is implementation-defined).
        for (size_t i = cursor.order.size(); i > 1; --i) {
          std::swap(cursor.order[i - 1], cursor.order[rng() % i]);
        }
      }
      cursor.position = 0;
      ++cursor.pass;
    }
    indices.push_back(cursor.order[cursor.position++]);
  }
  return indices;
}

absl::StatusOr<cv::Mat> BatchProducer::Image(int64_t index) {
  cv::Mat& cached = cache_[index];
  if (cached.empty()) {
    absl::StatusOr<cv::Mat> image = LoadImageBgr8(samples_[index].image_path);
    if (!image.ok()) return image.status();
    cached = *std::move(image);
  }
  return cached;
}

absl::StatusOr<TrainingBatch> BatchProducer::Build(int64_t step) {
  const int task = static_cast<int>(step % tasks_.size());
  const BatchTask& t = tasks_[task];
  std::vector<int64_t> indices = DrawIndices(task);
  std::vector<cv::Mat> images;
  images.reserve(indices.size());
  torch::Tensor labels = torch::full({static_cast<int64_t>(indices.size()), kNumAttributes},
                                     kUnlabelled, torch::kInt64);
  auto label = labels.accessor<int64_t, 2>();
  for (size_t i = 0; i < indices.size(); ++i) {
    absl::StatusOr<cv::Mat> image = Image(indices[i]);
    if (!image.ok()) return image.status();
    AugmentRng rng(static_cast<uint32_t>(Mix(Mix(options_.seed, step), i)));
    absl::StatusOr<cv::Mat> augmented =
        t.augment.has_value() ? t.augment->Apply(*image, rng) : absl::StatusOr<cv::Mat>(*image);
    if (!augmented.ok()) {
      return absl::Status(augmented.status().code(),
                          absl::StrCat("augmenting '", samples_[indices[i]].image_path,
                                       "': ", augmented.status().message()));
    }
    cv::Mat sized = *std::move(augmented);
    if (sized.rows != options_.image_size || sized.cols != options_.image_size) {
      cv::Mat resized;
      cv::resize(sized, resized, cv::Size(options_.image_size, options_.image_size), 0, 0,
                 sized.rows > options_.image_size ? cv::INTER_AREA : cv::INTER_LINEAR);
      sized = resized;
    }
    images.push_back(std::move(sized));
    for (int a = 0; a < kNumAttributes; ++a) {
      if (t.trains[a]) label[i][a] = samples_[indices[i]].grades[a];
    }
  }
  absl::StatusOr<torch::Tensor> tensor = ImagesToTensor(images, options_.normalization);
  if (!tensor.ok()) return tensor.status();
  return TrainingBatch{step, task, *std::move(tensor), labels};
}

void BatchProducer::Run() {
  for (int64_t step = options_.first_step; step < options_.end_step; ++step) {
    absl::StatusOr<TrainingBatch> batch = Build(step);
    const bool failed = !batch.ok();
    absl::MutexLock lock(&mu_);
    auto room = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return stopping_ || static_cast<int>(queue_.size()) < options_.queue_capacity;
    };
    mu_.Await(absl::Condition(&room));
    if (stopping_) return;
    queue_.push_back(std::move(batch));
    if (failed) return;
  }
}

absl::StatusOr<TrainingBatch> BatchProducer::Next() {
  if (next_to_take_ >= options_.end_step) {
    return absl::OutOfRangeError("no batch after the last step");
  }
  absl::MutexLock lock(&mu_);
  auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !queue_.empty(); };
  mu_.Await(absl::Condition(&ready));
  absl::StatusOr<TrainingBatch> batch = std::move(queue_.front());
  if (batch.ok()) {
    queue_.pop_front();
    ++next_to_take_;
  }  // An error stays at the front: every later Next() returns it too.
  return batch;
}

}  // namespace skinlens::training
