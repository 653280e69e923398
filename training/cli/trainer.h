// The training loop behind skinlens-train: builds the network and the
// per-attribute losses from a recipe, trains with batches prepared in the
// background, evaluates every epoch, keeps the best model (by mean
// validation P-Recall) as a bundle, and checkpoints so that an interrupted
// run resumes where it stopped.
//
//   TrainerOptions options;
//   options.run_dir = "runs/seed";
//   SKINLENS_ASSIGN_OR_RETURN(TrainingSummary summary,
//                             Train(recipe, train_samples, validation_samples, options));
//
// The run folder:
//   recipe.json               the recipe with every default written out
//   metrics.jsonl             one JSON line per epoch (loss, P-Recall, accuracy, MAE per attribute)
//   confusion_matrices.jsonl  one JSON line per epoch: the validation confusion matrices
//   curves.png                training loss and validation P-Recall per epoch
//   model/                    the best epoch's model bundle (what services load), calibrated
//                             on the validation split
//   checkpoint/               weights, optimiser state and progress, for --resume
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/model/model_metadata.h"
#include "training/cli/recipe.h"
#include "training/data/dataset.h"

namespace skinlens::training {

struct TrainerOptions {
  std::string run_dir;
  // Continue from run_dir/checkpoint (the recipe must be the one the run
  // started with). Without it a run_dir holding a checkpoint is refused.
  bool resume = false;
  // LibTorch intra-op threads; 0 keeps LibTorch's default (one per core).
  int threads = 0;
  model::WeightsDtype export_dtype = model::WeightsDtype::kFloat32;
  // The bundle's model_version; empty: "<recipe name>-<UTC date>".
  std::string model_version;
  // Written into the bundle's training_data.description.
  std::string data_description;
  // The training data is synthetic only: the bundle is marked as a demo model
  // whose grades mean nothing for real faces.
  bool synthetic_data = false;
  // Checked after every step; when it turns true the run saves a checkpoint
  // and returns with `interrupted` set (skinlens-train sets it on Ctrl-C).
  const std::atomic<bool>* stop_requested = nullptr;
  // Draw a progress bar on stderr.
  bool progress = true;
  // The share of validation samples the saved bundle's abstain thresholds
  // answer (its calibration: a temperature per attribute fitted on the
  // validation split, and the threshold below which an attribute is not
  // graded). 1 never abstains.
  double abstain_coverage = 0.9;
  // Stop after this many epochs of this invocation (0: run to the recipe's
  // end). For tests of resuming.
  int stop_after_epochs = 0;
};

struct TrainingSummary {
  int epochs_completed = 0;  // including those before a resume
  int best_epoch = 0;        // 1-based; 0 if no epoch finished
  double best_mean_p_recall = 0.0;
  std::string bundle_dir;  // run_dir/model
  bool interrupted = false;
  double train_seconds = 0.0;  // this invocation
  double images_per_second = 0.0;
};

// Runs (or resumes) a training run. Errors: INVALID_ARGUMENT for an unusable
// recipe or empty data, FAILED_PRECONDITION for a run_dir that already holds
// another run (or a checkpoint without resume), and the data's errors (an
// unreadable image, named).
absl::StatusOr<TrainingSummary> Train(const TrainRecipe& recipe, std::vector<Sample> train,
                                      std::vector<Sample> validation,
                                      const TrainerOptions& options);

}  // namespace skinlens::training
