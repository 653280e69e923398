// Builds the training batches in a background thread while the network trains
// on the previous ones (a bounded queue between the two), deterministically:
// batch s depends only on the seed and s, so a resumed run sees exactly the
// batches an uninterrupted run would have seen.
//
//   SKINLENS_ASSIGN_OR_RETURN(auto producer, BatchProducer::Start(samples, tasks, options));
//   while (...) {
//     SKINLENS_ASSIGN_OR_RETURN(TrainingBatch batch, producer->Next());
//     TrainStep(net, optimizer, batch.images, batch.labels, losses);
//   }
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "opencv2/core/mat.hpp"
#include "training/augment/compose.h"
#include "training/data/dataset.h"
#include "training/sampler/imbalanced_sampler.h"
#include "training/train/image_batch.h"

namespace skinlens::training {

// One stream of batches: which samples it draws, how it augments them, and
// which attributes' labels it trains (the others are masked to unlabelled).
struct BatchTask {
  std::array<bool, kNumAttributes> trains = {true, true, true, true, true};
  std::optional<Compose> augment;  // nullopt: images as they are (then resized)
  // Balanced draws; nullopt = every eligible sample once per pass, shuffled.
  std::optional<ImbalancedSampler> sampler;
  // Without a sampler: the samples this task may draw (all, or those labelled
  // for its attribute).
  std::vector<int64_t> eligible;
};

struct BatchProducerOptions {
  int batch_size = 32;
  int image_size = 128;  // every augmented image is resized to image_size x image_size
  Normalization normalization = kImageNetNormalization;
  uint64_t seed = 1;
  int64_t first_step = 0;  // resume: batches before it are skipped without loading images
  int64_t end_step = 0;    // one past the last batch
  int queue_capacity = 4;
};

// A batch ready for TrainStep. Step s belongs to task s % number of tasks.
struct TrainingBatch {
  int64_t step = 0;
  int task = 0;
  torch::Tensor images;  // [B, 3, S, S] float, normalised
  torch::Tensor labels;  // [B, 5] int64, masked to -1 for attributes the task does not train
};

// Thread-safe between its one producer thread and one consumer.
class BatchProducer {
 public:
  // Starts the producer thread. INVALID_ARGUMENT for no tasks, a task with
  // nothing to draw, or an empty step range.
  static absl::StatusOr<std::unique_ptr<BatchProducer>> Start(std::vector<Sample> samples,
                                                              std::vector<BatchTask> tasks,
                                                              const BatchProducerOptions& options);
  ~BatchProducer();  // stops and joins the thread

  // The next batch in step order; blocks until it is ready. The producer's
  // first error (an unreadable image, naming it) is returned here, and OUT_OF_RANGE
  // after end_step.
  absl::StatusOr<TrainingBatch> Next();

 private:
  BatchProducer(std::vector<Sample> samples, std::vector<BatchTask> tasks,
                const BatchProducerOptions& options);
  void Run();
  // The dataset indices of the next batch of `task` (advances its cursor).
  std::vector<int64_t> DrawIndices(int task);
  absl::StatusOr<TrainingBatch> Build(int64_t step);
  absl::StatusOr<cv::Mat> Image(int64_t index);

  const std::vector<Sample> samples_;
  const std::vector<BatchTask> tasks_;
  const BatchProducerOptions options_;
  // Producer thread only: decoded images (small training images fit in
  // memory; they are decoded once) and each task's position in its index stream.
  std::vector<cv::Mat> cache_;
  struct Cursor {
    int64_t pass = 0;
    size_t position = 0;
    std::vector<int64_t> order;
  };
  std::vector<Cursor> cursors_;

  absl::Mutex mu_;
  std::deque<absl::StatusOr<TrainingBatch>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int64_t next_to_take_ = 0;  // consumer only
  std::thread thread_;
};

}  // namespace skinlens::training
